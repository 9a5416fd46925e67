// `gridbatch load MANIFEST [--db FILE] [--dry-run]`: validate, expand and
// insert a manifest's jobs; re-loading is idempotent (see LoadStep).
#include <cstdlib>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/time_format.hpp"
#include "load_step.hpp"

namespace gridbatch::cli {

void AddLoadCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string manifest;
    std::string db;
    bool dry_run = false;
    std::string rate = "20/s";
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "load",
      "Validate MANIFEST and add its jobs to the database. Jobs already there are left as\n"
      "they are, so loading again adds nothing and an edited manifest adds only its new\n"
      "jobs. Invalid manifests print every error (file:line:column: message) and exit 65\n"
      "without touching the database.");
  command->add_option("MANIFEST", options->manifest, "YAML manifest")->required();
  AddDbOption(command, options->db);
  command->add_flag("--dry-run", options->dry_run,
                    "Write nothing (the database is not created); print the jobs per model and\n"
                    "per source, the first request body as run would send it, and estimates");
  command
      ->add_option("--rate", options->rate,
                   "The submit rate --dry-run's estimate assumes (run's --rate; 0: unlimited)")
      ->capture_default_str();
  command->callback([options, &context] {
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
    context.exit_code =
        LoadStep(options->manifest, options->db,
                 options->dry_run ? LoadMode::kDryRun : LoadMode::kWrite, std::cout, dry);
  });
}

}  // namespace gridbatch::cli
