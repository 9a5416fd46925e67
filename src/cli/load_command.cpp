// `gridbatch load MANIFEST [--db FILE] [--dry-run]`: validate, expand and
// insert a manifest's jobs; re-loading is idempotent (see LoadStep).
#include <memory>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "load_step.hpp"

namespace gridbatch::cli {

void AddLoadCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string manifest;
    bool dry_run = false;
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
                    "Validate and count the jobs; write nothing (the database is not created)");
  command->callback([options, &context] {
    const LoadMode mode = options->dry_run ? LoadMode::kDryRun : LoadMode::kWrite;
    const LoadResult result = LoadStep(options->manifest, context.common.db, mode);
    context.exit_code = result.exit_code;
    if (result.exit_code == kExitOk) context.Say(LoadSummary(result, mode));
  });
}

}  // namespace gridbatch::cli
