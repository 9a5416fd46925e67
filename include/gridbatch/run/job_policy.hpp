// Everything the run loop decides, apart from everything it does: what a
// submit's reply or a status view means for a job (its next state, the row to
// record, a retry time), when a job has run out of time or attempts, and the
// pacing of the loop (how many jobs to claim this turn, which polls are due,
// how long the loop may wait). Pure: no socket, no database, no clock of its
// own; `now` is passed in, so tests drive it with FakeClock in microseconds.
//
// The loop (runner.cpp) only claims, applies what these functions return, and
// waits on the http client. Model: ninja's Plan (decides) and Builder (acts).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "gridbatch/api/api_client.hpp"
#include "gridbatch/clock.hpp"
#include "gridbatch/job_state.hpp"
#include "gridbatch/ratelimit/adaptive_rate.hpp"
#include "gridbatch/ratelimit/backoff.hpp"
#include "gridbatch/ratelimit/token_bucket.hpp"
#include "gridbatch/run/poll_schedule.hpp"
#include "gridbatch/run/run_options.hpp"
#include "gridbatch/store/run_queue.hpp"

namespace gridbatch::run {

// A job whose submit was answered: what the loop claimed.
struct SubmittedJob {
  std::int64_t id = 0;
  int attempts = 0;  // including the one just answered
};

// One job's move and the row to record for it. `to == from` when the job
// stays where it is (still running; missing, within the grace).
struct Transition {
  using Record =
      std::variant<std::monostate, store::Outcomes::Submitted, store::Outcomes::Retry,
                   store::Outcomes::Failed, store::Outcomes::Polled, store::Outcomes::Missing>;
  JobState from = JobState::kPending;
  JobState to = JobState::kPending;
  Record record;
};

// Something to tell the user once per key (an unknown status, a failing GET).
struct Warning {
  std::string key;
  std::string message;
};

struct SubmitDecision {
  Transition transition;
  std::optional<Seconds> retry_at;             // the job is due again then
  std::optional<Seconds> pause_submits_until;  // the service asked for a pause
  bool throttled = false;                      // answered 429: submits must slow down
  std::optional<std::string> stop_run;         // the token was refused: stop, with this error
};

struct PollDecision {
  std::vector<Transition> transitions;       // one per tracked job the reply decides
  std::optional<Seconds> pause_polls_until;  // the service asked for a pause
  std::optional<int> poll_batch;             // ids per GET from now on, when it changes
  std::vector<Warning> warnings;
  std::optional<std::string> log;            // a message to show now
  std::optional<std::string> stop_run;       // the token was refused
  std::vector<store::Outcomes::Wake> wakes;  // waiting jobs to poll now (PollSchedule)
};

// Decisions about one job at a time.
class JobPolicy {
 public:
  explicit JobPolicy(const RunOptions& options);

  SubmitDecision OnSubmitReply(const SubmittedJob& job, const api::SubmitResult& reply,
                               Seconds now);

  // A whole status GET. `targets` holds the jobs the loop is polling, by
  // remote id (ids it no longer tracks are skipped); `poll_batch` is the
  // current ids per GET. The schedule learns from each job's view and sets
  // its next poll.
  using Targets = std::unordered_map<std::string, store::PollTarget>;
  PollDecision OnStatusReply(const api::StatusResult& reply, const Targets& targets, int poll_batch,
                             Seconds now);

  // One job as a status reply described it.
  Transition OnJobView(const store::PollTarget& target, const api::JobView& view, Seconds now,
                       std::optional<Warning>* warning = nullptr) const;

  // A job a reply left out, or whose GET the service refused for it alone.
  Transition OnMissing(const store::PollTarget& target, Seconds now) const;

  // When an in-flight job fails for want of a final status.
  Seconds Deadline(const store::PollTarget& target) const;

  // When to poll each job (a submit's first poll is asked of it directly).
  PollSchedule& schedule() { return schedule_; }

