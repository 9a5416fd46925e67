// The run loop's decisions, tested without a socket, a database or a sleep:
// time is a FakeClock, replies are built by hand.
#include "gridbatch/run/job_policy.hpp"

#include <gtest/gtest.h>

#include <variant>

namespace gridbatch::run {
namespace {

using store::Outcomes;
using store::PollTarget;

RunOptions Options() {
  RunOptions o;
  o.seed = 42;
  o.max_attempts = 3;
  o.missing_grace = 120;
  o.default_hours = 1;
  o.deadline_slack = 600;
  o.backoff = {.base = 1, .cap = 60};
  return o;
}

api::SubmitResult Reply(api::Outcome outcome, std::string error = "",
                        std::optional<Seconds> retry_after = std::nullopt) {
  api::SubmitResult r;
  r.outcome = outcome;
  r.error = std::move(error);
  r.retry_after_seconds = retry_after;
  if (outcome == api::Outcome::kSuccess) r.remote_id = "00112233445566778899aabbccddeeff";
  return r;
}

PollTarget Target(Seconds submitted_at, JobState state = JobState::kRunning) {
  PollTarget t;
  t.id = 7;
  t.remote_id = "00112233445566778899aabbccddeeff";
  t.state = state;
  t.submitted_at = submitted_at;
  return t;
}

api::JobView View(const std::string& status) {
  api::JobView v;
  v.id = "00112233445566778899aabbccddeeff";
  v.status = status;
  v.log = "partial log";
  return v;
}

template <typename T>
const T& RecordAs(const Transition& t) {
  EXPECT_TRUE(std::holds_alternative<T>(t.record));
  return std::get<T>(t.record);
}

class JobPolicyTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  RunOptions options_ = Options();
};

// --- submits ---

TEST_F(JobPolicyTest, AnAcceptedSubmitRecordsTheRemoteId) {
  JobPolicy policy(options_);
  const SubmitDecision d =
      policy.OnSubmitReply({1, 1}, Reply(api::Outcome::kSuccess), clock_.Now());
  EXPECT_EQ(d.transition.from, JobState::kSubmitting);
  EXPECT_EQ(d.transition.to, JobState::kSubmitted);
  EXPECT_EQ(RecordAs<Outcomes::Submitted>(d.transition).remote_id,
            "00112233445566778899aabbccddeeff");
  EXPECT_FALSE(d.retry_at);
  EXPECT_FALSE(d.stop_run);
}

TEST_F(JobPolicyTest, ARetryableSubmitGoesBackToPendingWithinTheBackoffCeiling) {
  JobPolicy policy(options_);
  for (int attempt = 1; attempt < options_.max_attempts; ++attempt) {
    const SubmitDecision d = policy.OnSubmitReply(
        {1, attempt}, Reply(api::Outcome::kRetryable, "HTTP 503"), clock_.Now());
    EXPECT_EQ(d.transition.to, JobState::kPending);
    const auto& retry = RecordAs<Outcomes::Retry>(d.transition);
    EXPECT_FALSE(retry.undo_attempt);
    EXPECT_EQ(retry.error, "HTTP 503");
    ASSERT_TRUE(d.retry_at);
    EXPECT_EQ(*d.retry_at, retry.next_attempt_at);
    EXPECT_GE(*d.retry_at, clock_.Now());
    EXPECT_LE(*d.retry_at, clock_.Now() + ratelimit::Backoff(options_.backoff).Ceiling(attempt));
    EXPECT_FALSE(d.pause_submits_until);
  }
}

TEST_F(JobPolicyTest, TheLastAttemptFailsTheJobWithItsLastError) {
  JobPolicy policy(options_);
  const SubmitDecision d =
      policy.OnSubmitReply({1, options_.max_attempts},
                           Reply(api::Outcome::kRetryable, "connection reset"), clock_.Now());
  EXPECT_EQ(d.transition.to, JobState::kFailed);
  EXPECT_EQ(RecordAs<Outcomes::Failed>(d.transition).error,
            "gave up after 3 attempt(s): connection reset");
  EXPECT_FALSE(d.retry_at);
}

TEST_F(JobPolicyTest, ARetryAfterPausesSubmitsAndIsTheRetrysFloor) {
  JobPolicy policy(options_);
  clock_.Advance(5);
  const SubmitDecision d =
      policy.OnSubmitReply({1, 1}, Reply(api::Outcome::kRetryable, "HTTP 429", 30.0), clock_.Now());
  ASSERT_TRUE(d.pause_submits_until);
  EXPECT_EQ(*d.pause_submits_until, clock_.Now() + 30);
  ASSERT_TRUE(d.retry_at);
  EXPECT_GE(*d.retry_at, clock_.Now() + 30);  // the first retry's ceiling is only 1 s
}

TEST_F(JobPolicyTest, APermanentRefusalFailsAtOnceQuotingTheService) {
  JobPolicy policy(options_);
  const SubmitDecision d = policy.OnSubmitReply(
      {1, 1}, Reply(api::Outcome::kPermanent, "service said: Unknown model: x"), clock_.Now());
  EXPECT_EQ(d.transition.to, JobState::kFailed);
  EXPECT_EQ(RecordAs<Outcomes::Failed>(d.transition).error,
            "submit refused: service said: Unknown model: x");
}

TEST_F(JobPolicyTest, ARefusedTokenUndoesTheAttemptAndStopsTheRun) {
  JobPolicy policy(options_);
  const SubmitDecision d =
      policy.OnSubmitReply({1, 2}, Reply(api::Outcome::kAuth, "HTTP 401"), clock_.Now());
  EXPECT_EQ(d.transition.to, JobState::kPending);
  const auto& retry = RecordAs<Outcomes::Retry>(d.transition);
  EXPECT_TRUE(retry.undo_attempt);
  EXPECT_EQ(retry.next_attempt_at, 0);
  ASSERT_TRUE(d.stop_run);
  EXPECT_EQ(*d.stop_run, "HTTP 401");
}

TEST_F(JobPolicyTest, A429DoesNotUseUpAnAttemptEvenTheLast) {
  JobPolicy policy(options_);
  api::SubmitResult reply = Reply(api::Outcome::kRetryable, "HTTP 429: slow down", 2.0);
  reply.http_status = 429;
  const SubmitDecision d = policy.OnSubmitReply({1, options_.max_attempts}, reply, clock_.Now());
  EXPECT_TRUE(d.throttled);
  EXPECT_EQ(d.transition.to, JobState::kPending);
  const auto& retry = RecordAs<Outcomes::Retry>(d.transition);
  EXPECT_TRUE(retry.undo_attempt);
  EXPECT_GE(retry.next_attempt_at, clock_.Now() + 2);
  ASSERT_TRUE(d.pause_submits_until);
  // A 503 at the last attempt still gives up.
  api::SubmitResult down = Reply(api::Outcome::kRetryable, "HTTP 503");
  down.http_status = 503;
  EXPECT_EQ(policy.OnSubmitReply({1, options_.max_attempts}, down, clock_.Now()).transition.to,
            JobState::kFailed);
}

// --- status views ---

TEST_F(JobPolicyTest, StatusesMapToStatesAndKeepWhatTheServiceSaid) {
  JobPolicy policy(options_);
  const PollTarget t = Target(clock_.Now(), JobState::kSubmitted);
  Transition done = policy.OnJobView(t, View("Completed"), clock_.Now());
  EXPECT_EQ(done.from, JobState::kSubmitted);
  EXPECT_EQ(done.to, JobState::kCompleted);
  EXPECT_EQ(RecordAs<Outcomes::Polled>(done).remote_status, "Completed");
  EXPECT_EQ(RecordAs<Outcomes::Polled>(done).log, "partial log");
  Transition failed = policy.OnJobView(t, View("aborted"), clock_.Now());
  EXPECT_EQ(failed.to, JobState::kFailed);
  EXPECT_EQ(RecordAs<Outcomes::Polled>(failed).error, "the service reported status 'aborted'");
  Transition running = policy.OnJobView(t, View("downloading"), clock_.Now());
  EXPECT_EQ(running.to, JobState::kRunning);
}

TEST_F(JobPolicyTest, ARunningJobFailsOnlyPastItsHoursPlusSlack) {
  JobPolicy policy(options_);
  PollTarget t = Target(clock_.Now());
  t.hours = 0.5;
  EXPECT_EQ(policy.Deadline(t), clock_.Now() + 1800 + 600);
  clock_.Advance(1800 + 600);
  EXPECT_EQ(policy.OnJobView(t, View("running"), clock_.Now()).to, JobState::kRunning);
  clock_.Advance(1);
  const Transition late = policy.OnJobView(t, View("running"), clock_.Now());
  EXPECT_EQ(late.to, JobState::kFailed);
  EXPECT_EQ(RecordAs<Outcomes::Polled>(late).error,
            "no final status by the deadline (hours limit plus slack); last status 'running'");
}

TEST_F(JobPolicyTest, ABatchWithoutHoursUsesTheDefault) {
  JobPolicy policy(options_);
  const PollTarget t = Target(clock_.Now());
  EXPECT_EQ(policy.Deadline(t), clock_.Now() + 3600 + 600);
}

TEST_F(JobPolicyTest, AnUnknownStatusWarnsAndCountsAsRunningUntilTheDeadline) {
  JobPolicy policy(options_);
  const PollTarget t = Target(clock_.Now());
  std::optional<Warning> warning;
  const Transition early = policy.OnJobView(t, View("Hatching"), clock_.Now(), &warning);
  EXPECT_EQ(early.to, JobState::kRunning);
  ASSERT_TRUE(warning);
  EXPECT_EQ(warning->key, "status:Hatching");
  EXPECT_EQ(warning->message,
            "unknown status 'Hatching': treated as running until the job's deadline");
  clock_.Advance(3600 + 601);
  EXPECT_EQ(policy.OnJobView(t, View("Hatching"), clock_.Now()).to, JobState::kFailed);
}

TEST_F(JobPolicyTest, AMissingIdWaitsOutTheGraceThenIsSubmittedAgain) {
  JobPolicy policy(options_);
  PollTarget t = Target(clock_.Now());
  const Transition first = policy.OnMissing(t, clock_.Now());
  EXPECT_EQ(first.to, first.from);
  EXPECT_EQ(RecordAs<Outcomes::Missing>(first).id, 7);
  t.missing_since = clock_.Now();
  clock_.Advance(119);
  EXPECT_EQ(policy.OnMissing(t, clock_.Now()).to, JobState::kRunning);
  clock_.Advance(1);
  const Transition again = policy.OnMissing(t, clock_.Now());
  EXPECT_EQ(again.to, JobState::kPending);
  const auto& retry = RecordAs<Outcomes::Retry>(again);
  EXPECT_EQ(retry.next_attempt_at, clock_.Now());
  EXPECT_EQ(
      retry.error,
      "id 00112233445566778899aabbccddeeff missing from status replies for 120 s: submitted again");
}

TEST_F(JobPolicyTest, AMissingIdFailsPastTheGraceWhenThePolicySaysSo) {
  options_.on_missing = RunOptions::MissingPolicy::kFail;
  JobPolicy policy(options_);
  PollTarget t = Target(clock_.Now());
  t.missing_since = clock_.Now();
  clock_.Advance(121);
  const Transition t2 = policy.OnMissing(t, clock_.Now());
  EXPECT_EQ(t2.to, JobState::kFailed);
  EXPECT_EQ(RecordAs<Outcomes::Failed>(t2).error,
            "id 00112233445566778899aabbccddeeff missing from status replies for 121 s");
}

TEST_F(JobPolicyTest, AnIdThatReappearsIsPolledAsUsualEvenPastTheGrace) {
  JobPolicy policy(options_);
  PollTarget t = Target(clock_.Now());
  t.missing_since = clock_.Now();
  clock_.Advance(500);
  const Transition back = policy.OnJobView(t, View("running"), clock_.Now());
  EXPECT_EQ(back.to, JobState::kRunning);
  EXPECT_TRUE(std::holds_alternative<Outcomes::Polled>(back.record));  // clears missing_since
}

TEST_F(JobPolicyTest, SubmittingAMissingIdAgainIsBoundByMaxAttempts) {
  JobPolicy policy(options_);
  PollTarget t = Target(clock_.Now());
  t.missing_since = clock_.Now();
  t.attempts = options_.max_attempts;
  clock_.Advance(options_.missing_grace);
  const Transition last = policy.OnMissing(t, clock_.Now());
  EXPECT_EQ(last.to, JobState::kFailed);
  EXPECT_EQ(RecordAs<Outcomes::Failed>(last).error,
            "gave up after 3 attempt(s): id 00112233445566778899aabbccddeeff missing from status "
            "replies for 120 s");
  t.attempts = options_.max_attempts - 1;
  EXPECT_EQ(policy.OnMissing(t, clock_.Now()).to, JobState::kPending);
}

TEST_F(JobPolicyTest, AMissingIdPastItsDeadlineFailsWithoutWaitingForTheGrace) {
  JobPolicy policy(options_);
  PollTarget t = Target(clock_.Now());
  clock_.Advance(3600 + 601);
  const Transition late = policy.OnMissing(t, clock_.Now());
  EXPECT_EQ(late.to, JobState::kFailed);
  EXPECT_EQ(
      RecordAs<Outcomes::Failed>(late).error,
      "no final status by the deadline (hours limit plus slack); missing from status replies");
}

// --- whole status replies ---

api::StatusResult StatusReply(api::Outcome outcome, std::vector<std::string> requested) {
  api::StatusResult r;
  r.outcome = outcome;
  r.requested = std::move(requested);
  return r;
}

JobPolicy::Targets Tracked(const std::vector<std::string>& ids, Seconds submitted_at) {
  JobPolicy::Targets targets;
  std::int64_t n = 0;
  for (const std::string& id : ids) {
    PollTarget t = Target(submitted_at);
    t.id = ++n;
    t.remote_id = id;
    targets.emplace(id, t);
  }
  return targets;
}

TEST_F(JobPolicyTest, AReplyDecidesEveryTrackedJobItDescribesOrLeavesOut) {
  JobPolicy policy(options_);
  const JobPolicy::Targets targets = Tracked({"a1", "b2", "c3"}, clock_.Now());
  api::StatusResult r = StatusReply(api::Outcome::kSuccess, {"a1", "b2", "c3", "gone"});
  api::JobView a = View("completed");
  a.id = "a1";
  api::JobView b = View("Weird");
  b.id = "b2";
  r.jobs = {a, b};
  r.missing = {"c3", "gone"};
  const PollDecision d = policy.OnStatusReply(r, targets, 100, clock_.Now());
  ASSERT_EQ(d.transitions.size(), 3u);  // "gone" is no longer tracked
  EXPECT_EQ(d.transitions[0].to, JobState::kCompleted);
  EXPECT_EQ(d.transitions[1].to, JobState::kRunning);
  EXPECT_TRUE(std::holds_alternative<Outcomes::Missing>(d.transitions[2].record));
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].key, "status:Weird");
}

