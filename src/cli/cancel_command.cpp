// `gridbatch cancel [--batch B] [--model M] [--prompt-id ID...]`: take pending
// jobs out of the run.
#include <memory>
#include <optional>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/store/job_actions.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::cli {

void AddCancelCommand(CLI::App& app, CommandContext& context) {
  auto filter = std::make_shared<store::JobFilter>();
  CLI::App* command = app.add_subcommand(
      "cancel",
      "Cancel pending jobs: `run` will not submit them (`retry --state cancelled` undoes it).\n"
      "Jobs already sent to the service are not touched: it has no documented cancel.\n"
      "A --batch or --model that no job has is an error (exit 64) naming the known ones.");
  AddCommonOptions(command, context);
  command->add_option("--batch", filter->batch, "Only this batch")->type_name("NAME");
  command->add_option("--model", filter->model, "Only this model")->type_name("MODEL");
  command->add_option("--prompt-id", filter->prompt_ids, "Only jobs of this prompt id (repeatable)")
      ->type_name("ID");
  command->callback([filter, &context] {
    store::OpenOptions open;
    open.must_exist = true;  // nothing to change in a database that does not exist
    auto store = store::JobStore::Open(context.common.db, open);
    const auto changed = store::CancelJobs(*store, *filter);
    context.Say("cancelled " + std::to_string(changed) + " pending job(s)");
    context.exit_code = kExitOk;
  });
}

}  // namespace gridbatch::cli
