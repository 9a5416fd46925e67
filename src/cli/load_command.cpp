// `gridbatch load MANIFEST [--db FILE] [--dry-run]`: validate, expand and
// insert a manifest's jobs; re-loading is idempotent (see LoadStep).
#include <cstdlib>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/util/time_format.hpp"
#include "load_step.hpp"

namespace gridbatch::cli {

void AddLoadCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string manifest;
    bool dry_run = false;
    std::string rate = "20/s";
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "load",
      "Validate MANIFEST and add its jobs to the database. Jobs already there are left as\n"
      "they are, so loading again adds nothing and an edited manifest adds only its new\n"
      "jobs. Invalid manifests print every error (file:line:column: message) and exit 65\n"
      "without touching the database; a missing one exits 66. The summary line goes to\n"
      "stderr.");
  command->add_option("MANIFEST", options->manifest, "YAML manifest")->required();
  AddCommonOptions(command, context);
  command->add_flag("--dry-run", options->dry_run,
                    "Write nothing (the database is not created); print the jobs per model and\n"
                    "per source, the first request body as run would send it, and estimates");
  command
      ->add_option("--rate", options->rate,
                   "The submit rate --dry-run's estimate assumes (run's --rate; 0: unlimited)")
      ->capture_default_str();
  command->callback([options, &context] {
    if (options->dry_run) {
      DryRunSettings dry;
      const auto rate = ParseRate(options->rate);
      if (!rate) {
        throw Error(kExitUsage, "--rate: '" + options->rate +
                                    "' is not a rate (examples: 40/s, 300/min, 0 for unlimited)");
      }
      dry.rate_per_second = *rate;
      if (const char* endpoint = std::getenv("GRIDBATCH_ENDPOINT"); endpoint && *endpoint) {
        dry.endpoint = endpoint;
      }
      const auto manifest = ParseStep(options->manifest);
      context.exit_code = manifest ? PrintDryRun(*manifest, dry, std::cout) : kExitDataErr;
      return;
    }
    const LoadResult result = LoadStep(options->manifest, context.common.db, LoadMode::kWrite);
    context.exit_code = result.exit_code;
    if (result.exit_code == kExitOk) context.Say(LoadSummary(result, LoadMode::kWrite));
  });
}

}  // namespace gridbatch::cli
