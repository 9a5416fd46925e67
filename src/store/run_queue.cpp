#include "gridbatch/store/run_queue.hpp"

#include <algorithm>

#include "gridbatch/error.hpp"
#include "gridbatch/util/time_format.hpp"
#include "job_store_impl.hpp"

namespace gridbatch::store {

// Prepared once, reused for every row: the loop's hot path. IN lists of
// three or more values are spelled as ORs: SQLite 3.40 fills a temporary
// b-tree with such a list on every execution.
struct RunQueue::Statements {
  // `only` narrows the claims, polls and times to some jobs (--limit): ""
  // or " AND s.job_id IN (...)".
  Statements(SQLite::Database& db, const std::string& only, const std::string& only_unaliased)
      : submitted(db,
                  "UPDATE job_state SET state = 'submitted', remote_id = ?2, submitted_at = ?3,"
                  " updated_at = ?3, last_polled_at = ?4, next_poll_at = ?5,"
                  " last_running_at = NULL, remote_status = NULL, vm_status = NULL,"
                  " missing_since = NULL"
                  " WHERE job_id = ?1 AND state = 'submitting'"),
        retry(db,
              "UPDATE job_state SET state = 'pending', next_attempt_at = ?2, last_error = ?3,"
              " attempts = attempts - ?4, remote_id = NULL, missing_since = NULL,"
              " updated_at = ?5 WHERE job_id = ?1"
              " AND (state = 'submitting' OR state = 'submitted' OR state = 'running')"),
        failed(db,
               "UPDATE job_state SET state = 'failed', last_error = ?2, finished_at = ?3,"
               " updated_at = ?3 WHERE job_id = ?1"
               " AND (state = 'submitting' OR state = 'submitted' OR state = 'running')"),
        polled(db,
               "UPDATE job_state SET state = ?2, remote_status = ?3, vm_status = ?4,"
               " missing_since = NULL, updated_at = ?5,"
               " finished_at = CASE WHEN ?2 IN ('completed','failed') THEN ?5 END,"
               // A completed job has no current error: an earlier attempt's
               // (a 429, a timeout) moves to previous_error.
               " last_error = CASE WHEN ?2 = 'failed' THEN ?6"
               " WHEN ?2 = 'completed' THEN NULL ELSE last_error END,"
               " previous_error = CASE WHEN ?2 = 'completed'"
               " THEN coalesce(last_error, previous_error) ELSE previous_error END,"
               " next_poll_at = coalesce(?7, next_poll_at),"
               " last_running_at = CASE WHEN ?2 = 'running' THEN ?8 ELSE last_running_at END"
               " WHERE job_id = ?1 AND state IN ('submitted','running')"),
        // The wide row is written only when a poll brought something new.
        // Results another remote job left (a completed job retried keeps
        // its output) give way only to this one's final results.
        polled_results(db,
                       "UPDATE jobs SET output = ?2, runtime = ?3, remote_created = ?4"
                       " WHERE id = ?1 AND (output IS NOT ?2 OR runtime IS NOT ?3"
                       " OR remote_created IS NOT ?4)"
                       " AND (?5 <> 'running' OR output IS NULL OR remote_created IS ?4)"),
        refused(
            db,
            "UPDATE job_state SET state = 'failed', last_error = ?2, finished_at = ?3,"
            " updated_at = ?3, attempts = attempts + 1 WHERE job_id = ?1 AND state = 'pending'"),
        due(db,
            "UPDATE job_state SET next_attempt_at = ?2 WHERE job_id = ?1 AND state = 'pending'"),
        missing(db,
                "UPDATE job_state SET missing_since = coalesce(missing_since, ?2)"
                " WHERE job_id = ?1 AND state IN ('submitted','running')"),
        claim(db,
              "SELECT s.job_id, j.prompt, j.model, b.app, b.hours, s.attempts + 1"
              " FROM job_state s INDEXED BY job_state_due"
              " JOIN jobs j ON j.id = s.job_id JOIN batches b ON b.id = s.batch_id"
              " WHERE s.state = 'pending' AND s.next_attempt_at <= ?1"
              " AND (?2 IS NULL OR s.batch_id = ?2)"
              " AND j.model NOT IN (SELECT model FROM temp.run_held)" +
                  only + " ORDER BY s.next_attempt_at, s.job_id LIMIT ?3"),
        mark_submitting(db,
                        "UPDATE job_state SET state = 'submitting', attempts = attempts + 1,"
                        " updated_at = ?2 WHERE job_id = ?1"),
        due_polls(db,
                  "SELECT s.job_id, s.remote_id, s.state, s.submitted_at, b.hours,"
                  " s.missing_since, s.next_poll_at, s.attempts, s.model, s.last_polled_at,"
                  " s.last_running_at"
                  " FROM job_state s INDEXED BY job_state_poll JOIN batches b ON b.id = s.batch_id"
                  " WHERE s.state IN ('submitted','running') AND s.next_poll_at <= ?1"
                  " AND (?2 IS NULL OR s.batch_id = ?2)" +
                      only + " ORDER BY s.next_poll_at LIMIT ?3"),
        mark_polled(
            db, "UPDATE job_state SET last_polled_at = ?2, next_poll_at = ?3 WHERE job_id = ?1"),
        // The submit time in seconds, from its ISO text: julianday() reads
        // the 'Z' and the milliseconds.
        wake(db,
             "UPDATE job_state INDEXED BY job_state_poll SET next_poll_at ="
             " max(?1, (julianday(submitted_at) - 2440587.5) * 86400.0 + ?6)"
             " WHERE state IN ('submitted','running') AND next_poll_at > ?3 AND model = ?4"
             " AND (?5 IS NULL OR batch_id = ?5)" +
                 only_unaliased +
                 " AND last_polled_at - (julianday(submitted_at) - 2440587.5) * 86400.0 <= ?2"
                 " AND max(?1, (julianday(submitted_at) - 2440587.5) * 86400.0 + ?6)"
                 " < next_poll_at"),
        cap_polls(db,
                  "UPDATE job_state INDEXED BY job_state_poll SET next_poll_at = ?1"
                  " WHERE state IN ('submitted','running') AND next_poll_at > ?1"
                  " AND (?2 IS NULL OR batch_id = ?2)" +
                      only_unaliased),
        next_due(db,
                 "SELECT min(next_attempt_at) FROM job_state INDEXED BY job_state_due"
                 " WHERE state = 'pending' AND (?1 IS NULL OR batch_id = ?1)" +
                     only_unaliased),
        next_poll(db,
                  "SELECT min(next_poll_at) FROM job_state INDEXED BY job_state_poll"
                  " WHERE state IN ('submitted','running') AND (?1 IS NULL OR batch_id = ?1)" +
                      only_unaliased) {}