 private:
  Transition Retry(std::int64_t id, int attempts, JobState from, const std::string& error,
                   std::optional<Seconds> retry_after, Seconds now,
                   std::optional<Seconds>* retry_at);

  // Lets the schedule learn from a job's view and set its next poll.
  void Schedule(const store::PollTarget& target, const api::JobView& view, Transition& t,
                Seconds now);

  // Failed with `why` when `now` is past the target's deadline.
  std::optional<Transition> PastDeadline(const store::PollTarget& target, Seconds now,
                                         const std::string& why) const;

  const RunOptions& o_;
  ratelimit::Backoff backoff_;
  PollSchedule schedule_;
};

// What the loop tells the pacer each turn.
struct LoopView {
  Seconds now = 0;
  int submits_in_flight = 0;
  int polls_in_flight = 0;
  std::int64_t pending = 0;       // as the loop counts them
  bool outcomes_waiting = false;  // replies not yet committed
  bool stopping = false;
};

// Pacing: the token bucket, when to commit and claim, which polls are due,
// and how long the loop may sleep.
class Pacer {
 public:
  Pacer(const RunOptions& options, Seconds now);

  struct Claim {
    bool commit = false;  // apply the waiting outcomes (and claim) now
    int jobs = 0;         // pending jobs to claim; their tokens are taken
  };
  Claim PlanClaim(const LoopView& view);
  // The claim found `got` of `wanted` jobs due; `next_due` is when the next
  // pending job becomes due (the loop looks it up only when got < wanted).
  void Claimed(Seconds now, int wanted, int got, std::optional<Seconds> next_due);
  // A job goes back to pending, due at `at`.
  void DueAt(Seconds at);
  void PauseSubmits(Seconds until);
  // A submit was answered 429: the rate drops (and, with --rate auto,
  // finds the service's limit); see ratelimit::AdaptiveRate.
  void Throttled(Seconds now, std::optional<Seconds> retry_after);
  // The submit rate now (0: unlimited).
  double rate() const { return bucket_.rate(); }

  // The window of polls to take now, or none (not yet time, or no GET free).
  std::optional<store::RunQueue::PollWindow> PlanPolls(const LoopView& view);
  // `taken` jobs came back for `window`; `next_poll` is the earliest next
  // poll among in-flight jobs (looked up only when fewer than the limit).
  void Polled(Seconds now, std::size_t taken, const store::RunQueue::PollWindow& window,
              std::optional<Seconds> next_poll);
  // A job's next poll was set to `at` (a submit, a reply, a wake).
  void PollDueAt(Seconds at);
  void PausePolls(Seconds until);
  int poll_batch() const { return poll_batch_; }
  void SetPollBatch(int batch);
  // A GET was answered in full: a shrunken batch grows back toward the
  // configured size.
  void PollAnswered();

  // Resync the loop's state counts with the database now?
  bool ShouldRecount(Seconds now) const;
  void Recounted(Seconds now);

  // How long the loop may wait for socket activity.
  std::chrono::milliseconds Wait(const LoopView& view, int claimed) const;

  const ratelimit::TokenBucket& bucket() const { return bucket_; }

 private:
  const RunOptions& o_;
  ratelimit::TokenBucket bucket_;
  // Sets bucket_'s rate each claim: --rate auto, or a fixed rate that a 429
  // lowered and that grows back to it. None for an unlimited rate.
  std::optional<ratelimit::AdaptiveRate> adaptive_;
  int poll_batch_;
  Seconds next_claim_check_ = 0;
  Seconds next_poll_check_ = 0;
  Seconds polls_paused_until_ = 0;
  Seconds last_commit_ = 0;
  Seconds last_recount_ = 0;
};

// The run is over: stopping with nothing on the wire (or past the stop
// grace), or nothing in flight, nothing waiting and nothing left to do.
// `not_final` counts the jobs in scope that are not final.
bool RunIsOver(const LoopView& view, std::size_t on_the_wire, Seconds stop_deadline,
               std::int64_t not_final);

}  // namespace gridbatch::run
