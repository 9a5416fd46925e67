// `gridbatch load MANIFEST [--db FILE] [--dry-run]`: validate, expand and
// insert a manifest's jobs; re-loading is idempotent (see LoadStep).
#include <iostream>
#include <memory>

#include "command.hpp"
#include "load_step.hpp"

namespace gridbatch::cli {

void AddLoadCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string manifest;
    std::string db;
    bool dry_run = false;
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
                    "Validate and count the jobs; write nothing (the database is not created)");
  command->callback([options, &context] {
    context.exit_code =
        LoadStep(options->manifest, options->db,
                 options->dry_run ? LoadMode::kDryRun : LoadMode::kWrite, std::cout);
  });
}

}  // namespace gridbatch::cli
