#include "gridbatch/run/runner.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <thread>

#include "gridbatch/util/time_format.hpp"
#include "run_test_support.hpp"

namespace gridbatch::run {
namespace {

using testing::RunFixture;

using testing::Prompts;

class RunnerTest : public RunFixture {};

TEST_F(RunnerTest, TwoThousandJobsOverTwoModelsCompleteWithTheirOwnOutputs) {
  StartSim({.queue_seconds = 0.05, .run_seconds = 0.2});
  Load("sweep", Prompts(1000), {"gemma:2b", "llama3:8b"});
  const RunResult result = Run(FastOptions());
  EXPECT_FALSE(result.interrupted);
  EXPECT_EQ(result.counts[JobState::kCompleted], 2000);
  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 2000u);
  for (const auto& row : rows) {
    ASSERT_EQ(row.state, "completed");
    ASSERT_EQ(row.output, sim::FinalLog(row.model, row.prompt));
    ASSERT_EQ(row.attempts, 1);
  }
  const sim::Counters c = sim_->GetCounters();
  EXPECT_EQ(c.submits_accepted, 2000u);
  EXPECT_EQ(c.duplicate_submits, 0u);
  EXPECT_TRUE(reporter_.finished);
}

TEST_F(RunnerTest, EveryJobEndsFinalAndCorrectUnderInjectedFaults) {
  sim::SimOptions sim_options{.queue_seconds = 0.05, .run_seconds = 0.2, .seed = 7};
  sim_options.faults = {
      .p_429 = 0.10, .p_5xx = 0.10, .p_reset = 0.05, .p_truncated = 0.05, .retry_after_seconds = 1};
  StartSim(sim_options);
  auto prompts = Prompts(200);
  for (int i = 0; i < 10; ++i) prompts.push_back("doomed " + std::to_string(i) + " [[fail]]");
  for (int i = 0; i < 10; ++i) prompts.push_back("stopped " + std::to_string(i) + " [[abort]]");
  Load("faulty", prompts, {"gemma:2b"});
  RunOptions options = FastOptions();
  options.max_attempts = 30;
  const RunResult result = Run(options);
  EXPECT_FALSE(result.interrupted);
  for (const auto& row : Rows()) {
    if (row.prompt.find("[[fail]]") != std::string::npos) {
      EXPECT_EQ(row.state, "failed");
      EXPECT_EQ(row.error, "the service reported status 'failed'");
    } else if (row.prompt.find("[[abort]]") != std::string::npos) {
      EXPECT_EQ(row.state, "failed");
      EXPECT_EQ(row.error, "the service reported status 'aborted'");
    } else {
      ASSERT_EQ(row.state, "completed") << row.prompt << ": " << row.error;
      EXPECT_EQ(row.output, sim::FinalLog(row.model, row.prompt));
    }
  }
  const sim::Counters c = sim_->GetCounters();
  EXPECT_GT(c.sent_429, 0u);
  EXPECT_GT(c.sent_5xx, 0u);
  EXPECT_GT(c.resets, 0u);
  EXPECT_GT(c.truncated, 0u);
}

TEST_F(RunnerTest, StatusesAreComparedWithoutRegardToCase) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .status_case = "title"});
  Load("titled", {"one [[abort]]", "two"}, {"m"});
  Run(FastOptions());
  const auto rows = Rows();
  EXPECT_EQ(rows[0].state, "failed");
  EXPECT_EQ(rows[0].remote_status, "Aborted");
  EXPECT_EQ(rows[1].state, "completed");
  EXPECT_EQ(rows[1].remote_status, "Completed");
}

TEST_F(RunnerTest, AnUnknownStatusIsLoggedOnceAndTreatedAsRunningUntilTheDeadline) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  Load("odd", {"a", "b"}, {"m"});
  RunOptions options = FastOptions();
  // Treat the simulator's "completed" as unknown, and give jobs no time at all.
  options.statuses =
      StatusMap({"finished"}, {"failed"}, {"running", "provisioning", "downloading"});
  options.default_hours = 0;
  options.deadline_slack = 0.5;
  Run(options);
  for (const auto& row : Rows()) {
    EXPECT_EQ(row.state, "failed");
    EXPECT_EQ(row.error,
              "no final status by the deadline (hours limit plus slack); last status 'completed'");
  }
  int warnings = 0;
  for (const auto& log : reporter_.logs) {
    if (log == "unknown status 'completed': treated as running until the job's deadline")
      ++warnings;
  }
  EXPECT_EQ(warnings, 1);
}