  SQLite::Statement submitted, retry, failed, polled, polled_results, refused, due, missing, claim,
      mark_submitting, due_polls, mark_polled, wake, cap_polls, next_due, next_poll;
};

namespace {

void BindBatch(SQLite::Statement& statement, int index, const std::optional<std::int64_t>& id) {
  if (id) {
    statement.bind(index, *id);
  } else {
    statement.bind(index);
  }
}

void Run(SQLite::Statement& statement) {
  statement.exec();
  statement.reset();
}

void ApplyOutcomes(RunQueue::Statements& s, const Outcomes& outcomes, Seconds now,
                   const std::string& now_text, const std::optional<std::int64_t>& batch_id) {
  for (const auto& o : outcomes.submitted) {
    s.submitted.bind(1, o.id);
    s.submitted.bind(2, o.remote_id);
    s.submitted.bind(3, now_text);
    s.submitted.bind(4, now);
    s.submitted.bind(5, o.next_poll_at);
    Run(s.submitted);
  }
  for (const auto& o : outcomes.retries) {
    s.retry.bind(1, o.id);
    s.retry.bind(2, o.next_attempt_at);
    s.retry.bind(3, o.error);
    s.retry.bind(4, o.undo_attempt ? 1 : 0);
    s.retry.bind(5, now_text);
    Run(s.retry);
  }
  // A job failed with an error (failed, and refused from pending).
  const auto fail = [&now_text](SQLite::Statement& statement, std::int64_t id,
                                const std::string& error) {
    statement.bind(1, id);
    statement.bind(2, error);
    statement.bind(3, now_text);
    Run(statement);
  };
  for (const auto& o : outcomes.failed) fail(s.failed, o.id, o.error);
  for (const auto& o : outcomes.polled) {
    s.polled.bind(1, o.id);
    s.polled.bind(2, std::string(ToString(o.state)));
    s.polled.bind(3, o.remote_status);
    s.polled.bind(4, o.vm_status);
    s.polled.bind(5, now_text);
    s.polled.bind(6, o.error);
    if (o.next_poll_at) {
      s.polled.bind(7, *o.next_poll_at);
    } else {
      s.polled.bind(7);
    }
    s.polled.bind(8, now);
    const int changed = s.polled.exec();
    s.polled.reset();
    if (changed == 0) continue;  // no longer in flight: its results stay as they were
    s.polled_results.bind(1, o.id);
    s.polled_results.bind(2, o.log);
    if (o.runtime) {
      s.polled_results.bind(3, *o.runtime);
    } else {
      s.polled_results.bind(3);
    }
    s.polled_results.bind(4, o.created);
    s.polled_results.bind(5, std::string(ToString(o.state)));
    Run(s.polled_results);
  }
  for (const auto& o : outcomes.missing) {
    s.missing.bind(1, o.id);
    s.missing.bind(2, now);
    Run(s.missing);
  }
  for (const auto& o : outcomes.refused) fail(s.refused, o.id, o.error);
  for (const auto& o : outcomes.due) {
    s.due.bind(1, o.id);
    s.due.bind(2, o.at);
    Run(s.due);
  }
  for (const auto& o : outcomes.wakes) {
    s.wake.bind(1, now);
    s.wake.bind(2, o.last_poll_age);
    s.wake.bind(3, o.later_than);
    s.wake.bind(4, o.model);
    BindBatch(s.wake, 5, batch_id);
    s.wake.bind(6, o.first_poll_age);
    Run(s.wake);
  }
}

// Runs one of the prepared min() queries over the run's jobs.
std::optional<Seconds> MinTime(SQLite::Statement& query,
                               const std::optional<std::int64_t>& batch_id, const std::string& path,
                               const char* what) {
  std::optional<Seconds> result;
  try {
    BindBatch(query, 1, batch_id);
    if (query.executeStep() && !query.getColumn(0).isNull()) {
      result = query.getColumn(0).getDouble();
    }
    query.reset();
  } catch (const SQLite::Exception& e) {
    query.tryReset();
    RethrowStoreError(path, what, e);
  }
  return result;
}

}  // namespace

RunQueue::RunQueue(JobStore& store, std::optional<std::string> batch,
                   std::optional<std::int64_t> limit)
    : store_(store) {
  auto& db = store_.impl().db;
  try {
    if (batch) {
      SQLite::Statement find(db, "SELECT id FROM batches WHERE name = ?");
      find.bind(1, *batch);
      if (!find.executeStep()) throw Error(kExitUsage, "no batch named '" + *batch + "'");
      batch_id_ = find.getColumn(0).getInt64();
    }
    // The models the breaker holds this run (Hold): the claim skips them.
    db.exec("CREATE TEMP TABLE IF NOT EXISTS run_held (model TEXT PRIMARY KEY) WITHOUT ROWID");
    db.exec("DELETE FROM temp.run_held");
    std::string only, only_unaliased;
    if (limit) {
      // The first `limit` pending jobs in claim order: job ids follow the
      // manifest's order, prompt by prompt across its models.
      db.exec("DROP TABLE IF EXISTS temp.run_limit");
      db.exec("CREATE TEMP TABLE run_limit (job_id INTEGER PRIMARY KEY)");
      SQLite::Statement pick(db,
                             "INSERT INTO temp.run_limit SELECT job_id FROM job_state"
                             " WHERE state = 'pending' AND (?1 IS NULL OR batch_id = ?1)"
                             " ORDER BY next_attempt_at, job_id LIMIT ?2");
      BindBatch(pick, 1, batch_id_);
      pick.bind(2, std::max<std::int64_t>(0, *limit));
      pick.exec();
      only = " AND s.job_id IN (SELECT job_id FROM temp.run_limit)";
      only_unaliased = " AND job_id IN (SELECT job_id FROM temp.run_limit)";
      limited_ = true;
    }
    statements_ = std::make_unique<Statements>(db, only, only_unaliased);
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "prepare run queries", e);
  }
}

