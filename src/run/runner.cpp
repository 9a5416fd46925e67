#include "gridbatch/run/runner.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <type_traits>
#include <utility>
#include <variant>

#include "gridbatch/run/job_policy.hpp"
#include "gridbatch/store/run_queue.hpp"

namespace gridbatch::run {
namespace {

using store::ClaimedJob;
using store::Outcomes;
using store::PollTarget;

// Appends a transition's row to the outcomes the next commit applies.
void Record(Outcomes& outcomes, Transition::Record&& record) {
  std::visit(
      [&outcomes](auto&& row) {
        using T = std::decay_t<decltype(row)>;
        if constexpr (std::is_same_v<T, Outcomes::Submitted>) {
          outcomes.submitted.push_back(std::forward<decltype(row)>(row));
        } else if constexpr (std::is_same_v<T, Outcomes::Retry>) {
          outcomes.retries.push_back(std::forward<decltype(row)>(row));
        } else if constexpr (std::is_same_v<T, Outcomes::Failed>) {
          outcomes.failed.push_back(std::forward<decltype(row)>(row));
        } else if constexpr (std::is_same_v<T, Outcomes::Polled>) {
          outcomes.polled.push_back(std::forward<decltype(row)>(row));
        } else if constexpr (std::is_same_v<T, Outcomes::Missing>) {
          outcomes.missing.push_back(std::forward<decltype(row)>(row));
        } else if constexpr (std::is_same_v<T, Outcomes::Refused>) {
          outcomes.refused.push_back(std::forward<decltype(row)>(row));
        } else if constexpr (std::is_same_v<T, Outcomes::Due>) {
          outcomes.due.push_back(std::forward<decltype(row)>(row));
        }
      },
      std::move(record));
}

// The soonest next poll the outcomes set (a wake: now).
std::optional<Seconds> EarliestPoll(const Outcomes& outcomes, Seconds now) {
  std::optional<Seconds> due;
  const auto sooner = [&due](Seconds at) { due = due ? std::min(*due, at) : at; };
  for (const auto& s : outcomes.submitted) sooner(s.next_poll_at);
  for (const auto& p : outcomes.polled) {
    if (p.next_poll_at) sooner(*p.next_poll_at);
  }
  if (!outcomes.wakes.empty()) sooner(now);
  return due;
}

constexpr std::size_t kMaxWarnings = 1000;  // distinct warnings remembered for WarnOnce
constexpr Seconds kFileCheckEvery = 1;      // look whether the database file is still ours

}  // namespace

// One run's state. Everything here is bounded by the in-flight limits. It
// does what the policy (job_policy.hpp) decides: claims, applies
// transitions, and waits on the http client.
class Runner::Loop {
 public:
  Loop(Runner& runner, const std::atomic<int>& stop_requests)
      : r_(runner),
        o_(runner.options_),
        stop_requests_(stop_requests),
        queue_(runner.store_, o_.batch, o_.limit),
        policy_(o_),
        pacer_(o_, runner.clock_.Now()) {}

  RunResult Run() {
    RunResult result;
    progress_.started = Now();
    progress_.counts = queue_.CountByState();
    result.uncertain = progress_.counts[JobState::kSubmitting];
    if (result.uncertain > 0) ResolveUncertain(result.uncertain);
    queue_.ClearHolds();  // a new run tries every model again
    // What an earlier run planned for the jobs in flight is not this run's
    // plan: each is asked about soon, and scheduled from what it shows.
    queue_.CapNextPolls(Now() + o_.poll_interval);
    policy_.schedule().Start(Now());
    pacer_.Recounted(Now());
    while (Turn()) {
    }
    Flush(0);
    r_.store_.CheckStillSameFile();  // a run that ends must not report a lost file as done
    Recount();
    progress_.now = Now();
    result.counts = progress_.counts;
    result.progress = progress_;
    result.auth_failed = auth_failed_;
    result.auth_error = auth_error_;
    result.tripped = tripped_;
    result.held = held_;
    result.held_jobs = held_pending_;
    result.interrupted =
        !auth_failed_ && !tripped_ && progress_.counts.NotFinal() - held_pending_ > 0;
    r_.reporter_.Finish(progress_);
    return result;
  }

