// The user's own changes of state, from the command line: `retry` puts
// failed, cancelled (or completed) jobs back to pending, `cancel` takes
// pending jobs out of the run. Each is one UPDATE in one write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/clock.hpp"
#include "gridbatch/job_state.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::store {

// Which jobs a command applies to. An unset or empty field matches every job.
struct JobFilter {
  std::optional<std::string> batch;     // must name an existing batch
  std::optional<std::string> model;     // must name a model some job has
  std::vector<std::string> prompt_ids;  // jobs with any of these prompt ids
  std::vector<std::string> errors;      // jobs whose last error contains any of these texts
};

struct RetryOptions {
  // The states to retry: kFailed, kCancelled and/or kCompleted. Default: kFailed.
  std::vector<JobState> states = {JobState::kFailed};
  JobFilter filter;
};

// Makes the matching jobs pending again, due at once, with attempts back to
// 0 and the previous attempt's remote fields (remote id and status, times)
// cleared. A failed or cancelled job's output and runtime are cleared too; a
// completed job keeps its output and runtime until its new attempt brings a
// final one (RunQueue does not overwrite them with a running job's log).
// last_error is kept, so `status` and `export` still say why a job failed,
// until its next attempt records its own outcome. Returns how many jobs
// changed.
// Throws gridbatch::Error: kExitUsage for an unknown batch or model (naming
// the known ones) or a state that cannot be retried, kExitIoErr (or
// kExitTempFail) for database failures.
std::uint64_t RetryJobs(JobStore& store, const RetryOptions& options,
                        const Clock& clock = SystemClock::Instance());

// Cancels the matching pending jobs (finished_at = now). Jobs already handed
// to the service are not touched: the service has no documented cancel.
// Returns how many jobs changed. Throws as RetryJobs.
std::uint64_t CancelJobs(JobStore& store, const JobFilter& filter,
                         const Clock& clock = SystemClock::Instance());

}  // namespace gridbatch::store