TEST_F(JobPolicyTest, ARefusedGetOfManyIdsHalvesTheBatchAndOfOneIdCountsItMissing) {
  JobPolicy policy(options_);
  const JobPolicy::Targets targets = Tracked({"a1", "b2", "c3", "d4"}, clock_.Now());
  const PollDecision many = policy.OnStatusReply(
      StatusReply(api::Outcome::kPermanent, {"a1", "b2", "c3", "d4"}), targets, 100, clock_.Now());
  EXPECT_EQ(many.poll_batch, 2);
  EXPECT_TRUE(many.transitions.empty());
  ASSERT_TRUE(many.log);
  const PollDecision one =
      policy.OnStatusReply(StatusReply(api::Outcome::kPermanent, {"a1"}), targets, 1, clock_.Now());
  ASSERT_EQ(one.transitions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Outcomes::Missing>(one.transitions[0].record));
}

TEST_F(JobPolicyTest, AFailedGetWithRetryAfterPausesPollsAndWarns) {
  JobPolicy policy(options_);
  api::StatusResult r = StatusReply(api::Outcome::kRetryable, {"a1"});
  r.error = "HTTP 429";
  r.retry_after_seconds = 10;
  const PollDecision d = policy.OnStatusReply(r, Tracked({"a1"}, clock_.Now()), 100, clock_.Now());
  EXPECT_EQ(d.pause_polls_until, clock_.Now() + 10);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].message, "status GET failed, will retry: HTTP 429");
}