RunQueue::~RunQueue() = default;

StateCounts RunQueue::CountByState() {
  StateCounts counts{};
  try {
    // One pass with a counter per state: no index on the state (it would
    // move on every state change), and GROUP BY would sort every row.
    std::string sql = "SELECT ";
    for (const JobState state : kAllJobStates) {
      if (state != kAllJobStates[0]) sql += ", ";
      sql += "count(*) FILTER (WHERE state = '" + std::string(ToString(state)) + "')";
    }
    sql += " FROM job_state WHERE (?1 IS NULL OR batch_id = ?1)";
    if (limited_) sql += " AND job_id IN (SELECT job_id FROM temp.run_limit)";
    SQLite::Statement query(store_.impl().db, sql);
    BindBatch(query, 1, batch_id_);
    if (query.executeStep()) {
      for (const JobState state : kAllJobStates) {
        counts[state] = query.getColumn(static_cast<int>(state)).getInt64();
      }
    }
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "count jobs", e);
  }
  return counts;
}

std::int64_t RunQueue::ResolveUncertain(bool resubmit, Seconds now) {
  std::int64_t changed = 0;
  store_.InTransaction([&] {
    SQLite::Statement update(
        store_.impl().db,
        resubmit ? "UPDATE job_state SET state = 'pending', next_attempt_at = 0, updated_at = ?2,"
                   " last_error = 'submit interrupted, outcome unknown: submitted again'"
                   " WHERE state = 'submitting' AND (?1 IS NULL OR batch_id = ?1)"
                 : "UPDATE job_state SET state = 'failed', updated_at = ?2, finished_at = ?2,"
                   " last_error = 'submit interrupted, outcome unknown: not submitted again"
                   " (--on-uncertain fail)'"
                   " WHERE state = 'submitting' AND (?1 IS NULL OR batch_id = ?1)");
    BindBatch(update, 1, batch_id_);
    update.bind(2, FormatIsoUtc(now));
    changed = update.exec();
  });
  return changed;
}

