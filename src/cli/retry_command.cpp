// `gridbatch retry [--db FILE] [--state failed|cancelled ...] [--batch B]
// [--model M]`: put failed (or cancelled) jobs back to pending.
#include <iostream>
#include <memory>
#include <optional>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/job_actions.hpp"
#include "gridbatch/job_store.hpp"

namespace gridbatch::cli {

void AddRetryCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string db;
    std::vector<std::string> states;
    std::optional<std::string> batch;
    std::optional<std::string> model;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "retry",
      "Put failed (or cancelled) jobs back to pending, due now, with attempts reset to 0.\n"
      "The previous attempt's remote id, status and output are cleared; its last error is\n"
      "kept (status and export still show why it failed) until the next attempt records\n"
      "its own outcome. `run` then submits them again.");
  AddDbOption(command, options->db);
  command->add_option("--state", options->states, "Retry jobs in this state (repeatable)")
      ->check(CLI::IsMember({"failed", "cancelled"}))
      ->default_str("failed")
      ->type_name("failed|cancelled");
  command->add_option("--batch", options->batch, "Only this batch")->type_name("NAME");
  command->add_option("--model", options->model, "Only this model")->type_name("MODEL");
  command->callback([options, &context] {
    store::RetryOptions retry;
    if (!options->states.empty()) {
      retry.states.clear();
      for (const auto& state : options->states) retry.states.push_back(*ParseJobState(state));
    }
    retry.filter = {.batch = options->batch, .model = options->model};
    store::OpenOptions open;
    open.must_exist = true;  // nothing to change in a database that does not exist
    auto store = store::JobStore::Open(options->db, open);
    const auto changed = store::RetryJobs(*store, retry);
    std::cout << "retried " << changed << " job(s): pending again\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace gridbatch::cli