TEST_F(JobPolicyTest, FailingPollsDoNotKeepAJobAlivePastItsDeadline) {
  JobPolicy policy(options_);
  const JobPolicy::Targets targets = Tracked({"a1", "b2"}, clock_.Now());
  api::StatusResult r = StatusReply(api::Outcome::kRetryable, {"a1", "b2"});
  r.error = "timeout";
  const PollDecision early = policy.OnStatusReply(r, targets, 100, clock_.Now());
  EXPECT_TRUE(early.transitions.empty());
  clock_.Advance(3600 + 601);
  const PollDecision late = policy.OnStatusReply(r, targets, 100, clock_.Now());
  ASSERT_EQ(late.transitions.size(), 2u);
  for (const Transition& t : late.transitions) {
    EXPECT_EQ(t.to, JobState::kFailed);
    EXPECT_EQ(RecordAs<Outcomes::Failed>(t).error,
              "no final status by the deadline (hours limit plus slack); status GETs failing: "
              "timeout");
  }
  // success:false (a refusal) is no different once one id is asked at a time.
  api::StatusResult refused = StatusReply(api::Outcome::kPermanent, {"a1", "b2"});
  refused.error = "service said: busy";
  const PollDecision halved = policy.OnStatusReply(refused, targets, 100, clock_.Now());
  EXPECT_EQ(halved.poll_batch, 1);
  ASSERT_EQ(halved.transitions.size(), 2u);
  EXPECT_EQ(halved.transitions[0].to, JobState::kFailed);
}