std::vector<ClaimedJob> RunQueue::CommitAndClaim(const Outcomes& outcomes, int claim_limit,
                                                 Seconds now, const Admit& admit) {
  std::vector<ClaimedJob> claimed;
  if (outcomes.empty() && claim_limit <= 0) return claimed;
  const std::string now_text = FormatIsoUtc(now);
  store_.InTransaction([&] {
    Statements& s = *statements_;
    ApplyOutcomes(s, outcomes, now, now_text, batch_id_);
    if (claim_limit <= 0) return;
    s.claim.bind(1, now);
    BindBatch(s.claim, 2, batch_id_);
    s.claim.bind(3, claim_limit);
    while (s.claim.executeStep()) {
      ClaimedJob job;
      job.id = s.claim.getColumn(0).getInt64();
      job.prompt = s.claim.getColumn(1).getString();
      job.model = s.claim.getColumn(2).getString();
      job.app = s.claim.getColumn(3).getString();
      if (!s.claim.getColumn(4).isNull()) job.hours = s.claim.getColumn(4).getDouble();
      job.attempts = s.claim.getColumn(5).getInt();
      if (admit && !admit(job)) continue;
      claimed.push_back(std::move(job));
    }
    s.claim.reset();
    for (const ClaimedJob& job : claimed) {
      s.mark_submitting.bind(1, job.id);
      s.mark_submitting.bind(2, now_text);
      Run(s.mark_submitting);
    }
  });
  return claimed;
}