 private:
  Seconds Now() const { return r_.clock_.Now(); }

  LoopView View(Seconds now) const {
    return LoopView{.now = now,
                    .submits_in_flight = static_cast<int>(submits_in_flight_.size()),
                    .polls_in_flight = polls_in_flight_,
                    .pending = progress_.counts[JobState::kPending] - held_pending_,
                    .outcomes_waiting = !outcomes_.empty(),
                    .stopping = stopping_};
  }

  void ResolveUncertain(std::int64_t count) {
    const bool resubmit = o_.on_uncertain == RunOptions::UncertainPolicy::kResubmit;
    r_.reporter_.Log(std::to_string(count) +
                     " job(s) were left 'submitting' by an interrupted run; whether the service "
                     "received them is unknown (it has no idempotency key): " +
                     (resubmit ? "submitting them again (--on-uncertain resubmit)"
                               : "marking them failed (--on-uncertain fail)"));
    queue_.ResolveUncertain(resubmit, Now());
    progress_.counts = queue_.CountByState();
  }

  // One turn of the loop; returns false when the run is over.
  bool Turn() {
    const Seconds now = Now();
    if (!stopping_ && stop_requests_.load() > 0) BeginStop(now, "stop requested");
    const int claimed = Dispatch(now);
    StartPolls(now);
    if ((recount_held_ || pacer_.ShouldRecount(now)) && outcomes_.empty()) {
      Recount();
      pacer_.Recounted(now);
    }
    if (now - last_file_check_ >= kFileCheckEvery) {
      r_.store_.CheckStillSameFile();
      last_file_check_ = now;
    }
    progress_.now = now;
    progress_.submits_sent = r_.api_.submits_sent();
    progress_.in_flight_submits = static_cast<std::int64_t>(submits_in_flight_.size());
    r_.reporter_.Tick(progress_);
    if (IsOver(now)) return false;
    r_.http_.Perform(pacer_.Wait(View(now), claimed));
    return true;
  }

  void BeginStop(Seconds now, const std::string& why) {
    stopping_ = true;
    stop_deadline_ = now + o_.stop_grace;
    if (!auth_failed_ && !tripped_) {
      r_.reporter_.Log(why + ": no new submits; waiting up to " +
                       std::to_string(static_cast<int>(o_.stop_grace)) +
                       " s for replies already on the wire");
    }
  }

  bool IsOver(Seconds now) {
    const LoopView view = View(now);
    if (!RunIsOver(view, r_.http_.InFlight(), stop_deadline_,
                   progress_.counts.NotFinal() - held_pending_)) {
      return false;
    }
    if (stopping_) return true;
    // The counts say done: confirm against the database (another process
    // may have run `retry` meanwhile).
    Recount();
    pacer_.Recounted(now);
    return progress_.counts.NotFinal() - held_pending_ == 0;
  }

  // The state counts, and the pending jobs of held models, from the database.
  void Recount() {
    progress_.counts = queue_.CountByState();
    held_pending_ = queue_.CountHeld();
    recount_held_ = false;
  }

  // Applies outcomes and claims what the pacer allows.
  int Dispatch(Seconds now) {
    const Pacer::Claim claim = pacer_.PlanClaim(View(now));
    if (!claim.commit) return 0;
    std::vector<ClaimedJob> claimed = Flush(claim.jobs);
    const int got = static_cast<int>(claimed.size());
    pacer_.Claimed(now, claim.jobs, got,
                   claim.jobs > 0 && got < claim.jobs ? queue_.NextDueTime() : std::nullopt);
    for (ClaimedJob& job : claimed) Submit(std::move(job));
    return got;
  }

