// `gridbatch show PROMPT_ID [--db FILE] [--batch B] [--model M] [--json]`:
// everything about one prompt's jobs (one per model and repeat), side by
// side. Read-only, like status and export.
#include <iostream>
#include <memory>
#include <optional>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/store/job_details.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::cli {
namespace {

constexpr const char* kJsonShape = R"(With --json, one object on stdout:
  {"batch": "capitals", "prompt_id": "q1",
   "jobs": [{"model": "gemma:2b", "repeat": 0, "prompt": "<as sent>",
             "vars": {"name": value, ...} | null, "state": "completed",
             "remote_id", "remote_status", "vm_status": "<text>" | null,
             "attempts": N, "error": "<text>" | null, "previous_error": "<text>" | null,
             "created", "updated_at": "<ISO-8601 UTC>",
             "submitted_at", "finished_at": "<ISO-8601 UTC>" | null,
             "runtime": seconds | null, "output": "<text>" | null}, ...]}
Jobs come by model (in the order they were loaded) and repeat. `error` is the
current one (never set on a completed job); `previous_error` that of an
earlier attempt of a job that then completed. Exit 64 for an unknown batch,
prompt id or model, and for an id found in several batches without --batch.
)";

}  // namespace

void AddShowCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string prompt_id;
    std::optional<std::string> batch;
    std::optional<std::string> model;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "show",
      "Show everything about one prompt's jobs: prompt, variables, state, remote id and "
      "status, attempts, errors, times, output");
  command->add_option("PROMPT_ID", options->prompt_id, "The prompt's id (as export shows it)")
      ->required();
  AddCommonOptions(command, context);
  command->add_option("--batch", options->batch, "The batch (needed if several have the id)")
      ->type_name("NAME");
  command->add_option("--model", options->model, "Only this model's jobs")->type_name("MODEL");
  command->add_flag("--json", options->json, "Print one JSON object (shape below)");
  command->footer(kJsonShape);
  command->callback([options, &context] {
    store::OpenOptions open;
    open.mode = store::OpenOptions::Mode::kReadOnly;
    auto store = store::JobStore::Open(context.common.db, open);
    const auto jobs = store::ReadPromptJobs(
        *store,
        {.prompt_id = options->prompt_id, .batch = options->batch, .model = options->model});
    if (options->json) {
      store::WritePromptJobsJson(jobs, std::cout);
    } else {
      store::WritePromptJobsText(jobs, std::cout);
    }
    context.exit_code = kExitOk;
  });
}

}  // namespace gridbatch::cli