std::vector<PollTarget> RunQueue::TakeDuePolls(const PollWindow& window, Seconds now) {
  std::vector<PollTarget> targets;
  if (window.limit <= 0 || window.batch <= 0) return targets;
  store_.InTransaction([&] {
    Statements& s = *statements_;
    s.due_polls.bind(1, std::max(window.due_before, window.early_before));
    BindBatch(s.due_polls, 2, batch_id_);
    s.due_polls.bind(3, window.limit);
    std::size_t due = 0;
    while (s.due_polls.executeStep()) {
      const Seconds next_poll = s.due_polls.getColumn(6).getDouble();
      if (next_poll <= window.due_before) ++due;
      PollTarget t;
      t.id = s.due_polls.getColumn(0).getInt64();
      t.remote_id = s.due_polls.getColumn(1).getString();
      t.state = ParseJobState(s.due_polls.getColumn(2).getString()).value_or(JobState::kSubmitted);
      t.submitted_at = ParseIsoTime(s.due_polls.getColumn(3).getString()).value_or(now);
      if (!s.due_polls.getColumn(4).isNull()) t.hours = s.due_polls.getColumn(4).getDouble();
      if (!s.due_polls.getColumn(5).isNull()) {
        t.missing_since = s.due_polls.getColumn(5).getDouble();
      }
      t.attempts = s.due_polls.getColumn(7).getInt();
      t.model = s.due_polls.getColumn(8).getString();
      t.last_polled_at = s.due_polls.getColumn(9).getDouble();
      if (!s.due_polls.getColumn(10).isNull()) {
        t.last_running_at = s.due_polls.getColumn(10).getDouble();
      }
      targets.push_back(std::move(t));
    }
    s.due_polls.reset();
    // Keep the due ones, and early ones only to fill the last GET.
    const auto batch = static_cast<std::size_t>(window.batch);
    targets.resize(std::min(targets.size(), (due + batch - 1) / batch * batch));
    for (const PollTarget& t : targets) {
      s.mark_polled.bind(1, t.id);
      s.mark_polled.bind(2, now);
      s.mark_polled.bind(3, std::max(now, window.retry_at));
      Run(s.mark_polled);
    }
  });
  return targets;
}

void RunQueue::Hold(const std::string& model, const std::string& reason, Seconds now) {
  store_.InTransaction([&] {
    auto& db = store_.impl().db;
    SQLite::Statement held(db, "INSERT OR IGNORE INTO temp.run_held (model) VALUES (?1)");
    held.bind(1, model);
    held.exec();
    SQLite::Statement record(db,
                             "INSERT INTO holds (model, reason, held_at) VALUES (?1, ?2, ?3)"
                             " ON CONFLICT (model) DO UPDATE SET reason = ?2, held_at = ?3");
    record.bind(1, model);
    record.bind(2, reason);
    record.bind(3, FormatIsoUtc(now));
    record.exec();
  });
  holding_ = true;
}

void RunQueue::ClearHolds() {
  store_.InTransaction([&] {
    store_.impl().db.exec("DELETE FROM holds");
    store_.impl().db.exec("DELETE FROM temp.run_held");
  });
  holding_ = false;
}

std::int64_t RunQueue::CountHeld() {
  if (!holding_) return 0;
  std::int64_t held = 0;
  try {
    std::string sql =
        "SELECT count(*) FROM job_state s INDEXED BY job_state_due JOIN jobs j ON j.id = s.job_id"
        " WHERE s.state = 'pending' AND (?1 IS NULL OR s.batch_id = ?1)"
        " AND j.model IN (SELECT model FROM temp.run_held)";
    if (limited_) sql += " AND s.job_id IN (SELECT job_id FROM temp.run_limit)";
    SQLite::Statement query(store_.impl().db, sql);
    BindBatch(query, 1, batch_id_);
    if (query.executeStep()) held = query.getColumn(0).getInt64();
  } catch (const SQLite::Exception& e) {
    RethrowStoreError(store_.path(), "count held jobs", e);
  }
  return held;
}

std::optional<Seconds> RunQueue::NextDueTime() {
  return MinTime(statements_->next_due, batch_id_, store_.path(), "find next due job");
}

std::optional<Seconds> RunQueue::NextPollTime() {
  return MinTime(statements_->next_poll, batch_id_, store_.path(), "find the next poll");
}

void RunQueue::CapNextPolls(Seconds at) {
  store_.InTransaction([&] {
    Statements& s = *statements_;
    s.cap_polls.bind(1, at);
    BindBatch(s.cap_polls, 2, batch_id_);
    Run(s.cap_polls);
  });
}

}  // namespace gridbatch::store
