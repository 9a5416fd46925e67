#include "gridbatch/progress_reporter.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace gridbatch::run {
namespace {

Progress At(double now, std::int64_t pending, std::int64_t completed, std::int64_t finished) {
  Progress p;
  p.started = 100;
  p.now = now;
  p.counts[static_cast<std::size_t>(JobState::kPending)] = pending;
  p.counts[static_cast<std::size_t>(JobState::kCompleted)] = completed;
  p.finished = finished;
  p.submits = finished;
  return p;
}

TEST(ProgressReporterTest, FormatsDurations) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(59.4), "59s");
  EXPECT_EQ(FormatDuration(245), "4m05s");
  EXPECT_EQ(FormatDuration(3723), "1h02m03s");
}

TEST(ProgressReporterTest, PlainLinesComeEveryFewSecondsWithRatesAndEta) {
  std::ostringstream out;
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kPlain, .plain_every = 5});
  reporter->Tick(At(100, 100, 0, 0));
  reporter->Tick(At(102, 80, 20, 20));  // too soon for a line
  reporter->Tick(At(105, 50, 50, 50));
  EXPECT_EQ(out.str(),
            "pending 100 completed 0 | submit 0.0/s, done 0.0/s\n"
            "pending 50 completed 50 | submit 10.0/s, done 10.0/s | ETA 5s\n");
}

TEST(ProgressReporterTest, JsonModeWritesOneObjectPerLine) {
  std::ostringstream out;
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kJson});
  reporter->Tick(At(101, 3, 1, 1));
  reporter->Log("a \"quoted\"\nmessage");
  reporter->Finish(At(102, 0, 4, 4));
  const std::string text = out.str();
  EXPECT_NE(text.find("{\"event\":\"progress\",\"elapsed\":1.000,\"pending\":3,"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{\"event\":\"log\",\"message\":\"a \\\"quoted\\\"\\nmessage\"}\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{\"event\":\"summary\""), std::string::npos) << text;
}

TEST(ProgressReporterTest, QuietModePrintsNothingButLogs) {
  std::ostringstream out;
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kNone});
  reporter->Tick(At(200, 1, 1, 1));
  reporter->Finish(At(201, 0, 2, 2));
  EXPECT_EQ(out.str(), "");
  reporter->Log("warning");
  EXPECT_EQ(out.str(), "gridbatch: warning\n");
}

TEST(ProgressReporterTest, TheSummarySaysHowManyCompletedFailedAndAreLeft) {
  std::ostringstream out;
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kPlain});
  Progress p = At(161, 2, 7, 7);
  p.counts[static_cast<std::size_t>(JobState::kFailed)] = 1;
  p.poll_requests = 12;
  reporter->Finish(p);
  EXPECT_EQ(out.str(),
            "gridbatch: run ended after 1m01s: 7 completed, 1 failed, 0 cancelled, 2 not final; "
            "7 submits, 12 status requests this run\n");
}

}  // namespace
}  // namespace gridbatch::run