TEST_F(JobPolicyTest, AReplyOverTheCapHalvesTheBatchAndFailsAJobWhoseReplyAloneIsTooLarge) {
  JobPolicy policy(options_);
  const JobPolicy::Targets targets = Tracked({"a1", "b2", "c3", "d4"}, clock_.Now());
  api::StatusResult big = StatusReply(api::Outcome::kRetryable, {"a1", "b2", "c3", "d4"});
  big.too_large = true;
  big.error = "reply too large: over 67108864 bytes";
  const PollDecision d = policy.OnStatusReply(big, targets, 100, clock_.Now());
  EXPECT_EQ(d.poll_batch, 2);
  EXPECT_TRUE(d.transitions.empty());
  api::StatusResult alone = StatusReply(api::Outcome::kRetryable, {"c3"});
  alone.too_large = true;
  alone.error = big.error;
  const PollDecision one = policy.OnStatusReply(alone, targets, 1, clock_.Now());
  ASSERT_EQ(one.transitions.size(), 1u);
  EXPECT_EQ(one.transitions[0].to, JobState::kFailed);
  EXPECT_EQ(RecordAs<Outcomes::Failed>(one.transitions[0]).error,
            "its status reply alone is too large (reply too large: over 67108864 bytes); its "
            "output cannot be read");
}

TEST_F(JobPolicyTest, ARefusedTokenOnAPollStopsTheRun) {
  JobPolicy policy(options_);
  api::StatusResult r = StatusReply(api::Outcome::kAuth, {"a1"});
  r.error = "HTTP 403";
  const PollDecision d = policy.OnStatusReply(r, Tracked({"a1"}, clock_.Now()), 100, clock_.Now());
  EXPECT_EQ(d.stop_run, "HTTP 403");
  EXPECT_TRUE(d.transitions.empty());
}

// --- pacing ---

LoopView Idle(Seconds now, std::int64_t pending) {
  return LoopView{.now = now, .pending = pending};
}

TEST(PacerTest, ClaimsFollowTheRateOverTwentySimulatedSeconds) {
  RunOptions o = Options();
  o.rate_per_second = 50;
  o.burst = 5;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  int claimed = 0;
  const Seconds end = clock.Now() + 20;
  while (clock.Now() < end) {
    const Pacer::Claim c = pacer.PlanClaim(Idle(clock.Now(), 100000));
    pacer.Claimed(clock.Now(), c.jobs, c.jobs, std::nullopt);
    claimed += c.jobs;
    clock.Advance(0.003);
  }
  // One token at the start (a burst sent before the connections are up
  // would reach a server late and all at once), then 50 a second.
  EXPECT_NEAR(claimed, 1 + 50 * 20, 2);
}

TEST(PacerTest, ClaimsStopAtTheInFlightLimitAndWhileStopping) {
  RunOptions o = Options();
  o.rate_per_second = 0;
  o.max_in_flight = 8;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  LoopView v = Idle(clock.Now(), 100);
  v.submits_in_flight = 3;
  EXPECT_EQ(pacer.PlanClaim(v).jobs, 5);
  v.submits_in_flight = 8;
  v.now += 1;
  EXPECT_EQ(pacer.PlanClaim(v).jobs, 0);
  v.submits_in_flight = 0;
  v.stopping = true;
  v.outcomes_waiting = true;
  const Pacer::Claim c = pacer.PlanClaim(v);
  EXPECT_EQ(c.jobs, 0);
  EXPECT_TRUE(c.commit);  // what came back is still recorded
}

