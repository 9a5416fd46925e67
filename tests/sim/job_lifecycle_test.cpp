#include "job_lifecycle.hpp"

#include <gtest/gtest.h>

#include <set>

#include "sim_server.hpp"

namespace gridbatch::sim {
namespace {

const JobTiming kTiming{2.0, 10.0};  // provisioning 0-1 s, downloading 1-2 s, running 2-12 s

TEST(JobLifecycleTest, WalksThroughEveryPhaseByTimeSinceSubmit) {
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kCompleted, 0.0).phase, Phase::kProvisioning);
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kCompleted, 0.99).phase, Phase::kProvisioning);
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kCompleted, 1.0).phase, Phase::kDownloading);
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kCompleted, 1.99).phase, Phase::kDownloading);
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kCompleted, 2.0).phase, Phase::kRunning);
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kCompleted, 11.99).phase, Phase::kRunning);
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kCompleted, 12.0).phase, Phase::kCompleted);
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kCompleted, 1e6).phase, Phase::kCompleted);
}

TEST(JobLifecycleTest, LogAndRuntimeGrowWhileRunning) {
  const JobProgress early = ProgressAt(kTiming, Outcome::kCompleted, 2.5);
  const JobProgress late = ProgressAt(kTiming, Outcome::kCompleted, 9.5);
  EXPECT_DOUBLE_EQ(early.log_fraction, 0.05);
  EXPECT_EQ(early.runtime_seconds, 0);
  EXPECT_DOUBLE_EQ(late.log_fraction, 0.75);
  EXPECT_EQ(late.runtime_seconds, 7);
  const JobProgress done = ProgressAt(kTiming, Outcome::kCompleted, 20);
  EXPECT_DOUBLE_EQ(done.log_fraction, 1.0);
  EXPECT_EQ(done.runtime_seconds, 10);
}

TEST(JobLifecycleTest, QueuedJobsShowNoLogAndNoRuntime) {
  const JobProgress queued = ProgressAt(kTiming, Outcome::kCompleted, 1.5);
  EXPECT_DOUBLE_EQ(queued.log_fraction, 0);
  EXPECT_EQ(queued.runtime_seconds, 0);
}

TEST(JobLifecycleTest, FailingAndAbortingJobsStopHalfwayWithHalfTheirLog) {
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kFailed, 6.9).phase, Phase::kRunning);
  const JobProgress failed = ProgressAt(kTiming, Outcome::kFailed, 7.0);
  EXPECT_EQ(failed.phase, Phase::kFailed);
  EXPECT_DOUBLE_EQ(failed.log_fraction, 0.5);
  EXPECT_EQ(failed.runtime_seconds, 5);
  EXPECT_EQ(ProgressAt(kTiming, Outcome::kAborted, 100).phase, Phase::kAborted);
}

TEST(JobLifecycleTest, ZeroTimesCompleteAtOnce) {
  const JobProgress p = ProgressAt({0, 0}, Outcome::kCompleted, 0);
  EXPECT_EQ(p.phase, Phase::kCompleted);
  EXPECT_DOUBLE_EQ(p.log_fraction, 1.0);
}

TEST(JobLifecycleTest, MarkersDecideTheOutcomeAndFailWinsOverAbort) {
  EXPECT_EQ(OutcomeOf("plain", "[[fail]]", "[[abort]]"), Outcome::kCompleted);
  EXPECT_EQ(OutcomeOf("x [[fail]] y", "[[fail]]", "[[abort]]"), Outcome::kFailed);
  EXPECT_EQ(OutcomeOf("[[abort]]", "[[fail]]", "[[abort]]"), Outcome::kAborted);
  EXPECT_EQ(OutcomeOf("[[abort]][[fail]]", "[[fail]]", "[[abort]]"), Outcome::kFailed);
  EXPECT_EQ(OutcomeOf("anything", "", ""), Outcome::kCompleted);
}

TEST(JobLifecycleTest, StatusesAreSpelledInTheConfiguredCase) {
  EXPECT_EQ(StatusName(Phase::kCompleted, StatusCase::kLower), "completed");
  EXPECT_EQ(StatusName(Phase::kCompleted, StatusCase::kTitle), "Completed");
  EXPECT_EQ(StatusName(Phase::kProvisioning, StatusCase::kTitle), "Provisioning");
  EXPECT_EQ(StatusName(Phase::kAborted, StatusCase::kLower), "aborted");
  EXPECT_EQ(VmStatusName(Phase::kDownloading), "downloading");
  EXPECT_EQ(VmStatusName(Phase::kFailed), "stopped");
}

TEST(JobLifecycleTest, JitterStaysWithinItsFractionAndIsReproducible) {
  std::set<double> values;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const double v = Jittered(10.0, 0.25, 7, i, 0);
    EXPECT_GE(v, 7.5);
    EXPECT_LT(v, 12.5);
    EXPECT_EQ(v, Jittered(10.0, 0.25, 7, i, 0));
    values.insert(v);
  }
  EXPECT_GT(values.size(), 990u);
  EXPECT_EQ(Jittered(10.0, 0.0, 7, 3, 1), 10.0);
  EXPECT_NE(Jittered(10.0, 0.25, 7, 3, 0), Jittered(10.0, 0.25, 8, 3, 0));
}

TEST(JobLifecycleTest, LogPrefixNeverSplitsAUtf8Character) {
  const std::string log =
      "ab\xC3\xA9"
      "cd";  // "abécd", é is two bytes
  EXPECT_EQ(LogPrefix(log, 0.0), "");
  EXPECT_EQ(LogPrefix(log, 2.0 / 6.0), "ab");
  EXPECT_EQ(LogPrefix(log, 3.0 / 6.0), "ab");  // byte 3 is inside the é
  EXPECT_EQ(LogPrefix(log, 4.0 / 6.0), "ab\xC3\xA9");
  EXPECT_EQ(LogPrefix(log, 1.0), log);
  EXPECT_EQ(LogPrefix(log, 7.0), log);
}

TEST(FinalLogTest, QuotesThePromptVerbatimAndIsDeterministic) {
  const std::string prompt = "Say \"hi\"\n\twith \\ and \x01 and \xF0\x9F\x98\x80";
  const std::string log = FinalLog("gemma:2b", prompt);
  EXPECT_EQ(log.rfind("[gemma:2b] " + prompt + "\n", 0), 0u);
  EXPECT_EQ(log, FinalLog("gemma:2b", prompt));
  EXPECT_NE(log.substr(prompt.size() + 12),
            FinalLog("llama3:8b", prompt).substr(prompt.size() + 13));
  EXPECT_EQ(log.back(), '.');
}

// Pinned so that a change of FinalLog, which tests elsewhere rely on being
// the same in every process, is a visible decision.
TEST(FinalLogTest, HasAFixedValueForAKnownInput) {
  EXPECT_EQ(FinalLog("m", "p"),
            "[m] p\nshard output compute result volunteer volunteer model output batch shard "
            "compute batch sweep vector sweep shard grid compute output result volunteer prime "
            "model shard.");
}

}  // namespace
}  // namespace gridbatch::sim
