// `gridbatch status [--db FILE] [--json] [--batch NAME]`: job counts per
// batch, model and state, uncertain jobs and recent errors. Read-only.
#include <iostream>
#include <memory>
#include <optional>

#include "command.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/store/job_store.hpp"
#include "gridbatch/store/status_report.hpp"
#include "status_format.hpp"

namespace gridbatch::cli {
namespace {

constexpr const char* kJsonShape = R"(With --json, one object on stdout:
  {"batches": [{"name": "capitals", "app": "gridrepublic:text-inference",
                "hours": 2.0 | null, "manifest_path": "capitals.yaml" | null,
                "updated_at": "<ISO-8601 UTC of the last load>",
                "counts": COUNTS,
                "models": [{"model": "gemma:2b", "counts": COUNTS}, ...]}, ...],
   "totals": COUNTS,
   "uncertain": {"count": N, "jobs": [{"batch", "prompt_id", "model",
                 "repeat_index", "attempts", "updated_at"}, ... at most 10]},
   "recent_errors": [{"error": "<text>", "jobs": N, "last_seen": "<ISO time>"},
                     ... at most 5, most recent first]}
COUNTS is {"pending": N, "submitting": N, "submitted": N, "running": N,
"completed": N, "failed": N, "cancelled": N, "total": N}. Uncertain jobs are
those left in 'submitting': their submit may or may not have reached the
service. Errors are those of jobs that are not completed.
)";

}  // namespace

void AddStatusCommand(CLI::App& app, CommandContext& context) {
  struct Options {
    bool json = false;
    std::optional<std::string> batch;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "status", "Show job counts per batch, model and state; uncertain jobs; recent errors");
  AddCommonOptions(command, context);
  command->add_flag("--json", options->json, "Print one JSON object (shape below)");
  command->add_option("--batch", options->batch, "Only this batch")->type_name("NAME");
  command->footer(kJsonShape);
  command->callback([options, &context] {
    store::OpenOptions open;
    open.mode = store::OpenOptions::Mode::kReadOnly;
    auto store = store::JobStore::Open(context.common.db, open);
    store::StatusOptions status;
    status.batch = options->batch;
    const store::StatusReport report = store::BuildStatusReport(*store, status);
    if (options->json) {
      WriteStatusJson(report, std::cout);
    } else {
      WriteStatusText(report, std::cout);
    }
    context.exit_code = kExitOk;
  });
}

}  // namespace gridbatch::cli
