// `gridbatch retry [--state failed|cancelled|completed ...] [--batch B]
// [--model M] [--prompt-id ID ...] [--error TEXT ...]`: put jobs back to
// pending for `run` to submit again.
#include <memory>
#include <optional>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/store/job_actions.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::cli {

void AddRetryCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    std::vector<std::string> states;
    store::JobFilter filter;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "retry",
      "Put failed (or cancelled, or completed) jobs back to pending, due now, with attempts\n"
      "reset to 0; `run` then submits them again. The previous attempt's remote id and\n"
      "status are cleared. A failed or cancelled job's output is cleared; a completed job\n"
      "keeps its output until the new attempt brings a final one. The last error is kept\n"
      "(status and export still show why a job failed) until the next attempt records its\n"
      "own outcome. Filters combine: all must match; a repeated one matches any of its\n"
      "values. A --batch or --model that no job has is an error (exit 64).");
  AddCommonOptions(command, context);
  command->add_option("--state", options->states, "Retry jobs in this state (repeatable)")
      ->check(CLI::IsMember({"failed", "cancelled", "completed"}, CLI::ignore_case))
      ->default_str("failed")
      ->type_name("failed|cancelled|completed");
  command->add_option("--batch", options->filter.batch, "Only this batch")->type_name("NAME");
  command->add_option("--model", options->filter.model, "Only this model")->type_name("MODEL");
  command
      ->add_option("--prompt-id", options->filter.prompt_ids,
                   "Only jobs of this prompt id (repeatable)")
      ->type_name("ID");
  command
      ->add_option("--error", options->filter.errors,
                   "Only jobs whose last error contains TEXT (repeatable)")
      ->type_name("TEXT");
  command->callback([options, &context] {
    store::RetryOptions retry;
    if (!options->states.empty()) {
      retry.states.clear();
      for (const auto& state : options->states) retry.states.push_back(*ParseJobState(state));
    }
    retry.filter = options->filter;
    store::OpenOptions open;
    open.must_exist = true;  // nothing to change in a database that does not exist
    auto store = store::JobStore::Open(context.common.db, open);
    const auto changed = store::RetryJobs(*store, retry);
    context.Say("retried " + std::to_string(changed) + " job(s): pending again");
    context.exit_code = kExitOk;
  });
}

}  // namespace gridbatch::cli