TEST_F(RunnerTest, APermanentSubmitErrorFailsTheJobAtOnceWithTheServiceMessage) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .models = {"gemma:2b"}});
  Load("models", {"hello"}, {"gemma:2b", "nosuch:1b"});
  Run(FastOptions());
  const auto rows = Rows();
  EXPECT_EQ(rows[0].state, "completed");
  EXPECT_EQ(rows[1].state, "failed");
  EXPECT_EQ(rows[1].attempts, 1);
  EXPECT_NE(rows[1].error.find("submit refused: "), std::string::npos) << rows[1].error;
  EXPECT_NE(rows[1].error.find("nosuch:1b"), std::string::npos) << rows[1].error;
}

TEST_F(RunnerTest, RetryableErrorsGiveUpAfterMaxAttemptsKeepingTheLastError) {
  sim::SimOptions sim_options{.queue_seconds = 0.02, .run_seconds = 0.05};
  sim_options.faults.p_5xx = 1.0;
  StartSim(sim_options);
  Load("down", {"x"}, {"m"});
  RunOptions options = FastOptions();
  options.max_attempts = 3;
  Run(options);
  const auto rows = Rows();
  EXPECT_EQ(rows[0].state, "failed");
  EXPECT_EQ(rows[0].attempts, 3);
  EXPECT_EQ(rows[0].error.rfind("gave up after 3 attempt(s): ", 0), 0u) << rows[0].error;
}

TEST_F(RunnerTest, ARefusedTokenStopsTheRunAndLeavesJobsPendingWithNoAttemptSpent) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  Load("auth", Prompts(20), {"m"});
  static const std::atomic<int> kNever{0};
  const RunResult result = Run(FastOptions(), kNever, "wrong-token-value");
  EXPECT_TRUE(result.auth_failed);
  for (const auto& row : Rows()) {
    EXPECT_EQ(row.state, "pending");
    EXPECT_EQ(row.attempts, 0);
    EXPECT_EQ(row.error.find("wrong-token-value"), std::string::npos);
  }
  EXPECT_EQ(result.auth_error.find("wrong-token-value"), std::string::npos);
}

TEST_F(RunnerTest, IdsMissingFromRepliesPastTheGraceAreSubmittedAgain) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.1});
  Load("forgot", Prompts(5), {"m"});
  sim::Faults omit;
  omit.p_omit = 1.0;
  sim_->SetFaults(omit);
  RunOptions options = FastOptions();
  options.missing_grace = 0.3;
  options.poll_batch = 1;  // the simulator omits one id per reply: here, the only one
  // Heal once every job was submitted again after its grace.
  std::thread heal([&] {
    EXPECT_TRUE(WaitUntil([&] { return sim_->GetCounters().submits_accepted >= 10; }));
    sim_->SetFaults({});
  });
  Run(options);
  heal.join();
  for (const auto& row : Rows()) {
    EXPECT_EQ(row.state, "completed");
    EXPECT_GE(row.attempts, 2);
    EXPECT_EQ(row.output, sim::FinalLog(row.model, row.prompt));
  }
}

TEST_F(RunnerTest, IdsMissingPastTheGraceFailWhenThePolicySaysSo) {
  sim::SimOptions sim_options{.queue_seconds = 0.02, .run_seconds = 0.1};
  sim_options.faults.p_omit = 1.0;
  StartSim(sim_options);
  Load("forgot", Prompts(3), {"m"});
  RunOptions options = FastOptions();
  options.missing_grace = 0.3;
  options.poll_batch = 1;
  options.on_missing = RunOptions::MissingPolicy::kFail;
  Run(options);
  for (const auto& row : Rows()) {
    EXPECT_EQ(row.state, "failed");
    EXPECT_NE(row.error.find("missing from status replies"), std::string::npos) << row.error;
  }
}

// Issue 16, 1: ids the service never reports are submitted again only up to
// --max-attempts, then fail: the run ends.
TEST_F(RunnerTest, IdsMissingForEverAreSubmittedAgainOnlyUpToMaxAttempts) {
  sim::SimOptions sim_options{.queue_seconds = 0.02, .run_seconds = 0.1};
  sim_options.faults.p_omit = 1.0;
  StartSim(sim_options);
  Load("forgot", Prompts(4), {"m"});
  RunOptions options = FastOptions();
  options.missing_grace = 0.2;
  options.poll_batch = 1;
  options.max_attempts = 2;
  const RunResult result = Run(options);
  EXPECT_FALSE(result.interrupted);
  for (const auto& row : Rows()) {
    EXPECT_EQ(row.state, "failed");
    EXPECT_EQ(row.attempts, 2);
    EXPECT_EQ(row.error.rfind("gave up after 2 attempt(s): id ", 0), 0u) << row.error;
  }
  EXPECT_EQ(sim_->GetCounters().submits_accepted, 8u);
}