  std::vector<ClaimedJob> Flush(int claim) {
    const std::optional<Seconds> due = EarliestPoll(outcomes_, Now());
    std::vector<ClaimedJob> claimed = queue_.CommitAndClaim(
        outcomes_, claim, Now(),
        [this](const ClaimedJob& job) { return policy_.Admit(job.id, job.model); });
    outcomes_.clear();
    // Once in the database, polls set sooner than the pacer expects are seen.
    if (due) pacer_.PollDueAt(*due);
    progress_.counts[JobState::kPending] -= static_cast<std::int64_t>(claimed.size());
    progress_.counts[JobState::kSubmitting] += static_cast<std::int64_t>(claimed.size());
    return claimed;
  }

  // Counts the move and queues its row for the next commit.
  void Apply(Transition&& t) {
    if (t.from != t.to) {
      --progress_.counts[t.from];
      ++progress_.counts[t.to];
      if (IsFinal(t.to) && !IsFinal(t.from)) ++progress_.finished;
    }
    Record(outcomes_, std::move(t.record));
  }

  // --- submits ---

  void Submit(ClaimedJob job) {
    api::SubmitRequest request;
    request.app = job.app;
    request.model = job.model;
    request.prompt = std::move(job.prompt);
    request.hours = job.hours;
    const SubmittedJob submitted{job.id, job.attempts, job.model};
    submits_in_flight_.insert(job.id);
    r_.api_.Submit(request, [this, submitted, model = job.model](api::SubmitResult&& result) {
      submits_in_flight_.erase(submitted.id);
      OnSubmitted(submitted, result);
      SchedulePoll(submitted, model);
    });
  }

  // A job just recorded as submitted gets its first poll time.
  void SchedulePoll(const SubmittedJob& job, const std::string& model) {
    if (outcomes_.submitted.empty() || outcomes_.submitted.back().id != job.id) return;
    outcomes_.submitted.back().next_poll_at =
        policy_.schedule().AfterSubmit(job.id, model, job.attempts, Now());
  }

  void OnSubmitted(const SubmittedJob& job, const api::SubmitResult& result) {
    if (o_.verbose) {
      r_.reporter_.Log("job " + std::to_string(job.id) + ": submit " +
                       std::string(api::ToString(result.outcome)) +
                       (result.outcome == api::Outcome::kSuccess ? " " + result.remote_id
                                                                 : ": " + result.error));
    }
    SubmitDecision d = policy_.OnSubmitReply(job, result, Now());
    if (result.outcome == api::Outcome::kSuccess) ++progress_.submits;
    if (d.pause_submits_until) pacer_.PauseSubmits(*d.pause_submits_until);
    if (d.throttled) pacer_.Throttled(Now(), result.retry_after_seconds);
    if (d.retry_at) pacer_.DueAt(*d.retry_at);
    // A job of a held model back to pending is one more held job.
    // (Other models' retries do not touch the count: a recount scans the
    // whole table.)
    if (d.transition.to == JobState::kPending && IsHeld(job.model)) recount_held_ = true;
    Apply(std::move(d.transition));
    for (Transition& t : d.released) Apply(std::move(t));
    if (d.hold) HoldModel(*d.hold);
    if (d.trip) Tripped(*d.trip);
    if (d.stop_run) AuthFailed(*d.stop_run);
  }

  bool IsHeld(const std::string& model) const {
    return std::any_of(held_.begin(), held_.end(),
                       [&model](const Hold& hold) { return hold.model == model; });
  }

  void HoldModel(const Hold& hold) {
    queue_.Hold(hold.model, hold.reason, Now());
    held_.push_back(hold);
    recount_held_ = true;
    r_.reporter_.Log("holding model '" + hold.model + "': the service refuses its submits (" +
                     hold.reason + "); its jobs stay pending, the other models go on");
  }

  void Tripped(const Trip& trip) {
    if (tripped_ || auth_failed_) return;
    tripped_ = trip;
    BeginStop(Now(), "the circuit breaker tripped");
  }

  void AuthFailed(const std::string& error) {
    if (auth_failed_) return;
    auth_failed_ = true;
    auth_error_ = error;
    BeginStop(Now(), "the service refused the token");
  }

  // --- polls ---

