// `gridbatch status` rendering: a report built by hand (the store's tests
// check how one is read), written as a table and as JSON.
#include "status_format.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace gridbatch::cli {
namespace {

using store::StateCounts;

StateCounts Counts(std::uint64_t pending, std::uint64_t submitting, std::uint64_t running,
                   std::uint64_t completed, std::uint64_t failed) {
  StateCounts counts;
  counts[JobState::kPending] = pending;
  counts[JobState::kSubmitting] = submitting;
  counts[JobState::kRunning] = running;
  counts[JobState::kCompleted] = completed;
  counts[JobState::kFailed] = failed;
  return counts;
}

// Two batches; capitals has two models and jobs in several states.
store::StatusReport Report() {
  store::StatusReport report;
  store::BatchStatus capitals{.name = "capitals",
                              .app = "gridrepublic:text-inference",
                              .hours = 2,
                              .manifest_path = "capitals.yaml",
                              .updated_at = "2023-11-14T22:13:20.000Z"};
  capitals.models = {{"gemma:2b", Counts(1, 0, 0, 1, 1)}, {"llama3:8b", Counts(1, 1, 0, 0, 1)}};
  capitals.counts = Counts(2, 1, 0, 1, 2);
  store::BatchStatus other{.name = "other",
                           .app = "gridrepublic:text-inference",
                           .updated_at = "2023-11-14T22:13:20.000Z"};
  other.models = {{"gemma:2b", Counts(0, 0, 1, 0, 0)}};
  other.counts = Counts(0, 0, 1, 0, 0);
  report.batches = {capitals, other};
  report.totals = Counts(2, 1, 1, 1, 2);
  report.uncertain_count = 1;
  report.uncertain = {{.batch = "capitals",
                       .prompt_id = "q1",
                       .model = "llama3:8b",
                       .attempts = 1,
                       .updated_at = "2026-01-01T00:00:04Z"}};
  report.recent_errors = {{"timed out\nafter 30 s", 1, "2026-01-01T00:00:03Z"},
                          {"HTTP 500", 2, "2026-01-01T00:00:02Z"}};
  return report;
}

TEST(StatusFormatTest, WritesATableForPeople) {
  std::ostringstream out;
  WriteStatusText(Report(), out);
  EXPECT_EQ(out.str(),
            "batch capitals (gridrepublic:text-inference, 2 h, capitals.yaml, loaded "
            "2023-11-14T22:13:20.000Z)\n"
            "  model      pending  submitting  submitted  running  completed  failed  cancelled"
            "   total\n"
            "  gemma:2b         1           0          0        0          1       1          0"
            "       3\n"
            "  llama3:8b        1           1          0        0          0       1          0"
            "       3\n"
            "  all              2           1          0        0          1       2          0"
            "       6\n"
            "\n"
            "batch other (gridrepublic:text-inference, loaded 2023-11-14T22:13:20.000Z)\n"
            "  model     pending  submitting  submitted  running  completed  failed  cancelled"
            "   total\n"
            "  gemma:2b        0           0          0        1          0       0          0"
            "       1\n"
            "\n"
            "total: 7 job(s): 2 pending, 1 submitting, 1 running, 1 completed, 2 failed\n"
            "\n"
            "1 job(s) left in 'submitting': their submit may or may not have reached the service\n"
            "  capitals q1 llama3:8b repeat 0, attempts 1, since 2026-01-01T00:00:04Z\n"
            "\n"
            "recent errors (jobs not completed):\n"
            "  1 job(s), last 2026-01-01T00:00:03Z: timed out after 30 s\n"
            "  2 job(s), last 2026-01-01T00:00:02Z: HTTP 500\n");
}

TEST(StatusFormatTest, WritesJsonForScripts) {
  store::StatusReport report = Report();
  report.batches.pop_back();
  std::ostringstream out;
  WriteStatusJson(report, out);
  const auto json = nlohmann::json::parse(out.str());
  EXPECT_EQ(json["batches"].size(), 1u);
  EXPECT_EQ(json["batches"][0]["name"], "capitals");
  EXPECT_EQ(json["batches"][0]["hours"], 2.0);
  EXPECT_EQ(json["batches"][0]["manifest_path"], "capitals.yaml");
  EXPECT_EQ(json["batches"][0]["models"][1].dump(),
            R"({"counts":{"cancelled":0,"completed":0,"failed":1,"pending":1,"running":0,)"
            R"("submitted":0,"submitting":1,"total":3},"held":null,"model":"llama3:8b"})");
  EXPECT_EQ(json["totals"]["total"], 7);
  EXPECT_EQ(json["uncertain"].dump(),
            R"({"count":1,"jobs":[{"attempts":1,"batch":"capitals","model":"llama3:8b",)"
            R"("prompt_id":"q1","repeat_index":0,"updated_at":"2026-01-01T00:00:04Z"}]})");
  EXPECT_EQ(json["recent_errors"].dump(),
            R"([{"error":"timed out\nafter 30 s","jobs":1,"last_seen":"2026-01-01T00:00:03Z"},)"
            R"({"error":"HTTP 500","jobs":2,"last_seen":"2026-01-01T00:00:02Z"}])");
}

TEST(StatusFormatTest, ListsHowManyMoreUncertainJobsThereAre) {
  store::StatusReport report = Report();
  report.uncertain_count = 6;
  std::ostringstream out;
  WriteStatusText(report, out);
  EXPECT_NE(out.str().find("6 job(s) left in 'submitting'"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  ... and 5 more\n"), std::string::npos) << out.str();
}

TEST(StatusFormatTest, AnEmptyDatabaseSaysSo) {
  std::ostringstream out;
  WriteStatusText({}, out);
  EXPECT_EQ(out.str(), "no batches loaded\n");
}

}  // namespace
}  // namespace gridbatch::cli