// Issue 16, 5: a server limiting below the client's rate answers 429s; they
// slow the client down and use up no job's attempts, so every job completes.
TEST_F(RunnerTest, AServerLimitBelowTheRateSlowsTheRunButFailsNoJob) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .submit_rate = 10, .submit_burst = 1});
  Load("limited", Prompts(40), {"m"});
  RunOptions options = FastOptions();
  options.rate_per_second = 20;
  options.max_attempts = 2;
  options.poll_interval = 0.2;
  const RunResult result = Run(options);
  EXPECT_FALSE(result.interrupted);
  EXPECT_GT(sim_->GetCounters().sent_429 + sim_->GetCounters().rate_limited, 0u);
  for (const auto& row : Rows()) {
    ASSERT_EQ(row.state, "completed") << row.error;
    EXPECT_EQ(row.attempts, 1);  // the refused submits made no job and count none
  }
  EXPECT_EQ(sim_->GetCounters().submits_accepted, 40u);
}

// Issue 12, 3: --limit N submits N jobs spread over the models, drives them
// to their end and stops; the next run goes on with the rest.
TEST_F(RunnerTest, ALimitSubmitsThatManyJobsOverTheModelsAndTheNextRunDoesTheRest) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  Load("tryout", Prompts(10), {"gemma:2b", "llama3:8b"});
  RunOptions options = FastOptions();
  options.limit = 4;
  const RunResult first = Run(options);
  EXPECT_FALSE(first.interrupted);
  std::map<std::string, int> completed_per_model;
  int pending = 0;
  for (const auto& row : Rows()) {
    if (row.state == "completed") ++completed_per_model[row.model];
    if (row.state == "pending") ++pending;
  }
  EXPECT_EQ(completed_per_model["gemma:2b"], 2);
  EXPECT_EQ(completed_per_model["llama3:8b"], 2);
  EXPECT_EQ(pending, 16);
  EXPECT_EQ(sim_->GetCounters().submits_accepted, 4u);
  options.limit.reset();
  Run(options);
  for (const auto& row : Rows()) EXPECT_EQ(row.state, "completed");
  EXPECT_EQ(sim_->GetCounters().submits_accepted, 20u);
}

TEST_F(RunnerTest, AStopRequestRecordsRepliesOnTheWireAndLeavesTheRestResumable) {
  StartSim({.queue_seconds = 0.05, .run_seconds = 0.3});
  Load("stop", Prompts(300), {"m"});
  std::atomic<int> stop{0};
  RunOptions options = FastOptions();
  options.rate_per_second = 200;
  std::thread stopper([&] {  // stop a sixth of the way in
    EXPECT_TRUE(WaitUntil([&] { return sim_->GetCounters().submits_accepted >= 50; }));
    stop = 1;
  });
  const RunResult first = Run(options, stop);
  stopper.join();
  EXPECT_TRUE(first.interrupted);
  auto counts = StateCounts();
  EXPECT_EQ(counts["submitting"], 0);  // every reply on the wire was recorded
  EXPECT_GT(counts["pending"], 0);
  const RunResult second = Run(options);
  EXPECT_FALSE(second.interrupted);
  EXPECT_EQ(second.uncertain, 0);
  for (const auto& row : Rows()) {
    ASSERT_EQ(row.state, "completed");
    ASSERT_EQ(row.output, sim::FinalLog(row.model, row.prompt));
  }
  EXPECT_EQ(sim_->GetCounters().duplicate_submits, 0u);
}

TEST_F(RunnerTest, RowsLeftSubmittingAreResubmittedOrFailedByPolicy) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05});
  Load("uncertain", Prompts(4), {"m"});
  {
    SQLite::Database db(db_path_, SQLite::OPEN_READWRITE);
    db.exec("UPDATE job_state SET state = 'submitting', attempts = 1 WHERE job_id IN (1, 2)");
  }
  RunOptions options = FastOptions();
  options.on_uncertain = RunOptions::UncertainPolicy::kFail;
  const RunResult result = Run(options);
  EXPECT_EQ(result.uncertain, 2);
  const auto rows = Rows();
  EXPECT_EQ(rows[0].state, "failed");
  EXPECT_EQ(rows[0].error,
            "submit interrupted, outcome unknown: not submitted again (--on-uncertain fail)");
  EXPECT_EQ(rows[2].state, "completed");
  ASSERT_FALSE(reporter_.logs.empty());
  EXPECT_NE(reporter_.logs[0].find("2 job(s) were left 'submitting'"), std::string::npos);
}