TEST(PacerTest, RepliesAreCommittedInBatchesWhileFewSlotsAreFree) {
  RunOptions o = Options();
  o.rate_per_second = 0;
  o.max_in_flight = 64;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  LoopView v = Idle(clock.Now(), 0);
  v.outcomes_waiting = true;
  v.submits_in_flight = 60;
  EXPECT_TRUE(pacer.PlanClaim(v).commit);  // the first commit
  clock.Advance(0.001);
  v.now = clock.Now();
  EXPECT_FALSE(pacer.PlanClaim(v).commit);  // 4 free of 64, and only 1 ms later
  clock.Advance(0.002);
  v.now = clock.Now();
  EXPECT_TRUE(pacer.PlanClaim(v).commit);
}

TEST(PacerTest, NothingDueMeansNoClaimUntilTheNextDueTime) {
  RunOptions o = Options();
  o.rate_per_second = 0;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  const Pacer::Claim c = pacer.PlanClaim(Idle(clock.Now(), 10));
  pacer.Claimed(clock.Now(), c.jobs, 0, clock.Now() + 0.1);
  clock.Advance(0.05);
  EXPECT_EQ(pacer.PlanClaim(Idle(clock.Now(), 10)).jobs, 0);
  const auto wait = pacer.Wait(Idle(clock.Now(), 10), 0).count();  // until it is due
  EXPECT_GE(wait, 49);
  EXPECT_LE(wait, 50);
  clock.Advance(0.05);
  EXPECT_GT(pacer.PlanClaim(Idle(clock.Now(), 10)).jobs, 0);
}

TEST(PacerTest, APauseHoldsEverySubmitAndRestartsFromOneToken) {
  RunOptions o = Options();
  o.rate_per_second = 10;
  o.burst = 10;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  pacer.PauseSubmits(clock.Now() + 3);
  clock.Advance(2.9);
  EXPECT_EQ(pacer.PlanClaim(Idle(clock.Now(), 100)).jobs, 0);
  clock.Advance(0.1);
  EXPECT_EQ(pacer.PlanClaim(Idle(clock.Now(), 100)).jobs, 1);
}

TEST(PacerTest, TheWaitIsShortWhileRepliesWaitAndBoundedOtherwise) {
  RunOptions o = Options();
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  LoopView v = Idle(clock.Now(), 0);
  EXPECT_EQ(pacer.Wait(v, 0), std::chrono::milliseconds(100));
  v.outcomes_waiting = true;
  EXPECT_EQ(pacer.Wait(v, 0), std::chrono::milliseconds(2));
}

TEST(PacerTest, PollsTakeJobsDueNowAndJobsDueSoonRideAlong) {
  RunOptions o = Options();
  o.poll_interval = 5;
  o.poll_batch = 100;
  o.max_poll_requests = 8;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  LoopView v = Idle(clock.Now(), 0);
  v.polls_in_flight = 6;
  const auto window = pacer.PlanPolls(v);
  ASSERT_TRUE(window);
  EXPECT_EQ(window->due_before, clock.Now());
  EXPECT_EQ(window->early_before, clock.Now() + 0.25);  // half the shortest wait (5 s / 10)
  EXPECT_EQ(window->batch, 100);
  EXPECT_EQ(window->limit, 200);  // two GETs free
  EXPECT_EQ(window->retry_at, clock.Now() + 5);
  // Fewer than the limit came back: nothing more before the next poll due.
  pacer.Polled(clock.Now(), 10, *window, clock.Now() + 4);
  clock.Advance(3.9);
  EXPECT_FALSE(pacer.PlanPolls(Idle(clock.Now(), 0)));
  clock.Advance(0.1);
  EXPECT_TRUE(pacer.PlanPolls(Idle(clock.Now(), 0)));
  // A poll set sooner since (a reply, a submit, a wake) is looked for then.
  pacer.Polled(clock.Now(), 0, *window, clock.Now() + 30);
  pacer.PollDueAt(clock.Now() + 2);
  clock.Advance(2);
  EXPECT_TRUE(pacer.PlanPolls(Idle(clock.Now(), 0)));
}

TEST(PacerTest, WithPollFixedJobsDueWithinHalfAnIntervalRideAlong) {
  RunOptions o = Options();
  o.poll_interval = 5;
  o.poll_mode = RunOptions::PollMode::kFixed;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  const auto window = pacer.PlanPolls(Idle(clock.Now(), 0));
  ASSERT_TRUE(window);
  EXPECT_EQ(window->early_before, clock.Now() + 2.5);
  EXPECT_EQ(window->retry_at, clock.Now() + 5);
}

TEST(PacerTest, NoPollsWhileStoppingPausedOrEveryGetIsBusy) {
  RunOptions o = Options();
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  LoopView v = Idle(clock.Now(), 0);
  v.polls_in_flight = o.max_poll_requests;
  EXPECT_FALSE(pacer.PlanPolls(v));
  clock.Advance(1);
  v = Idle(clock.Now(), 0);
  v.stopping = true;
  EXPECT_FALSE(pacer.PlanPolls(v));
  pacer.PausePolls(clock.Now() + 10);
  clock.Advance(9);
  EXPECT_FALSE(pacer.PlanPolls(Idle(clock.Now(), 0)));
  clock.Advance(1);
  EXPECT_TRUE(pacer.PlanPolls(Idle(clock.Now(), 0)));
}

