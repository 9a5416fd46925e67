// `gridbatch cancel [--db FILE] [--batch B] [--model M]`: take pending jobs
// out of the run.
#include <iostream>
#include <memory>
#include <optional>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/job_actions.hpp"
#include "gridbatch/job_store.hpp"

namespace gridbatch::cli {

void AddCancelCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string db;
    std::optional<std::string> batch;
    std::optional<std::string> model;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "cancel",
      "Cancel pending jobs: `run` will not submit them (`retry --state cancelled` undoes it).\n"
      "Jobs already sent to the service are not touched: it has no documented cancel.");
  AddDbOption(command, options->db);
  command->add_option("--batch", options->batch, "Only this batch")->type_name("NAME");
  command->add_option("--model", options->model, "Only this model")->type_name("MODEL");
  command->callback([options, &context] {
    store::OpenOptions open;
    open.must_exist = true;  // nothing to change in a database that does not exist
    auto store = store::JobStore::Open(options->db, open);
    const auto changed =
        store::CancelJobs(*store, {.batch = options->batch, .model = options->model});
    std::cout << "cancelled " << changed << " pending job(s)\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace gridbatch::cli