TEST_F(RunnerTest, ARateLimitHoldsWithinFivePercentAndDrawsNo429) {
  // The simulator refuses submits beyond 50/s; the client is paced at 50/s.
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .submit_rate = 50, .submit_burst = 50});
  Load("paced", Prompts(261), {"m"});
  RunOptions options = FastOptions();
  options.rate_per_second = 50;
  options.poll_interval = 1;
  Run(options);
  SQLite::Database db(db_path_);
  SQLite::Statement q(db, "SELECT submitted_at FROM job_state ORDER BY submitted_at");
  std::vector<double> times;
  while (q.executeStep()) times.push_back(*ParseIsoTime(q.getColumn(0).getString()));
  ASSERT_EQ(times.size(), 261u);
  // Skip the initial burst: measure the steady rate over the rest (about 5 s;
  // the pacing arithmetic itself is PacerTest's, over 20 simulated seconds).
  const std::size_t skip = 10;
  const double rate = static_cast<double>(times.size() - 1 - skip) / (times.back() - times[skip]);
  EXPECT_NEAR(rate, 50.0, 2.5) << "achieved " << rate << "/s";
  EXPECT_EQ(sim_->GetCounters().sent_429, 0u);
  for (const auto& row : Rows()) EXPECT_EQ(row.attempts, 1);
}

// The repro: a server limiting at 40/s with burst 5 and a client at
// --rate 40/s --burst 5. Both buckets starting full drew a 429 within the
// first second (the first submits reach the server late, while their
// connections are set up, and later ones on time).
TEST_F(RunnerTest, AServerLimitingAtTheClientsOwnRateAndBurstSendsNo429EvenAtTheStart) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .submit_rate = 40, .submit_burst = 5});
  Load("edge", Prompts(120), {"m"});
  RunOptions options = FastOptions();
  options.rate_per_second = 40;
  options.burst = 5;
  options.poll_interval = 1;
  const RunResult result = Run(options);
  EXPECT_EQ(result.counts[JobState::kCompleted], 120);
  EXPECT_EQ(sim_->GetCounters().rate_limited, 0u);
  EXPECT_EQ(result.progress.submits, 120);
}

TEST_F(RunnerTest, TheSubmitCountSaysHowManyWereSentRefusedOnesIncluded) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .models = {"gemma:2b"}});
  Load("models", Prompts(6), {"gemma:2b", "nosuch:1b"});
  RunOptions options = FastOptions();
  options.breaker_after = 0;  // each refused job fails on its own
  const RunResult result = Run(options);
  const sim::Counters c = sim_->GetCounters();
  EXPECT_EQ(c.submits_accepted, 6u);
  EXPECT_EQ(c.submits_rejected, 6u);
  EXPECT_EQ(result.progress.submits, 6);
  EXPECT_EQ(result.progress.submits_sent, 12);
}

TEST_F(RunnerTest, RateAutoFindsAnUnknownLimitAndFinishesEveryJob) {
  StartSim({.queue_seconds = 0.02, .run_seconds = 0.05, .submit_rate = 30, .submit_burst = 5});
  Load("auto", Prompts(150), {"m"});
  RunOptions options = FastOptions();
  options.auto_rate_max = 100;
  options.rate_per_second = 5;
  options.poll_interval = 1;
  options.max_attempts = 20;
  const RunResult result = Run(options);
  EXPECT_EQ(result.counts[JobState::kCompleted], 150);
  const sim::Counters c = sim_->GetCounters();
  // Slow start overshoots 30/s: the controller hears 429s and backs off.
  EXPECT_GE(c.rate_limited, 1u);
  EXPECT_LT(c.rate_limited, 30u);
  EXPECT_EQ(result.progress.submits_sent, 150 + static_cast<std::int64_t>(c.rate_limited));
}

// The adaptive schedule against the simulator, end to end: a cohort of
// jobs of about 2 s, polled adaptively and then with --poll-fixed at the
// same --poll-interval. Every job completes either way; the adaptive run
// asks about far fewer ids (no timing is asserted: the counts differ by
// several times, the margin is wide).
TEST_F(RunnerTest, AdaptivePollingFinishesEveryJobAskingAboutFewerIdsThanFixedPolling) {
  const auto ids_polled = [this](RunOptions::PollMode mode) {
    const std::string name = mode == RunOptions::PollMode::kFixed ? "fixed" : "adaptive";
    db_path_ = (dir_ / (name + ".db")).string();
    StartSim({.queue_seconds = 0.3, .run_seconds = 1.5, .jitter = 0.5});
    Load(name, Prompts(300), {"m"});
    RunOptions options = FastOptions();
    options.poll_mode = mode;
    options.poll_interval = 0.2;
    options.poll_max = 2;
    const RunResult result = Run(options);
    EXPECT_EQ(result.counts[JobState::kCompleted], 300);
    const std::uint64_t ids = sim_->GetCounters().ids_polled;
    sim_->Stop();
    return ids;
  };
  const std::uint64_t adaptive = ids_polled(RunOptions::PollMode::kAdaptive);
  const std::uint64_t fixed = ids_polled(RunOptions::PollMode::kFixed);
  std::cerr << "ids polled for 300 jobs: adaptive " << adaptive << ", fixed " << fixed << "\n";
  EXPECT_LT(adaptive * 2, fixed);
}

}  // namespace
}  // namespace gridbatch::run