TEST(PacerTest, AShrunkenPollBatchGrowsBackAsGetsAreAnswered) {
  RunOptions o = Options();
  o.poll_batch = 100;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  pacer.SetPollBatch(12);
  pacer.PollAnswered();
  EXPECT_EQ(pacer.poll_batch(), 24);
  for (int i = 0; i < 5; ++i) pacer.PollAnswered();
  EXPECT_EQ(pacer.poll_batch(), 100);
}

TEST(PacerTest, A429LowersAFixedRateWhichThenGrowsBackToIt) {
  RunOptions o = Options();
  o.rate_per_second = 20;
  o.burst = 1;
  FakeClock clock;
  Pacer pacer(o, clock.Now());
  const auto claims_over = [&](Seconds seconds) {
    int claimed = 0;
    const Seconds end = clock.Now() + seconds;
    while (clock.Now() < end) {
      const Pacer::Claim c = pacer.PlanClaim(Idle(clock.Now(), 100000));
      pacer.Claimed(clock.Now(), c.jobs, c.jobs, std::nullopt);
      claimed += c.jobs;
      clock.Advance(0.005);
    }
    return claimed;
  };
  EXPECT_NEAR(claims_over(5), 100, 3);
  pacer.Throttled(clock.Now(), 1.0);
  pacer.PauseSubmits(clock.Now() + 1);
  const int after = claims_over(5);
  EXPECT_LT(after, 80);  // not the full rate at once after the pause
  EXPECT_GT(after, 20);
  claims_over(30);
  EXPECT_NEAR(claims_over(5), 100, 3);  // and back to it
  EXPECT_LE(pacer.rate(), 20.0);
}

TEST(RunIsOverTest, StoppingEndsWhenTheWireIsEmptyOrTheGraceIsOver) {
  LoopView v{.now = 100, .stopping = true};
  EXPECT_FALSE(RunIsOver(v, 3, 105, 10));
  EXPECT_TRUE(RunIsOver(v, 0, 105, 10));
  v.now = 105;
  EXPECT_TRUE(RunIsOver(v, 3, 105, 10));
}

TEST(RunIsOverTest, OtherwiseOnlyWhenNothingIsLeftAnywhere) {
  LoopView v{.now = 100};
  EXPECT_TRUE(RunIsOver(v, 0, 0, 0));
  EXPECT_FALSE(RunIsOver(v, 1, 0, 0));
  EXPECT_FALSE(RunIsOver(v, 0, 0, 1));
  v.outcomes_waiting = true;
  EXPECT_FALSE(RunIsOver(v, 0, 0, 0));
}

// --- the circuit breaker ---

api::SubmitResult Refused(api::Refusal refusal, std::string error, long http_status = 200) {
  api::SubmitResult r = Reply(
      refusal == api::Refusal::kUnreachable ? api::Outcome::kRetryable : api::Outcome::kPermanent,
      std::move(error));
  r.refusal = refusal;
  r.http_status = http_status;
  return r;
}

class BreakerTest : public JobPolicyTest {
 protected:
  BreakerTest() { options_.breaker_after = 5; }

  // Claims job `id` of `model` (Admit) and answers it with `reply`.
  SubmitDecision Answer(JobPolicy& policy, std::int64_t id, const std::string& model,
                        const api::SubmitResult& reply) {
    EXPECT_TRUE(policy.Admit(id, model)) << "job " << id;
    return policy.OnSubmitReply({id, 1, model}, reply, clock_.Now());
  }
};

TEST_F(BreakerTest, FiveSubmitsRefusedWithA404TripItAndEachGoesBackToPendingUndone) {
  JobPolicy policy(options_);
  const auto not_found = Refused(api::Refusal::kHttp, "HTTP 404: Not Found", 404);
  for (int id = 1; id <= 4; ++id) {
    const SubmitDecision d = Answer(policy, id, "m", not_found);
    EXPECT_EQ(d.transition.to, JobState::kPending);
    const auto& retry = RecordAs<Outcomes::Retry>(d.transition);
    EXPECT_TRUE(retry.undo_attempt);
    EXPECT_EQ(retry.error, "HTTP 404: Not Found");
    EXPECT_FALSE(d.trip);
  }
  const SubmitDecision d = Answer(policy, 5, "m", not_found);
  EXPECT_TRUE(RecordAs<Outcomes::Retry>(d.transition).undo_attempt);
  ASSERT_TRUE(d.trip);
  EXPECT_EQ(d.trip->refusals, 5);
  EXPECT_EQ(d.trip->jobs, 5);
  EXPECT_EQ(d.trip->http_status, 404);
  // The five need not wait out a backoff in the next run: due now.
  ASSERT_EQ(d.released.size(), 5u);
  for (const Transition& t : d.released) {
    EXPECT_EQ(t.to, JobState::kPending);
    EXPECT_EQ(RecordAs<Outcomes::Due>(t).at, clock_.Now());
  }
  const std::string message = DescribeTrip(*d.trip, "http://h/remotejobs/v3");
  EXPECT_NE(message.find("HTTP 404: Not Found"), std::string::npos) << message;
  EXPECT_NE(message.find("endpoint's path (--endpoint http://h/remotejobs/v3"), std::string::npos)
      << message;
}

