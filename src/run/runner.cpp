#include "gridbatch/runner.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <unordered_map>

#include "gridbatch/token_bucket.hpp"

namespace gridbatch::run {
namespace {

using store::ClaimedJob;
using store::Outcomes;
using store::PollTarget;
using store::StateCounts;

constexpr Seconds kIdleRecheck = 0.25;     // look for newly due work this often when idle
constexpr Seconds kMaxWait = 0.1;          // longest single wait in the event loop
constexpr Seconds kRecountEvery = 10;      // resync state counts with the database
constexpr Seconds kPollCheckEvery = 0.05;  // look for due polls at most this often
constexpr Seconds kCommitEvery = 0.002;    // longest a reply waits to be committed

std::int64_t& At(StateCounts& counts, JobState state) {
  return counts[static_cast<std::size_t>(state)];
}

std::int64_t NotFinal(const StateCounts& counts) {
  std::int64_t n = 0;
  for (JobState s : kAllJobStates) {
    if (!IsFinal(s)) n += counts[static_cast<std::size_t>(s)];
  }
  return n;
}

}  // namespace

// One run's state. Everything here is bounded by the in-flight limits.
class Runner::Loop {
 public:
  Loop(Runner& runner, const std::atomic<int>& stop_requests)
      : r_(runner),
        o_(runner.options_),
        stop_requests_(stop_requests),
        queue_(runner.store_, o_.batch),
        bucket_(o_.rate_per_second,
                o_.burst > 0 ? o_.burst : ratelimit::DefaultBurst(o_.rate_per_second),
                runner.clock_.Now()),
        backoff_(o_.backoff, o_.seed != 0 ? o_.seed : std::random_device{}()),
        poll_batch_(std::max(1, o_.poll_batch)) {}

  RunResult Run() {
    RunResult result;
    progress_.started = Now();
    progress_.counts = queue_.CountByState();
    result.uncertain = At(progress_.counts, JobState::kSubmitting);
    if (result.uncertain > 0) ResolveUncertain(result.uncertain);
    last_recount_ = Now();
    while (Turn()) {
    }
    Flush(0);
    progress_.counts = queue_.CountByState();
    progress_.now = Now();
    result.counts = progress_.counts;
    result.progress = progress_;
    result.auth_failed = auth_failed_;
    result.auth_error = auth_error_;
    result.interrupted = !auth_failed_ && NotFinal(progress_.counts) > 0;
    r_.reporter_.Finish(progress_);
    return result;
  }

 private:
  Seconds Now() const { return r_.clock_.Now(); }

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
    if (!stopping_) StartPolls(now);
    if (now - last_recount_ > kRecountEvery && outcomes_.empty()) {
      progress_.counts = queue_.CountByState();
      last_recount_ = now;
    }
    progress_.now = now;
    progress_.in_flight_submits = static_cast<std::int64_t>(submits_in_flight_.size());
    r_.reporter_.Tick(progress_);
    if (IsOver(now)) return false;
    r_.http_.Perform(WaitFor(now, claimed));
    return true;
  }

  void BeginStop(Seconds now, const std::string& why) {
    stopping_ = true;
    stop_deadline_ = now + o_.stop_grace;
    if (!auth_failed_) {
      r_.reporter_.Log(why + ": no new submits; waiting up to " +
                       std::to_string(static_cast<int>(o_.stop_grace)) +
                       " s for replies already on the wire");
    }
  }

  bool IsOver(Seconds now) {
    const bool idle = r_.http_.InFlight() == 0;
    if (stopping_) return idle || now >= stop_deadline_;
    if (!idle || !outcomes_.empty()) return false;
    if (NotFinal(progress_.counts) > 0) return false;
    // The counts say done: confirm against the database (another process
    // may have run `retry` meanwhile).
    progress_.counts = queue_.CountByState();
    last_recount_ = now;
    return NotFinal(progress_.counts) == 0;
  }

  std::chrono::milliseconds WaitFor(Seconds now, int claimed) {
    Seconds wait = kMaxWait;
    if (!outcomes_.empty() || claimed > 0) wait = 0.002;
    if (!stopping_ && At(progress_.counts, JobState::kPending) > 0) {
      const Seconds next = std::max(next_claim_check_, bucket_.NextAvailable(now));
      if (static_cast<int>(submits_in_flight_.size()) < o_.max_in_flight) {
        wait = std::min(wait, next - now);
      }
    }
    wait = std::clamp(wait, 0.0, kMaxWait);
    return std::chrono::milliseconds(static_cast<long>(wait * 1000));
  }

