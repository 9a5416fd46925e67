#include "gridbatch/run/progress_reporter.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace gridbatch::run {
namespace {

Progress At(double now, std::int64_t pending, std::int64_t completed, std::int64_t finished) {
  Progress p;
  p.started = 100;
  p.now = now;
  p.counts[JobState::kPending] = pending;
  p.counts[JobState::kCompleted] = completed;
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
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kNone, .summary = false});
  reporter->Tick(At(200, 1, 1, 1));
  reporter->Finish(At(201, 0, 2, 2));
  EXPECT_EQ(out.str(), "");
  reporter->Log("warning");
  EXPECT_EQ(out.str(), "gridbatch: warning\n");
}

TEST(ProgressReporterTest, NoProgressStillEndsWithTheSummary) {
  std::ostringstream out;
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kNone});
  reporter->Tick(At(200, 1, 1, 1));
  EXPECT_EQ(out.str(), "");
  reporter->Finish(At(201, 0, 2, 2));
  EXPECT_EQ(
      out.str(),
      "gridbatch: run ended after 1m41s: 2 completed, 0 failed, 0 cancelled; 0 submits sent (2 "
      "accepted), 0 "
      "status requests this run\n");
}

TEST(ProgressReporterTest, TheJsonSummarysRatesAreOverTheWholeRun) {
  std::ostringstream out;
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kJson});
  reporter->Tick(At(100, 9, 0, 0));
  reporter->Finish(At(100.3, 0, 9, 9));  // shorter than one rate sample
  const std::string text = out.str();
  EXPECT_NE(text.find("\"finished\":9,\"status_requests\":0,\"submit_rate\":30.00,"
                      "\"finish_rate\":30.00}"),
            std::string::npos)
      << text;
}

// A progress with every state non-zero and four-digit counts: the widest line.
Progress Busy(double now) {
  Progress p = At(now, 1058, 63, 0);
  for (JobState state : kAllJobStates) {
    if (p.counts[state] == 0) p.counts[state] = 1040;
  }
  p.finished = static_cast<std::int64_t>((now - 100) * 4.3);
  p.submits = static_cast<std::int64_t>((now - 100) * 14);
  return p;
}

// The live line's redraws: what follows each "\r\033[K".
std::vector<std::string> Redraws(const std::string& text) {
  std::vector<std::string> lines;
  const std::string clear = "\r\033[K";
  for (std::size_t at = text.find(clear); at != std::string::npos; at = text.find(clear, at + 1)) {
    const std::size_t start = at + clear.size();
    lines.push_back(text.substr(start, text.find_first_of("\r\n", start) - start));
  }
  return lines;
}

TEST(ProgressReporterTest, TheLiveLineFitsTheTerminalShorteningItsFields) {
  for (const int width : {200, 80, 40, 20}) {
    std::ostringstream out;
    auto reporter = MakeReporter(
        out, {.mode = ProgressMode::kBar, .terminal_width = [width] { return width; }});
    for (double now = 100; now <= 112; now += 1) reporter->Tick(Busy(now));
    const std::vector<std::string> lines = Redraws(out.str());
    ASSERT_EQ(lines.size(), 13u) << width;
    for (const std::string& line : lines) {
      EXPECT_LT(line.size(), static_cast<std::size_t>(width)) << width << ": " << line;
    }
    const std::string& last = lines.back();
    if (width == 200) {
      EXPECT_EQ(last,
                "pending 1058 submitting 1040 submitted 1040 running 1040 completed 63 failed "
                "1040 cancelled 1040 | submit 14.0/s, done 4.3/s | ETA 16m12s");
    } else if (width == 80) {
      EXPECT_EQ(last,
                "pend 1058 subm 1040 sent 1040 run 1040 done 63 fail 1040 canc 1040 | ETA "
                "16m12s");
    } else if (width == 40) {
      EXPECT_EQ(last, "pend 1058 subm 1040 sent 1040 run 1040");
    } else {
      EXPECT_EQ(last, "pend 1058 subm 1040");
    }
  }
}

TEST(ProgressReporterTest, WithoutAWidthTheLiveLineFitsEightyColumns) {
  std::ostringstream out;
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kBar});
  reporter->Tick(Busy(110));
  const std::vector<std::string> lines = Redraws(out.str());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_LT(lines[0].size(), 80u) << lines[0];
}

TEST(ProgressReporterTest, TheSummarySaysHowManyCompletedFailedAndAreLeft) {
  std::ostringstream out;
  auto reporter = MakeReporter(out, {.mode = ProgressMode::kPlain});
  Progress p = At(161, 2, 7, 7);
  p.counts[JobState::kFailed] = 1;
  p.poll_requests = 12;
  p.submits_sent = 9;
  reporter->Finish(p);
  EXPECT_EQ(out.str(),
            "gridbatch: run ended after 1m01s: 7 completed, 1 failed, 0 cancelled, 2 not final; "
            "9 submits sent (7 accepted), 12 status requests this run\n");
}

}  // namespace
}  // namespace gridbatch::run
