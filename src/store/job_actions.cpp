#include "gridbatch/job_actions.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "batch_lookup.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/time_format.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

// Every statement below takes ?1 = now, ?2 = batch id (-1: any batch),
// ?3 = model (NULL: any model); a state list, when any, follows from ?4.
constexpr const char* kFilterClause = "(?2 < 0 OR batch_id = ?2) AND (?3 IS NULL OR model = ?3)";

// A retried job starts afresh: its results go with its state. The results
// (in jobs) are cleared first, while the state still says which jobs.
constexpr const char* kRetryResults = R"sql(
  UPDATE jobs SET output = NULL, runtime = NULL, remote_created = NULL
  WHERE id IN (SELECT job_id FROM job_state WHERE state IN (?4, ?5) AND )sql";

constexpr const char* kRetry = R"sql(
  UPDATE job_state SET state = 'pending', attempts = 0, next_attempt_at = 0, remote_id = NULL,
    remote_status = NULL, vm_status = NULL, submitted_at = NULL, finished_at = NULL,
    last_polled_at = 0, missing_since = NULL, updated_at = ?1
  WHERE state IN (?4, ?5) AND )sql";

constexpr const char* kCancel = R"sql(
  UPDATE job_state SET state = 'cancelled', finished_at = ?1, updated_at = ?1
  WHERE state = 'pending' AND )sql";

void CheckRetryStates(const std::vector<JobState>& states) {
  if (states.empty()) throw Error(kExitUsage, "retry: no state given");
  for (const JobState state : states) {
    if (state != JobState::kFailed && state != JobState::kCancelled) {
      throw Error(kExitUsage, "retry: cannot retry " + std::string(ToString(state)) +
                                  " jobs (only failed or cancelled)");
    }
  }
}

bool Contains(const std::vector<JobState>& states, JobState state) {
  return std::find(states.begin(), states.end(), state) != states.end();
}

// Binds the filter of kFilterClause, resolving the batch name first.
void BindFilter(SQLite::Statement& update, JobStore& store, const JobFilter& filter,
                const Clock& clock) {
  update.bind(1, FormatIsoUtc(clock.Now()));
  update.bind(2, filter.batch ? RequireBatchId(store.impl().db, store.path(), *filter.batch)
                              : std::int64_t{-1});
  if (filter.model) {
    update.bind(3, *filter.model);
  } else {
    update.bind(3);
  }
}

// Runs `updates` in order, in one transaction, each bound by `bind`; returns
// the number of jobs the last one changed.
std::uint64_t RunUpdate(JobStore& store, const std::string& doing,
                        const std::function<void(SQLite::Statement&)>& bind,
                        const std::vector<std::string>& updates) {
  std::uint64_t changed = 0;
  try {
    SQLite::Transaction tx(store.impl().db, SQLite::TransactionBehavior::IMMEDIATE);
    for (const std::string& sql : updates) {
      SQLite::Statement update(store.impl().db, sql);
      bind(update);
      changed = static_cast<std::uint64_t>(update.exec());
    }
    tx.commit();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store.path(), doing, e);
  }
  return changed;
}

}  // namespace

std::uint64_t RetryJobs(JobStore& store, const RetryOptions& options, const Clock& clock) {
  CheckRetryStates(options.states);
  return RunUpdate(
      store, "retry jobs",
      [&](SQLite::Statement& update) {
        BindFilter(update, store, options.filter, clock);
        // Two slots, one per retryable state; a state not asked for is
        // replaced by the other one.
        const bool failed = Contains(options.states, JobState::kFailed);
        const bool cancelled = Contains(options.states, JobState::kCancelled);
        update.bind(4, failed ? "failed" : "cancelled");
        update.bind(5, cancelled ? "cancelled" : "failed");
      },
      {std::string(kRetryResults) + kFilterClause + ")", std::string(kRetry) + kFilterClause});
}

std::uint64_t CancelJobs(JobStore& store, const JobFilter& filter, const Clock& clock) {
  return RunUpdate(store, "cancel jobs",
                   [&](SQLite::Statement& update) { BindFilter(update, store, filter, clock); },
                   {std::string(kCancel) + kFilterClause});
}

}  // namespace gridbatch::store
