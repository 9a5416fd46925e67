#include "gridbatch/store/job_actions.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "batch_lookup.hpp"
#include "gridbatch/error.hpp"
#include "gridbatch/util/time_format.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {
namespace {

// Every statement below takes ?1 = now, ?2 = batch id (-1: any batch),
// ?3 = model (NULL: any model); the prompt ids and error texts follow from
// ?4, in the order FilterClause lists them.
std::string FilterClause(const JobFilter& filter) {
  std::string clause = "(?2 < 0 OR batch_id = ?2) AND (?3 IS NULL OR model = ?3)";
  int next = 4;
  const auto any_of = [&](std::size_t count, const std::string& test) {
    if (count == 0) return;
    clause += " AND (";
    for (std::size_t i = 0; i < count; ++i) {
      std::string one = test;
      one.replace(one.find('#'), 1, "?" + std::to_string(next++));
      clause += (i == 0 ? "" : " OR ") + one;
    }
    clause += ")";
  };
  any_of(filter.prompt_ids.size(), "job_id IN (SELECT id FROM jobs WHERE prompt_id = #)");
  any_of(filter.errors.size(), "instr(last_error, #) > 0");
  return clause;
}

// The states of a retry, as an SQL list: "'failed','cancelled'".
std::string StateList(const std::vector<JobState>& states) {
  std::string list;
  for (const JobState state : states) {
    list += (list.empty() ? "'" : ",'") + std::string(ToString(state)) + "'";
  }
  return list;
}

void CheckRetryStates(const std::vector<JobState>& states) {
  if (states.empty()) throw Error(kExitUsage, "retry: no state given");
  for (const JobState state : states) {
    if (state != JobState::kFailed && state != JobState::kCancelled &&
        state != JobState::kCompleted) {
      throw Error(kExitUsage, "retry: cannot retry " + std::string(ToString(state)) +
                                  " jobs (only failed, cancelled or completed)");
    }
  }
}

// Binds the filter of FilterClause, resolving the batch and model first.
void BindFilter(SQLite::Statement& update, JobStore& store, const JobFilter& filter,
                const Clock& clock) {
  SQLite::Database& db = store.impl().db;
  const std::int64_t batch_id =
      filter.batch ? RequireBatchId(db, store.path(), *filter.batch) : std::int64_t{-1};
  update.bind(1, FormatIsoUtc(clock.Now()));
  update.bind(2, batch_id);
  if (filter.model) {
    RequireModel(db, store.path(), *filter.model, batch_id);
    update.bind(3, *filter.model);
  } else {
    update.bind(3);
  }
  int next = 4;
  for (const std::string& id : filter.prompt_ids) update.bind(next++, id);
  for (const std::string& error : filter.errors) update.bind(next++, error);
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
  const std::string filter = FilterClause(options.filter);
  std::vector<JobState> cleared;  // whose results go with their state
  for (const JobState state : options.states) {
    if (state != JobState::kCompleted) cleared.push_back(state);
  }
  std::vector<std::string> updates;
  // The results (in jobs) are cleared first, while the state still says which jobs.
  if (!cleared.empty()) {
    updates.push_back(
        "UPDATE jobs SET output = NULL, runtime = NULL, remote_created = NULL"
        " WHERE id IN (SELECT job_id FROM job_state WHERE state IN (" +
        StateList(cleared) + ") AND " + filter + ")");
  }
  updates.push_back(
      "UPDATE job_state SET state = 'pending', attempts = 0, next_attempt_at = 0,"
      " remote_id = NULL, remote_status = NULL, vm_status = NULL, submitted_at = NULL,"
      " finished_at = NULL, last_polled_at = 0, missing_since = NULL, updated_at = ?1"
      " WHERE state IN (" +
      StateList(options.states) + ") AND " + filter);
  return RunUpdate(
      store, "retry jobs",
      [&](SQLite::Statement& update) { BindFilter(update, store, options.filter, clock); },
      updates);
}

std::uint64_t CancelJobs(JobStore& store, const JobFilter& filter, const Clock& clock) {
  return RunUpdate(store, "cancel jobs",
                   [&](SQLite::Statement& update) { BindFilter(update, store, filter, clock); },
                   {"UPDATE job_state SET state = 'cancelled', finished_at = ?1, updated_at = ?1"
                    " WHERE state = 'pending' AND " +
                    FilterClause(filter)});
}

}  // namespace gridbatch::store