  // Applies outcomes and claims what the bucket and in-flight limit allow.
  int Dispatch(Seconds now) {
    const int free = o_.max_in_flight - static_cast<int>(submits_in_flight_.size());
    // Commit in batches: wait until a quarter of the slots are free, or for
    // kCommitEvery, rather than one transaction per reply.
    if (free < std::max(1, o_.max_in_flight / 4) && now - last_commit_ < kCommitEvery) return 0;
    int want = 0;
    if (!stopping_ && now >= next_claim_check_ && At(progress_.counts, JobState::kPending) > 0) {
      while (want < free && bucket_.TryTake(now)) ++want;
    }
    if (want == 0 && outcomes_.empty()) return 0;
    last_commit_ = now;
    std::vector<ClaimedJob> claimed = Flush(want);
    bucket_.GiveBack(want - static_cast<int>(claimed.size()));
    if (want > 0 && static_cast<int>(claimed.size()) < want) {
      next_claim_check_ = now + kIdleRecheck;
      if (auto due = queue_.NextDueTime(); due && *due > now) {
        next_claim_check_ = std::min(next_claim_check_, *due);
      }
    }
    for (ClaimedJob& job : claimed) Submit(std::move(job));
    return static_cast<int>(claimed.size());
  }

  std::vector<ClaimedJob> Flush(int claim) {
    std::vector<ClaimedJob> claimed = queue_.CommitAndClaim(outcomes_, claim, Now());
    outcomes_.clear();
    At(progress_.counts, JobState::kPending) -= static_cast<std::int64_t>(claimed.size());
    At(progress_.counts, JobState::kSubmitting) += static_cast<std::int64_t>(claimed.size());
    return claimed;
  }

  void Move(JobState from, JobState to) {
    --At(progress_.counts, from);
    ++At(progress_.counts, to);
    if (IsFinal(to) && !IsFinal(from)) ++progress_.finished;
  }

  // --- submits ---

  void Submit(ClaimedJob job) {
    api::SubmitRequest request;
    request.app = job.app;
    request.model = job.model;
    request.prompt = std::move(job.prompt);
    request.hours = job.hours;
    const std::int64_t id = job.id;
    const int attempts = job.attempts;
    submits_in_flight_.insert(id);
    r_.api_.Submit(request, [this, id, attempts](api::SubmitResult&& result) {
      submits_in_flight_.erase(id);
      OnSubmitted(id, attempts, result);
    });
  }

  void OnSubmitted(std::int64_t id, int attempts, const api::SubmitResult& result) {
    const Seconds now = Now();
    if (o_.verbose) {
      r_.reporter_.Log("job " + std::to_string(id) + ": submit " +
                       std::string(api::ToString(result.outcome)) +
                       (result.outcome == api::Outcome::kSuccess ? " " + result.remote_id
                                                                 : ": " + result.error));
    }
    switch (result.outcome) {
      case api::Outcome::kSuccess:
        outcomes_.submitted.push_back({id, result.remote_id});
        ++progress_.submits;
        Move(JobState::kSubmitting, JobState::kSubmitted);
        return;
      case api::Outcome::kRetryable:
        if (result.retry_after_seconds) bucket_.PauseUntil(now + *result.retry_after_seconds);
        ScheduleRetry(id, attempts, JobState::kSubmitting, result.error,
                      result.retry_after_seconds);
        return;
      case api::Outcome::kPermanent:
        outcomes_.failed.push_back({id, "submit refused: " + result.error});
        Move(JobState::kSubmitting, JobState::kFailed);
        return;
      case api::Outcome::kAuth:
        outcomes_.retries.push_back({id, 0, result.error, true});
        Move(JobState::kSubmitting, JobState::kPending);
        AuthFailed(result.error);
        return;
    }
  }

  void ScheduleRetry(std::int64_t id, int attempts, JobState from, const std::string& error,
                     std::optional<Seconds> retry_after) {
    if (attempts >= o_.max_attempts) {
      outcomes_.failed.push_back(
          {id, "gave up after " + std::to_string(attempts) + " attempt(s): " + error});
      Move(from, JobState::kFailed);
      return;
    }
    const Seconds at = Now() + backoff_.Delay(attempts, retry_after);
    outcomes_.retries.push_back({id, at, error, false});
    next_claim_check_ = std::min(next_claim_check_, at);
    Move(from, JobState::kPending);
  }

  void AuthFailed(const std::string& error) {
    if (auth_failed_) return;
    auth_failed_ = true;
    auth_error_ = error;
    BeginStop(Now(), "the service refused the token");
  }

  // --- polls ---

