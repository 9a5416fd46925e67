// The run loop's view of the store: claim due pending jobs, pick in-flight
// jobs to poll, and apply the outcomes the loop has gathered - each step one
// short BEGIN IMMEDIATE transaction. Holds nothing table-sized in memory.
//
// Borrows a JobStore, which must outlive it. Environment failures throw
// gridbatch::Error (see job_store.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gridbatch/clock.hpp"
#include "gridbatch/job_state.hpp"
#include "gridbatch/store/job_store.hpp"

namespace gridbatch::store {

// A job claimed for submission: already `submitting` and committed.
struct ClaimedJob {
  std::int64_t id = 0;
  std::string prompt;
  std::string model;
  std::string app;
  std::optional<double> hours;
  int attempts = 0;  // including this one
};

// An in-flight job due for a poll.
struct PollTarget {
  std::int64_t id = 0;
  std::string remote_id;
  std::string model;
  JobState state = JobState::kSubmitted;
  Seconds submitted_at = 0;
  std::optional<double> hours;
  std::optional<Seconds> missing_since;
  int attempts = 1;  // submits so far, the one being polled included
  // The poll before this one (the submit when there was none).
  Seconds last_polled_at = 0;
  // When a poll last found the job unfinished, if one did.
  std::optional<Seconds> last_running_at;
};

// What the loop learned since its last commit. Applied in order of the
// fields below, all in one transaction.
struct Outcomes {
  struct Submitted {
    std::int64_t id;
    std::string remote_id;
    Seconds next_poll_at = 0;  // its first poll (0: at once)
  };
  struct Retry {  // back to pending, not before next_attempt_at
    std::int64_t id;
    Seconds next_attempt_at;
    std::string error;
    bool undo_attempt = false;  // the attempt did not count (e.g. the run stopped)
  };
  struct Failed {
    std::int64_t id;
    std::string error;
  };
  struct Polled {
    std::int64_t id;
    JobState state;  // running, completed or failed
    std::string remote_status;
    std::string vm_status;
    std::string log;
    std::optional<std::int64_t> runtime;
    std::string created;
    std::string error;  // for failed: why
    // Still running: when to poll it next. Unset: as TakeDuePolls left it.
    std::optional<Seconds> next_poll_at;
  };
  struct Missing {  // left out of a status reply
    std::int64_t id;
  };
  // A job the circuit breaker sent back to pending (its attempt undone)
  // whose refusal then proved to be its own (other jobs of its model went
  // through): failed with that refusal, the attempt counted again. Only if
  // still pending.
  struct Refused {
    std::int64_t id;
    std::string error;
  };
  // A pending job due again at `at` (the breaker tripped: the jobs it sent
  // back were not at fault and need not wait out a backoff). Only if
  // still pending.
  struct Due {
    std::int64_t id;
    Seconds at;
  };
  // Enough of the model's jobs have finished since some of its jobs were
  // last polled: those whose last poll (or submit) came at most
  // `last_poll_age` after their submit, and whose next poll is later than
  // `later_than`, are polled at max(now, submit + first_poll_age) instead
  // when that is sooner.
  struct Wake {
    std::string model;
    Seconds last_poll_age;
    Seconds first_poll_age;
    Seconds later_than;
  };
  std::vector<Submitted> submitted;
  std::vector<Retry> retries;
  std::vector<Failed> failed;
  std::vector<Polled> polled;
  std::vector<Missing> missing;
  std::vector<Refused> refused;
  std::vector<Due> due;
  std::vector<Wake> wakes;

  bool empty() const {
    return submitted.empty() && retries.empty() && failed.empty() && polled.empty() &&
           missing.empty() && refused.empty() && due.empty() && wakes.empty();
  }
  void clear() { *this = Outcomes{}; }
};

using gridbatch::StateCounts;

class RunQueue {
 public:
  // Restricts every query to the batch named `batch` when given; throws
  // gridbatch::Error(kExitUsage) if there is no such batch.
  // With `limit`, only the first `limit` jobs pending now (in claim order)
  // are claimed, polled and counted (`run --limit N`).
  RunQueue(JobStore& store, std::optional<std::string> batch,
           std::optional<std::int64_t> limit = std::nullopt);
  ~RunQueue();
  RunQueue(const RunQueue&) = delete;
  RunQueue& operator=(const RunQueue&) = delete;

  StateCounts CountByState();

  // Rows left `submitting` by an interrupted run: their submit may or may not
  // have reached the service. With `resubmit`, they go back to pending (at
  // least once); otherwise they fail with a message saying why. Returns how
  // many there were.
  std::int64_t ResolveUncertain(bool resubmit, Seconds now);

  // Applies `outcomes`, then claims up to `claim_limit` pending jobs due at
  // `now` (oldest due first), marking them submitting with one more attempt.
  // Jobs of held models are not claimed; with `admit`, a due job it turns
  // down stays pending as it was (the breaker's probes of an untried model).
  using Admit = std::function<bool(const ClaimedJob&)>;
  std::vector<ClaimedJob> CommitAndClaim(const Outcomes& outcomes, int claim_limit, Seconds now,
                                         const Admit& admit = nullptr);

  // Holds `model`: its pending jobs are claimed no more this run, and the
  // database records the hold and why (`status` shows it) until the next
  // run starts, which clears every hold (ClearHolds).
  void Hold(const std::string& model, const std::string& reason, Seconds now);
  void ClearHolds();
  // Pending jobs in scope of the models held this run.
  std::int64_t CountHeld();

  // In-flight jobs to poll, earliest next poll first, marked polled at
  // `now` and due again at `retry_at` (the reply sets a later time): those
  // whose next poll is at or before `due_before` and, to fill the last GET
  // up to `batch` ids, some due at or before `early_before` (due soon). At
  // most `limit`; none when none is due.
  struct PollWindow {
    Seconds due_before;
    Seconds early_before;
    int batch;
    int limit;
    Seconds retry_at = 0;
  };
  std::vector<PollTarget> TakeDuePolls(const PollWindow& window, Seconds now);

  // Brings every in-flight job's next poll forward to `at` at the latest
  // (a run's start: what an earlier run scheduled is not this run's plan).
  void CapNextPolls(Seconds at);

  // When the next pending job becomes due, if any is pending.
  std::optional<Seconds> NextDueTime();

  // The earliest next poll among in-flight jobs, if any is in flight.
  std::optional<Seconds> NextPollTime();

  struct Statements;  // prepared statements, private to run_queue.cpp

 private:
  JobStore& store_;
  std::optional<std::int64_t> batch_id_;
  bool limited_ = false;
  bool holding_ = false;  // some model is held this run
  std::unique_ptr<Statements> statements_;
};

}  // namespace gridbatch::store
