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
  std::string model;
};

// One job's move and the row to record for it. `to == from` when the job
// stays where it is (still running; missing, within the grace).
struct Transition {
  using Record =
      std::variant<std::monostate, store::Outcomes::Submitted, store::Outcomes::Retry,
                   store::Outcomes::Failed, store::Outcomes::Polled, store::Outcomes::Missing,
                   store::Outcomes::Refused, store::Outcomes::Due>;
  JobState from = JobState::kPending;
  JobState to = JobState::kPending;
  Record record;
};

// Something to tell the user once per key (an unknown status, a failing GET).
struct Warning {
  std::string key;
  std::string message;
};

// The circuit breaker stopped the run: every submit would be refused.
struct Trip {
  api::Refusal refusal = api::Refusal::kNone;
  long http_status = 0;
  std::string answer;  // what the service (or, unreached, libcurl) said: the last job's error
  int refusals = 0;    // submits refused in a row
  int jobs = 0;        // jobs sent back to pending, their attempts undone
};

// The circuit breaker held one model: the service refuses its submits.
struct Hold {
  std::string model;
  std::string reason;  // the service's answer
};

// What to tell the user: the answer quoted, then what to check (the
// endpoint's path or host, the model's name), and that the jobs are
// pending again. `endpoint` is the URL the run used.
std::string DescribeTrip(const Trip& trip, const std::string& endpoint);
std::string DescribeHold(const Hold& hold);

struct SubmitDecision {
  Transition transition;
  // Jobs the breaker had sent back to pending: failed now when their
  // refusal proved to be their own (a job of their model went through
  // since); due now when it tripped or held their model (they were not at
  // fault, and the next run need not wait out their backoff).
  std::vector<Transition> released;
  std::optional<Hold> hold;                    // hold this model's jobs: the service refuses it
  std::optional<Trip> trip;                    // stop the run: every submit is refused the same way
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

  // Whether a due job may be claimed now (the breaker's slow start): always
  // for a model the service has accepted a submit of; for another, only
  // while fewer than breaker_after of its submits are out or refused in a
  // row, and before any submit went through, fewer than breaker_after in
  // all; never for a held model. An admitted job counts as out until its
  // reply reaches OnSubmitReply.
  bool Admit(std::int64_t id, const std::string& model);

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

  // The breaker's side of a refused submit (api::Refusal other than kNone).
  SubmitDecision Refuse(const SubmittedJob& job, const api::SubmitResult& reply, Seconds now);
  // A submit of `model` went through: earlier refusals were not the
  // service's answer to every job.
  void Accepted(const std::string& model, std::vector<Transition>& released);

  const RunOptions& o_;
  ratelimit::Backoff backoff_;
  PollSchedule schedule_;

  // The circuit breaker. Its memory is bounded by the models of the batch,
  // the submits in flight and breaker_after.
  struct ModelRecord {
    bool accepted = false;  // a submit went through this run
    bool held = false;
    int refused_in_row = 0;  // refused the same way (`key`) since the last acceptance
    std::string key;
    int probes = 0;  // admitted submits out before `accepted`
  };
  struct Suspect {  // a job refused, back to pending with its attempt undone
    std::string model;
    std::string error;
    api::Refusal refusal = api::Refusal::kNone;
  };
  std::unordered_map<std::string, ModelRecord> models_;
  std::unordered_map<std::int64_t, Suspect> suspects_;
  std::unordered_map<std::int64_t, std::string> probes_out_;  // job id -> model
  bool any_accepted_ = false;
  int refused_in_row_ = 0;  // over every model, since the last acceptance
  std::string key_;
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