TEST_F(BreakerTest, BeforeAnySubmitWentThroughAtMostTheBreakersCountAreOutAtOnce) {
  JobPolicy policy(options_);
  for (int id = 1; id <= 5; ++id) EXPECT_TRUE(policy.Admit(id, id % 2 == 0 ? "a" : "b"));
  EXPECT_FALSE(policy.Admit(6, "a"));
  EXPECT_FALSE(policy.Admit(7, "c"));
  // One reply frees one place; an accepted submit lifts the bound for its model.
  policy.OnSubmitReply({1, 1, "b"}, Reply(api::Outcome::kSuccess), clock_.Now());
  EXPECT_TRUE(policy.Admit(8, "b"));
  EXPECT_TRUE(policy.Admit(9, "b"));
  EXPECT_TRUE(policy.Admit(10, "b"));
}

TEST_F(BreakerTest, ConnectionRefusedTripsAndNamesTheHostAndPortToCheck) {
  JobPolicy policy(options_);
  const auto refused =
      Refused(api::Refusal::kUnreachable, "connection refused: Failed to connect", 0);
  std::optional<Trip> trip;
  for (int id = 1; id <= 5; ++id) trip = Answer(policy, id, "m", refused).trip;
  ASSERT_TRUE(trip);
  const std::string message = DescribeTrip(*trip, "http://127.0.0.1:9/v2");
  EXPECT_NE(message.find("connection refused: Failed to connect"), std::string::npos);
  EXPECT_NE(message.find("host and port"), std::string::npos) << message;
  EXPECT_NE(message.find("pending again with their attempts undone"), std::string::npos);
}

TEST_F(BreakerTest, TheSameServiceErrorForFiveJobsTripsADifferentOneStartsTheCountAgain) {
  JobPolicy policy(options_);
  const auto closed = Refused(api::Refusal::kService, "service said: closed");
  for (int id = 1; id <= 3; ++id) EXPECT_FALSE(Answer(policy, id, "m", closed).trip);
  EXPECT_FALSE(Answer(policy, 4, "m", Refused(api::Refusal::kService, "service said: other")).trip);
  for (int id = 5; id <= 8; ++id) EXPECT_FALSE(Answer(policy, id, "m", closed).trip) << id;
  // Admitted: refusals in a row are 4 (the "other" one broke the row).
  EXPECT_TRUE(Answer(policy, 9, "m", closed).trip);
}

TEST_F(BreakerTest, TransientFailuresNeitherTripItNorCountAgainstTheBound) {
  JobPolicy policy(options_);
  const auto refused = Refused(api::Refusal::kService, "service said: closed");
  for (int id = 1; id <= 4; ++id) Answer(policy, id, "m", refused);
  for (int i = 0; i < 20; ++i) {
    const std::int64_t id = 100 + i;
    const SubmitDecision d = Answer(policy, id, "m", Reply(api::Outcome::kRetryable, "HTTP 503"));
    EXPECT_FALSE(d.trip);
    EXPECT_FALSE(RecordAs<Outcomes::Retry>(d.transition).undo_attempt);  // a normal retry
  }
  auto throttled = Reply(api::Outcome::kRetryable, "HTTP 429", 1.0);
  throttled.http_status = 429;
  EXPECT_FALSE(Answer(policy, 200, "m", throttled).trip);
  EXPECT_TRUE(Answer(policy, 5, "m", refused).trip);
}

TEST_F(BreakerTest, AModelTheServiceRefusesIsHeldWhileTheOthersGoOn) {
  JobPolicy policy(options_);
  std::optional<Hold> hold;
  std::int64_t id = 1;
  for (int i = 0; i < 5; ++i) {
    const SubmitDecision ok = Answer(policy, id++, "good", Reply(api::Outcome::kSuccess));
    EXPECT_FALSE(ok.trip);
    const SubmitDecision d =
        Answer(policy, id++, "phi3:mini",
               Refused(api::Refusal::kService, "service said: Unknown model: phi3:mini"));
    EXPECT_FALSE(d.trip);
    EXPECT_TRUE(RecordAs<Outcomes::Retry>(d.transition).undo_attempt);
    if (d.hold) hold = d.hold;
  }
  ASSERT_TRUE(hold);
  EXPECT_EQ(hold->model, "phi3:mini");
  EXPECT_EQ(hold->reason, "service said: Unknown model: phi3:mini");
  EXPECT_FALSE(policy.Admit(id++, "phi3:mini"));
  EXPECT_TRUE(policy.Admit(id++, "good"));
  const std::string message = DescribeHold(*hold);
  EXPECT_NE(message.find("model's name 'phi3:mini'"), std::string::npos) << message;
}

TEST_F(BreakerTest, AnHttpRefusalNamingTheModelHoldsTheModelInsteadOfBlamingThePath) {
  JobPolicy policy(options_);
  std::optional<Hold> hold;
  for (int id = 1; id <= 5; ++id) {
    const SubmitDecision d = Answer(
        policy, id, "phi3:mini",
        Refused(api::Refusal::kHttp, "HTTP 404: service said: Unknown model: phi3:mini", 404));
    EXPECT_FALSE(d.trip);
    if (d.hold) hold = d.hold;
  }
  ASSERT_TRUE(hold);
  const std::string message = DescribeHold(*hold);
  EXPECT_NE(message.find("check: the model's name 'phi3:mini'"), std::string::npos) << message;
  EXPECT_EQ(message.find("endpoint's path"), std::string::npos) << message;
}

