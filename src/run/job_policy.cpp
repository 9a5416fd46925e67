#include "gridbatch/run/job_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <random>
#include <string_view>

namespace gridbatch::run {
namespace {

using store::Outcomes;
using store::PollTarget;

constexpr Seconds kIdleRecheck = 0.25;     // look for newly due work this often when idle
constexpr Seconds kMaxWait = 0.1;          // longest single wait in the event loop
constexpr Seconds kBusyWait = 0.002;       // the wait while replies or claims are fresh
constexpr Seconds kRecountEvery = 10;      // resync state counts with the database
constexpr Seconds kPollCheckEvery = 0.05;  // look for due polls at most this often
constexpr Seconds kCommitEvery = 0.002;    // longest a reply waits to be committed
constexpr int kCommitSlotsDivisor = 4;     // or until this share of the submit slots is free
constexpr long kHttpTooManyRequests = 429;

Transition Move(JobState from, JobState to, Transition::Record record) {
  return Transition{from, to, std::move(record)};
}

}  // namespace

// --- JobPolicy ---

JobPolicy::JobPolicy(const RunOptions& options)
    : o_(options),
      backoff_(options.backoff, options.seed != 0 ? options.seed : std::random_device{}()),
      schedule_(options, 0) {}

Transition JobPolicy::Retry(std::int64_t id, int attempts, JobState from, const std::string& error,
                            std::optional<Seconds> retry_after, Seconds now,
                            std::optional<Seconds>* retry_at) {
  if (attempts >= o_.max_attempts) {
    return Move(from, JobState::kFailed,
                Outcomes::Failed{
                    id, "gave up after " + std::to_string(attempts) + " attempt(s): " + error});
  }
  const Seconds at = now + backoff_.Delay(attempts, retry_after);
  if (retry_at != nullptr) *retry_at = at;
  return Move(from, JobState::kPending, Outcomes::Retry{id, at, error, false});
}

SubmitDecision JobPolicy::OnSubmitReply(const SubmittedJob& job, const api::SubmitResult& reply,
                                        Seconds now) {
  if (auto probe = probes_out_.find(job.id); probe != probes_out_.end()) {
    --models_[probe->second].probes;
    probes_out_.erase(probe);
  }
  // A job the breaker already sent back once is refused again: that is its
  // own answer, and it goes as it would without the breaker (a refusal
  // fails it; an unreached server is retried, the attempt counted).
  const bool refused_before = suspects_.erase(job.id) > 0;
  if (o_.breaker_after > 0 && !refused_before && reply.refusal != api::Refusal::kNone &&
      reply.outcome != api::Outcome::kSuccess && reply.outcome != api::Outcome::kAuth) {
    return Refuse(job, reply, now);
  }
  SubmitDecision d;
  constexpr JobState kFrom = JobState::kSubmitting;
  switch (reply.outcome) {
    case api::Outcome::kSuccess:
      d.transition =
          Move(kFrom, JobState::kSubmitted, Outcomes::Submitted{job.id, reply.remote_id});
      if (o_.breaker_after > 0) Accepted(job.model, d.released);
      break;
    case api::Outcome::kRetryable:
      if (reply.retry_after_seconds) d.pause_submits_until = now + *reply.retry_after_seconds;
      d.throttled = reply.http_status == kHttpTooManyRequests;
      if (d.throttled) {
        // "Slower", from the service: it made no job, and the job is not
        // at fault, so the attempt does not count toward --max-attempts;
        // the pacer lowers the rate instead.
        const Seconds at = now + backoff_.Delay(1, reply.retry_after_seconds);
        d.retry_at = at;
        d.transition =
            Move(kFrom, JobState::kPending, Outcomes::Retry{job.id, at, reply.error, true});
        break;
      }
      d.transition = Retry(job.id, job.attempts, kFrom, reply.error, reply.retry_after_seconds, now,
                           &d.retry_at);
      break;
    case api::Outcome::kPermanent:
      d.transition = Move(kFrom, JobState::kFailed,
                          Outcomes::Failed{job.id, "submit refused: " + reply.error});
      break;
    case api::Outcome::kAuth:
      // Every other submit would be refused the same way: this one did not
      // count, and the run stops.
      d.transition = Move(kFrom, JobState::kPending, Outcomes::Retry{job.id, 0, reply.error, true});
      d.stop_run = reply.error;
      break;
  }
  return d;
}

namespace {

bool EqualsIgnoringCase(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

bool IsNameCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' ||
         c == ':' || c == '/';
}

// Where the name `needle` is in `text`, in any case, as a whole word (a
// model "a" is not in "said"); npos when not.
std::size_t FindIgnoringCase(std::string_view text, std::string_view needle, std::size_t from = 0) {
  if (needle.empty()) return std::string_view::npos;
  while (from <= text.size()) {
    const auto it = std::search(text.begin() + static_cast<std::ptrdiff_t>(from), text.end(),
                                needle.begin(), needle.end(), EqualsIgnoringCase);
    if (it == text.end()) return std::string_view::npos;
    const auto at = static_cast<std::size_t>(it - text.begin());
    const std::size_t end = at + needle.size();
    // A name ends before a trailing ':' or '.' of the sentence around it.
    const bool starts = at == 0 || !IsNameCharacter(text[at - 1]);
    const bool ends = end == text.size() || !IsNameCharacter(text[end]) ||
                      ((text[end] == ':' || text[end] == '.') &&
                       (end + 1 == text.size() || text[end + 1] == ' '));
    if (starts && ends) return at;
    from = at + 1;
  }
  return std::string_view::npos;
}

// What makes two refusals "the same way": for an unreached server, the kind
// ("connection refused"); for an HTTP refusal, its status (a body may differ
// per request); for the service's own error, its text with the model's name
// taken out, so "Unknown model: a" and "Unknown model: b" agree.
std::string RefusalKey(const api::SubmitResult& reply, const std::string& model) {
  switch (reply.refusal) {
    case api::Refusal::kUnreachable:
      return "unreachable:" + reply.error.substr(0, reply.error.find(':'));
    case api::Refusal::kHttp:
      return "http:" + std::to_string(reply.http_status);
    case api::Refusal::kService:
    case api::Refusal::kNone:
      break;
  }
  std::string key = reply.error;
  for (std::size_t at = FindIgnoringCase(key, model); at != std::string::npos;
       at = FindIgnoringCase(key, model, at + 1)) {
    key.replace(at, model.size(), "\x01");
  }
  return "service:" + key;
}

// Counts one more refusal keyed `key` in a row that `key_now` started.
void CountInRow(const std::string& key, std::string& key_now, int& in_row) {
  if (key == key_now) {
    ++in_row;
  } else {
    key_now = key;
    in_row = 1;
  }
}

}  // namespace

bool JobPolicy::Admit(std::int64_t id, const std::string& model) {
  const int n = o_.breaker_after;
  if (n <= 0) return true;
  ModelRecord& m = models_[model];
  if (m.held) return false;
  if (m.accepted) return true;
  // Before anything went through, every model's probes share one budget.
  if (!any_accepted_ && static_cast<int>(probes_out_.size()) + refused_in_row_ >= n) return false;
  if (m.probes + m.refused_in_row >= n) return false;
  ++m.probes;
  probes_out_[id] = model;
  return true;
}

SubmitDecision JobPolicy::Refuse(const SubmittedJob& job, const api::SubmitResult& reply,
                                 Seconds now) {
  SubmitDecision d;
  const std::string key = RefusalKey(reply, job.model);
  CountInRow(key, key_, refused_in_row_);
  ModelRecord& m = models_[job.model];
  CountInRow(key, m.key, m.refused_in_row);
  // Back to pending, the attempt undone: if every job is refused this way,
  // none is at fault. Due again after a backoff, in case it is not.
  const Seconds at = now + backoff_.Delay(m.refused_in_row, reply.retry_after_seconds);
  d.retry_at = at;
  d.transition = Move(JobState::kSubmitting, JobState::kPending,
                      Outcomes::Retry{job.id, at, reply.error, true});
  if (!m.held) suspects_[job.id] = Suspect{job.model, reply.error, reply.refusal};
  const bool names_model = FindIgnoringCase(reply.error, job.model) != std::string::npos;
  // Jobs that were not at fault are due again at once (for the next run).
  const auto clear = [&](auto&& which) {
    for (auto it = suspects_.begin(); it != suspects_.end();) {
      if (!which(it->second)) {
        ++it;
        continue;
      }
      d.released.push_back(
          Move(JobState::kPending, JobState::kPending, Outcomes::Due{it->first, now}));
      it = suspects_.erase(it);
    }
  };
  // An answer that names the model ("Unknown model: x") is about that
  // model: it holds the model, and the other models go on.
  if (refused_in_row_ >= o_.breaker_after && !names_model) {
    d.trip = Trip{.refusal = reply.refusal,
                  .http_status = reply.http_status,
                  .answer = reply.error,
                  .refusals = refused_in_row_,
                  .jobs = static_cast<int>(suspects_.size())};
    clear([](const Suspect&) { return true; });
  } else if (m.refused_in_row >= o_.breaker_after && !m.held) {
    // Other models' submits go through meanwhile, or the answer names this
    // one: the service refuses this model. The count over all models starts
    // again, so that the others may be tried.
    m.held = true;
    d.hold = Hold{job.model, reply.error};
    refused_in_row_ = 0;
    key_.clear();
    clear([&](const Suspect& s) { return s.model == job.model; });
  }
  return d;
}

void JobPolicy::Accepted(const std::string& model, std::vector<Transition>& released) {
  any_accepted_ = true;
  refused_in_row_ = 0;
  key_.clear();
  ModelRecord& m = models_[model];
  m.accepted = true;
  m.refused_in_row = 0;
  m.key.clear();
  // The service takes this model's jobs: the refusals of its suspects were
  // their own, as they would have been without the breaker. An unreached
  // server was a passing trouble: those jobs just go on.
  for (auto it = suspects_.begin(); it != suspects_.end();) {
    const Suspect& s = it->second;
    if (s.refusal == api::Refusal::kUnreachable) {
      it = suspects_.erase(it);
    } else if (s.model == model) {
      released.push_back(Move(JobState::kPending, JobState::kFailed,
                              Outcomes::Refused{it->first, "submit refused: " + s.error}));
      it = suspects_.erase(it);
    } else {
      ++it;
    }
  }
}

Seconds JobPolicy::Deadline(const PollTarget& target) const {
  return target.submitted_at + target.hours.value_or(o_.default_hours) * 3600 + o_.deadline_slack;
}

Transition JobPolicy::OnJobView(const PollTarget& target, const api::JobView& view, Seconds now,
                                std::optional<Warning>* warning) const {
  Outcomes::Polled polled{target.id, JobState::kRunning, view.status,  view.vm_status,
                          view.log,  view.runtime,       view.created, ""};
  switch (o_.statuses.Map(view.status)) {
    case StatusMap::Meaning::kCompleted:
      polled.state = JobState::kCompleted;
      break;
    case StatusMap::Meaning::kFailed:
      polled.state = JobState::kFailed;
      polled.error = "the service reported status '" + view.status + "'";
      break;
    case StatusMap::Meaning::kUnknown:
      if (warning != nullptr) {
        *warning =
            Warning{"status:" + view.status, "unknown status '" + view.status +
                                                 "': treated as running until the job's deadline"};
      }
      [[fallthrough]];
    case StatusMap::Meaning::kRunning:
      if (now > Deadline(target)) {
        polled.state = JobState::kFailed;
        polled.error = "no final status by the deadline (hours limit plus slack); last status '" +
                       view.status + "'";
      }
      break;
  }
  const JobState to = polled.state;
  return Move(target.state, to, std::move(polled));
}

Transition JobPolicy::OnMissing(const PollTarget& target, Seconds now) const {
  if (auto late = PastDeadline(target, now, "missing from status replies")) return *late;
  const Seconds since = target.missing_since.value_or(now);
  if (now - since < o_.missing_grace) {
    return Move(target.state, target.state, Outcomes::Missing{target.id});
  }
  const std::string error = "id " + target.remote_id + " missing from status replies for " +
                            std::to_string(static_cast<long>(now - since)) + " s";
  if (o_.on_missing == RunOptions::MissingPolicy::kResubmit) {
    // Submitting again is an attempt like any other: --max-attempts holds.
    if (target.attempts >= o_.max_attempts) {
      return Move(target.state, JobState::kFailed,
                  Outcomes::Failed{target.id, "gave up after " + std::to_string(target.attempts) +
                                                  " attempt(s): " + error});
    }
    return Move(target.state, JobState::kPending,
                Outcomes::Retry{target.id, now, error + ": submitted again", false});
  }
  return Move(target.state, JobState::kFailed, Outcomes::Failed{target.id, error});
}

void JobPolicy::Schedule(const PollTarget& target, const api::JobView& view, Transition& t,
                         Seconds now) {
  auto* polled = std::get_if<Outcomes::Polled>(&t.record);
  if (polled == nullptr) return;
  const StatusMap::Meaning meaning = o_.statuses.Map(view.status);
  if (polled->state == JobState::kRunning) {
    polled->next_poll_at = schedule_.AfterView(target, false, std::nullopt, now);
  } else if (meaning == StatusMap::Meaning::kCompleted || meaning == StatusMap::Meaning::kFailed) {
    // A job failed by its deadline teaches nothing about finish times.
    const bool completed = meaning == StatusMap::Meaning::kCompleted;
    schedule_.AfterView(target, true, completed ? view.runtime : std::nullopt, now);
  }
}

std::optional<Transition> JobPolicy::PastDeadline(const PollTarget& target, Seconds now,
                                                  const std::string& why) const {
  if (now <= Deadline(target)) return std::nullopt;
  return Move(target.state, JobState::kFailed,
              Outcomes::Failed{target.id,
                               "no final status by the deadline (hours limit plus slack); " + why});
}

PollDecision JobPolicy::OnStatusReply(const api::StatusResult& reply, const Targets& targets,
                                      int poll_batch, Seconds now) {
  PollDecision d;
  // Failing polls do not keep a job alive past its deadline.
  const auto FailPastDeadline = [&](const std::vector<std::string>& ids, const std::string& why) {
    for (const std::string& id : ids) {
      auto it = targets.find(id);
      if (it == targets.end()) continue;
      if (auto late = PastDeadline(it->second, now, why)) d.transitions.push_back(std::move(*late));
    }
  };
  const auto each = [&](const std::vector<std::string>& ids, auto&& decide) {
    for (const std::string& id : ids) {
      if (auto it = targets.find(id); it != targets.end()) {
        d.transitions.push_back(decide(it->second));
      }
    }
  };
  switch (reply.outcome) {
    case api::Outcome::kSuccess:
      for (const api::JobView& view : reply.jobs) {
        auto it = targets.find(view.id);
        if (it == targets.end()) continue;
        std::optional<Warning> warning;
        d.transitions.push_back(OnJobView(it->second, view, now, &warning));
        if (warning) d.warnings.push_back(std::move(*warning));
        Schedule(it->second, view, d.transitions.back(), now);
      }
      each(reply.missing, [&](const PollTarget& t) { return OnMissing(t, now); });
      d.wakes = schedule_.TakeWakes();
      break;
    case api::Outcome::kRetryable:
      if (reply.too_large && reply.requested.size() > 1) {
        // Fewer ids make a smaller reply.
        const int batch = std::max(1, static_cast<int>(reply.requested.size()) / 2);
        d.poll_batch = std::min(batch, poll_batch);
        d.log = "status reply for " + std::to_string(reply.requested.size()) + " ids too large (" +
                reply.error + "); asking for at most " + std::to_string(*d.poll_batch) +
                " ids per GET for now";
        break;
      }
      if (reply.too_large) {
        // One job's reply alone is over the cap: it never fits.
        each(reply.requested, [&](const PollTarget& t) {
          return Move(t.state, JobState::kFailed,
                      Outcomes::Failed{t.id, "its status reply alone is too large (" + reply.error +
                                                 "); its output cannot be read"});
        });
        break;
      }
      if (reply.retry_after_seconds) d.pause_polls_until = now + *reply.retry_after_seconds;
      d.warnings.push_back(Warning{"poll:" + reply.error.substr(0, 40),
                                   "status GET failed, will retry: " + reply.error});
      FailPastDeadline(reply.requested, "status GETs failing: " + reply.error);
      break;
    case api::Outcome::kPermanent:
      if (reply.requested.size() > 1 && poll_batch > 1) {
        // Perhaps the list was too long for the service: ask for fewer.
        const int batch = std::max(1, static_cast<int>(reply.requested.size()) / 2);
        d.poll_batch = batch;
        d.log = "status GET of " + std::to_string(reply.requested.size()) + " ids refused (" +
                reply.error + "); asking for at most " + std::to_string(batch) +
                " ids per GET for now";
        FailPastDeadline(reply.requested, "status GETs refused: " + reply.error);
        break;
      }
      each(reply.requested, [&](const PollTarget& t) { return OnMissing(t, now); });
      break;
    case api::Outcome::kAuth:
      d.stop_run = reply.error;
      break;
  }
  return d;
}

// --- Pacer ---

namespace {

std::optional<ratelimit::AdaptiveRate> MakeAdaptiveRate(const RunOptions& o, Seconds now) {
  if (o.auto_rate_max) {
    return ratelimit::AdaptiveRate({.max_rate = *o.auto_rate_max}, now);
  }
  if (o.rate_per_second <= 0) return std::nullopt;
  // A fixed rate starts at itself; after a 429 it drops, then grows back.
  return ratelimit::AdaptiveRate(
      {.max_rate = o.rate_per_second,
       .start_rate = o.rate_per_second,
       .min_rate = std::min(o.rate_per_second, ratelimit::AdaptiveRateOptions{}.min_rate)},
      now);
}

}  // namespace

Pacer::Pacer(const RunOptions& options, Seconds now)
    : o_(options),
      bucket_(options.rate_per_second,
              options.burst > 0 ? options.burst
                                : ratelimit::DefaultBurst(
                                      options.auto_rate_max.value_or(options.rate_per_second)),
              now),
      adaptive_(MakeAdaptiveRate(options, now)),
      poll_batch_(std::max(1, options.poll_batch)),
      last_recount_(now) {}

Pacer::Claim Pacer::PlanClaim(const LoopView& view) {
  const int free = o_.max_in_flight - view.submits_in_flight;
  // Commit in batches: wait until a share of the slots is free, or for
  // kCommitEvery, rather than one transaction per reply.
  if (free < std::max(1, o_.max_in_flight / kCommitSlotsDivisor) &&
      view.now - last_commit_ < kCommitEvery) {
    return {};
  }
  Claim claim;
  if (!view.stopping && view.now >= next_claim_check_ && view.pending > 0) {
    if (adaptive_) bucket_.SetRate(adaptive_->Rate(view.now), view.now);
    while (claim.jobs < free && bucket_.TryTake(view.now)) ++claim.jobs;
  }
  claim.commit = claim.jobs > 0 || view.outcomes_waiting;
  if (claim.commit) last_commit_ = view.now;
  return claim;
}

void Pacer::Claimed(Seconds now, int wanted, int got, std::optional<Seconds> next_due) {
  bucket_.GiveBack(wanted - got);
  if (wanted > 0 && got < wanted) {
    next_claim_check_ = now + kIdleRecheck;
    if (next_due && *next_due > now) next_claim_check_ = std::min(next_claim_check_, *next_due);
  }
}

void Pacer::DueAt(Seconds at) {
  next_claim_check_ = std::min(next_claim_check_, at);
}

void Pacer::PauseSubmits(Seconds until) {
  bucket_.PauseUntil(until);
}

void Pacer::Throttled(Seconds now, std::optional<Seconds> retry_after) {
  if (adaptive_) adaptive_->OnThrottled(now, retry_after);
}

std::optional<store::RunQueue::PollWindow> Pacer::PlanPolls(const LoopView& view) {
  if (view.stopping || view.now < next_poll_check_ || view.now < polls_paused_until_) {
    return std::nullopt;
  }
  next_poll_check_ = view.now + std::min(kPollCheckEvery, PollSchedule::Floor(o_));
  const int free_requests = o_.max_poll_requests - view.polls_in_flight;
  if (free_requests <= 0) return std::nullopt;
  // Jobs due soon ride along in a GET that has room: a trickle of submits
  // then costs a few full GETs, not many small ones.
  return store::RunQueue::PollWindow{.due_before = view.now,
                                     .early_before = view.now + PollSchedule::RideAlong(o_),
                                     .batch = poll_batch_,
                                     .limit = free_requests * poll_batch_,
                                     .retry_at = PollSchedule::RetryAt(o_, view.now)};
}

void Pacer::Polled(Seconds now, std::size_t taken, const store::RunQueue::PollWindow& window,
                   std::optional<Seconds> next_poll) {
  if (static_cast<int>(taken) >= window.limit) return;
  // Nothing else is due before the earliest next poll, unless a reply, a
  // submit or a wake brings one forward (PollDueAt).
  next_poll_check_ = std::max(next_poll_check_, next_poll.value_or(now + o_.poll_interval));
}

void Pacer::PollDueAt(Seconds at) {
  next_poll_check_ = std::min(next_poll_check_, at);
}

void Pacer::PausePolls(Seconds until) {
  polls_paused_until_ = std::max(polls_paused_until_, until);
}

void Pacer::SetPollBatch(int batch) {
  poll_batch_ = std::max(1, batch);
}

void Pacer::PollAnswered() {
  // A batch shrunk by refused or oversized replies grows back, doubling per
  // answered GET, to the configured size.
  poll_batch_ = std::min(std::max(1, o_.poll_batch), poll_batch_ * 2);
}

bool Pacer::ShouldRecount(Seconds now) const {
  return now - last_recount_ > kRecountEvery;
}

void Pacer::Recounted(Seconds now) {
  last_recount_ = now;
}

std::chrono::milliseconds Pacer::Wait(const LoopView& view, int claimed) const {
  Seconds wait = kMaxWait;
  if (view.outcomes_waiting || claimed > 0) wait = kBusyWait;
  if (!view.stopping && view.pending > 0 && view.submits_in_flight < o_.max_in_flight) {
    const Seconds next = std::max(next_claim_check_, bucket_.NextAvailable(view.now));
    wait = std::min(wait, next - view.now);
  }
  wait = std::clamp(wait, 0.0, kMaxWait);
  return std::chrono::milliseconds(static_cast<long>(wait * 1000));
}

bool RunIsOver(const LoopView& view, std::size_t on_the_wire, Seconds stop_deadline,
               std::int64_t not_final) {
  if (view.stopping) return on_the_wire == 0 || view.now >= stop_deadline;
  return on_the_wire == 0 && !view.outcomes_waiting && not_final == 0;
}

// --- what the breaker tells the user ---

namespace {

// What to look at, for each way a submit can be refused.
std::string WhatToCheck(const Trip& trip, const std::string& endpoint) {
  const std::string url = "--endpoint " + endpoint;
  switch (trip.refusal) {
    case api::Refusal::kUnreachable:
      if (trip.answer.rfind("host not found", 0) == 0) {
        return "the endpoint's host name (" + url + ")";
      }
      if (trip.answer.rfind("TLS", 0) == 0) {
        return "the endpoint's scheme and the server's certificate (" + url + ", --ca-file)";
      }
      if (trip.answer.rfind("bad URL", 0) == 0) return "the endpoint's URL (" + url + ")";
      return "that the service is up and the endpoint's host and port are right (" + url + ")";
    case api::Refusal::kHttp:
      if (trip.http_status == 404 || trip.http_status == 405 || trip.http_status < 400) {
        return "the endpoint's path (" + url +
               "; submits go to ENDPOINT/jobs, and the service's API is at "
               "https://api.gridrepublic.services/remotejobs/v2)";
      }
      break;
    case api::Refusal::kService:
    case api::Refusal::kNone:
      break;
  }
  return "the model's name and the manifest's app and prompts, against what the service accepts "
         "(`gridbatch check`, and --trace FILE to see each request and reply)";
}

}  // namespace

std::string DescribeTrip(const Trip& trip, const std::string& endpoint) {
  return "stopped by the circuit breaker: " + std::to_string(trip.refusals) +
         " submits in a row were refused the same way, so every other job would be too. " +
         (trip.refusal == api::Refusal::kUnreachable ? "The connection failed: "
                                                     : "The service answered: ") +
         trip.answer + "\n  check: " + WhatToCheck(trip, endpoint) + "\n  " +
         std::to_string(trip.jobs) +
         " job(s) it touched are pending again with their attempts undone; nothing failed. "
         "Correct the setting and run again (--breaker 0 turns the breaker off).";
}

std::string DescribeHold(const Hold& hold) {
  return "held model '" + hold.model +
         "': the service refused its submits the same way, so its jobs wait, pending, while "
         "the other models go on. The service answered: " +
         hold.reason + "\n  check: the model's name '" + hold.model +
         "' in the manifest against the service's models; the next run tries it again (after a "
         "rename in the manifest, `gridbatch prune` drops the old name's jobs).";
}

}  // namespace gridbatch::run