  void StartPolls(Seconds now) {
    if (now < next_poll_check_ || now < polls_paused_until_) return;
    next_poll_check_ = now + std::min(kPollCheckEvery, o_.poll_interval);
    const int free_requests = o_.max_poll_requests - polls_in_flight_;
    if (free_requests <= 0) return;
    const int limit = free_requests * poll_batch_;
    // Jobs due within half an interval ride along in a GET that has room:
    // a trickle of submits then costs a few full GETs, not many small ones.
    std::vector<PollTarget> targets =
        queue_.TakeDuePolls({.due_before = now - o_.poll_interval,
                             .early_before = now - o_.poll_interval / 2,
                             .batch = poll_batch_,
                             .limit = limit},
                            now);
    if (static_cast<int>(targets.size()) < limit) {
      // Nothing else is due before the oldest in-flight poll plus the interval
      // (jobs submitted later count as polled at their submit).
      const std::optional<Seconds> oldest = queue_.OldestPollTime();
      next_poll_check_ =
          std::max(next_poll_check_, oldest ? *oldest + o_.poll_interval : now + o_.poll_interval);
    }
    for (std::size_t start = 0; start < targets.size();
         start += static_cast<std::size_t>(poll_batch_)) {
      const std::size_t end =
          std::min(targets.size(), start + static_cast<std::size_t>(poll_batch_));
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
    const Seconds now = Now();
    if (o_.verbose) {
      r_.reporter_.Log("status GET of " + std::to_string(result.requested.size()) +
                       " id(s): " + std::string(api::ToString(result.outcome)) +
                       (result.error.empty() ? "" : ": " + result.error));
    }
    switch (result.outcome) {
      case api::Outcome::kSuccess:
        for (const api::JobView& view : result.jobs) OnJobView(view, now);
        for (const std::string& id : result.missing) OnMissing(id, now);
        break;
      case api::Outcome::kRetryable:
        if (result.retry_after_seconds) polls_paused_until_ = now + *result.retry_after_seconds;
        WarnOnce("poll:" + result.error.substr(0, 40),
                 "status GET failed, will retry: " + result.error);
        break;
      case api::Outcome::kPermanent:
        OnPollRefused(result, now);
        break;
      case api::Outcome::kAuth:
        AuthFailed(result.error);
        break;
    }
    for (const std::string& id : result.requested) poll_targets_.erase(id);
  }

  void OnPollRefused(const api::StatusResult& result, Seconds now) {
    if (result.requested.size() > 1 && poll_batch_ > 1) {
      poll_batch_ = std::max(1, static_cast<int>(result.requested.size()) / 2);
      r_.reporter_.Log("status GET of " + std::to_string(result.requested.size()) +
                       " ids refused (" + result.error + "); asking for at most " +
                       std::to_string(poll_batch_) + " ids per GET from now on");
      return;
    }
    for (const std::string& id : result.requested) OnMissing(id, now);
  }

  void OnJobView(const api::JobView& view, Seconds now) {
    auto it = poll_targets_.find(view.id);
    if (it == poll_targets_.end()) return;
    const PollTarget& target = it->second;
    Outcomes::Polled polled{target.id, JobState::kRunning, view.status,  view.vm_status,
                            view.log,  view.runtime,       view.created, ""};
    switch (r_.options_.statuses.Map(view.status)) {
      case StatusMap::Meaning::kCompleted:
        polled.state = JobState::kCompleted;
        break;
      case StatusMap::Meaning::kFailed:
        polled.state = JobState::kFailed;
        polled.error = "the service reported status '" + view.status + "'";
        break;
      case StatusMap::Meaning::kUnknown:
        WarnOnce("status:" + view.status, "unknown status '" + view.status +
                                              "': treated as running until the job's deadline");
        [[fallthrough]];
      case StatusMap::Meaning::kRunning:
        if (now > Deadline(target)) {
          polled.state = JobState::kFailed;
          polled.error = "no final status by the deadline (hours limit plus slack); last status '" +
                         view.status + "'";
        }
        break;
    }
    Move(target.state, polled.state);
    outcomes_.polled.push_back(std::move(polled));
  }

  Seconds Deadline(const PollTarget& target) const {
    return target.submitted_at + target.hours.value_or(o_.default_hours) * 3600 + o_.deadline_slack;
  }

  void OnMissing(const std::string& remote_id, Seconds now) {
    auto it = poll_targets_.find(remote_id);
    if (it == poll_targets_.end()) return;
    const PollTarget& target = it->second;
    const Seconds since = target.missing_since.value_or(now);
    if (now - since < o_.missing_grace) {
      outcomes_.missing.push_back({target.id});
      return;
    }
    const std::string error = "id " + remote_id + " missing from status replies for " +
                              std::to_string(static_cast<long>(now - since)) + " s";
    if (o_.on_missing == RunOptions::MissingPolicy::kResubmit) {
      outcomes_.retries.push_back({target.id, now, error + ": submitted again", false});
      Move(target.state, JobState::kPending);
    } else {
      outcomes_.failed.push_back({target.id, error});
      Move(target.state, JobState::kFailed);
    }
  }

  void WarnOnce(const std::string& key, const std::string& message) {
    if (warned_.size() < 1000 && warned_.insert(key).second) r_.reporter_.Log(message);
  }

  Runner& r_;
  const RunOptions& o_;
  const std::atomic<int>& stop_requests_;
  store::RunQueue queue_;
  ratelimit::TokenBucket bucket_;
  ratelimit::Backoff backoff_;
  int poll_batch_;
  Outcomes outcomes_;
  Progress progress_;
  std::set<std::int64_t> submits_in_flight_;
  std::unordered_map<std::string, PollTarget> poll_targets_;
  int polls_in_flight_ = 0;
  std::set<std::string> warned_;
  Seconds next_claim_check_ = 0;
  Seconds next_poll_check_ = 0;
  Seconds polls_paused_until_ = 0;
  Seconds last_recount_ = 0;
  Seconds last_commit_ = 0;
  bool stopping_ = false;
  Seconds stop_deadline_ = 0;
  bool auth_failed_ = false;
  std::string auth_error_;
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