  void StartPolls(Seconds now) {
    const std::optional<store::RunQueue::PollWindow> window = pacer_.PlanPolls(View(now));
    if (!window) return;
    std::vector<PollTarget> targets = queue_.TakeDuePolls(*window, now);
    pacer_.Polled(
        now, targets.size(), *window,
        static_cast<int>(targets.size()) < window->limit ? queue_.NextPollTime() : std::nullopt);
    const auto batch = static_cast<std::size_t>(window->batch);
    for (std::size_t start = 0; start < targets.size(); start += batch) {
      const std::size_t end = std::min(targets.size(), start + batch);
      std::vector<std::string> ids;
      for (std::size_t i = start; i < end; ++i) {
        // A GET slower than the poll interval may still be asking for it.
        if (!poll_targets_.emplace(targets[i].remote_id, targets[i]).second) continue;
        ids.push_back(targets[i].remote_id);
      }
      if (ids.empty()) continue;
      ++polls_in_flight_;
      ++progress_.poll_requests;
      // The api client may split a call into several GETs; the call is done
      // when every id it asked for has been answered.
      auto remaining = std::make_shared<std::size_t>(ids.size());
      r_.api_.Status(ids, [this, remaining](api::StatusResult&& result) {
        OnPolled(result);
        *remaining -= std::min(*remaining, result.requested.size());
        if (*remaining == 0) --polls_in_flight_;
      });
    }
  }

  void OnPolled(const api::StatusResult& result) {
    if (o_.verbose) {
      r_.reporter_.Log("status GET of " + std::to_string(result.requested.size()) +
                       " id(s): " + std::string(api::ToString(result.outcome)) +
                       (result.error.empty() ? "" : ": " + result.error));
    }
    PollDecision d = policy_.OnStatusReply(result, poll_targets_, pacer_.poll_batch(), Now());
    for (Transition& t : d.transitions) Apply(std::move(t));
    for (Outcomes::Wake& wake : d.wakes) outcomes_.wakes.push_back(std::move(wake));
    for (const Warning& w : d.warnings) WarnOnce(w.key, w.message);
    if (d.log) r_.reporter_.Log(*d.log);
    if (d.pause_polls_until) pacer_.PausePolls(*d.pause_polls_until);
    if (d.poll_batch) pacer_.SetPollBatch(*d.poll_batch);
    if (result.outcome == api::Outcome::kSuccess) pacer_.PollAnswered();
    if (d.stop_run) AuthFailed(*d.stop_run);
    for (const std::string& id : result.requested) poll_targets_.erase(id);
  }

  void WarnOnce(const std::string& key, const std::string& message) {
    if (warned_.size() < kMaxWarnings && warned_.insert(key).second) r_.reporter_.Log(message);
  }

  Runner& r_;
  const RunOptions& o_;
  const std::atomic<int>& stop_requests_;
  store::RunQueue queue_;
  JobPolicy policy_;
  Pacer pacer_;
  Outcomes outcomes_;
  Progress progress_;
  std::set<std::int64_t> submits_in_flight_;
  JobPolicy::Targets poll_targets_;
  int polls_in_flight_ = 0;
  std::set<std::string> warned_;
  Seconds last_file_check_ = 0;
  bool stopping_ = false;
  Seconds stop_deadline_ = 0;
  bool auth_failed_ = false;
  std::string auth_error_;
  std::optional<Trip> tripped_;
  std::vector<Hold> held_;
  std::int64_t held_pending_ = 0;  // pending jobs of held models, as last counted
  bool recount_held_ = false;      // held_pending_ is out of date
};

Runner::Runner(store::JobStore& store, http::Client& http, api::Client& api, const Clock& clock,
               Reporter& reporter, RunOptions options)
    : store_(store),
      http_(http),
      api_(api),
      clock_(clock),
      reporter_(reporter),
      options_(std::move(options)) {}

Runner::~Runner() = default;

RunResult Runner::Run(const std::atomic<int>& stop_requests) {
  Loop loop(*this, stop_requests);
  return loop.Run();
}

}  // namespace gridbatch::run