TEST_F(BreakerTest, AModelsNameCountsOnlyAsAWholeWord) {
  JobPolicy policy(options_);
  // Model "a" is not named by "said", so both models' answers agree.
  std::optional<Trip> trip;
  for (int id = 1; id <= 5; ++id) {
    trip = Answer(policy, id, id % 2 == 0 ? "a" : "b",
                  Refused(api::Refusal::kService, "service said: Queue is closed"))
               .trip;
  }
  EXPECT_TRUE(trip);
}

TEST_F(BreakerTest, AnUntriedModelHasAtMostTheBreakersCountOutOrRefused) {
  JobPolicy policy(options_);
  Answer(policy, 1, "good", Reply(api::Outcome::kSuccess));
  const auto unknown = Refused(api::Refusal::kService, "service said: Unknown model: x");
  Answer(policy, 2, "x", unknown);
  Answer(policy, 3, "x", unknown);
  EXPECT_TRUE(policy.Admit(4, "x"));
  EXPECT_TRUE(policy.Admit(5, "x"));
  EXPECT_TRUE(policy.Admit(6, "x"));
  EXPECT_FALSE(policy.Admit(7, "x"));  // 2 refused + 3 out
  EXPECT_TRUE(policy.Admit(8, "good"));
}

TEST_F(BreakerTest, AnAnswerNamingTheModelHoldsItEvenBeforeAnythingWentThrough) {
  JobPolicy policy(options_);
  // The manifest's first jobs are all of a model the service does not know.
  const auto unknown = Refused(api::Refusal::kService, "service said: Unknown model: old");
  std::optional<Hold> hold;
  for (int id = 1; id <= 5; ++id) {
    const SubmitDecision d = Answer(policy, id, "old", unknown);
    EXPECT_FALSE(d.trip);
    if (d.hold) hold = d.hold;
  }
  ASSERT_TRUE(hold);
  EXPECT_EQ(hold->model, "old");
  // The other models are tried next, each within its own bound.
  EXPECT_FALSE(policy.Admit(6, "old"));
  EXPECT_TRUE(policy.Admit(7, "new"));
  EXPECT_FALSE(Answer(policy, 8, "new", Reply(api::Outcome::kSuccess)).trip);
}

TEST_F(BreakerTest, AnAnswerNotNamingTheModelTripsTheRunWhenNothingGoesThrough) {
  JobPolicy policy(options_);
  std::optional<Trip> trip;
  for (int id = 1; id <= 5; ++id) {
    trip = Answer(policy, id, "m" + std::to_string(id % 2),
                  Refused(api::Refusal::kService, "service said: Invalid input format"))
               .trip;
  }
  EXPECT_TRUE(trip);
}

TEST_F(BreakerTest, ARefusalThatProvesToBeOneJobsOwnFailsItWhenItsModelGoesThrough) {
  JobPolicy policy(options_);
  const auto bad = Refused(api::Refusal::kHttp, "HTTP 400: prompt too long", 400);
  const SubmitDecision refused = Answer(policy, 1, "m", bad);
  EXPECT_EQ(refused.transition.to, JobState::kPending);
  const SubmitDecision ok = Answer(policy, 2, "m", Reply(api::Outcome::kSuccess));
  ASSERT_EQ(ok.released.size(), 1u);
  EXPECT_EQ(ok.released[0].from, JobState::kPending);
  EXPECT_EQ(ok.released[0].to, JobState::kFailed);
  const auto& row = RecordAs<Outcomes::Refused>(ok.released[0]);
  EXPECT_EQ(row.id, 1);
  EXPECT_EQ(row.error, "submit refused: HTTP 400: prompt too long");
  // Released once: the next acceptance releases nothing more.
  EXPECT_TRUE(Answer(policy, 3, "m", Reply(api::Outcome::kSuccess)).released.empty());
}

TEST_F(BreakerTest, AJobRefusedAgainAfterItWentBackFailsAsItWouldWithoutTheBreaker) {
  JobPolicy policy(options_);
  const auto bad = Refused(api::Refusal::kHttp, "HTTP 400: prompt too long", 400);
  Answer(policy, 1, "m", bad);
  const SubmitDecision again = Answer(policy, 1, "m", bad);
  EXPECT_EQ(again.transition.to, JobState::kFailed);
  EXPECT_EQ(RecordAs<Outcomes::Failed>(again.transition).error,
            "submit refused: HTTP 400: prompt too long");
  EXPECT_FALSE(again.trip);
}

TEST_F(BreakerTest, OffEveryRefusedJobFailsOnItsOwnAndNothingIsBounded) {
  options_.breaker_after = 0;
  JobPolicy policy(options_);
  for (int id = 1; id <= 100; ++id) {
    const SubmitDecision d =
        Answer(policy, id, "m", Refused(api::Refusal::kHttp, "HTTP 404: Not Found", 404));
    EXPECT_EQ(d.transition.to, JobState::kFailed);
    EXPECT_FALSE(d.trip);
  }
}

}  // namespace
}  // namespace gridbatch::run
