// store::ReportReader on real database files: the aggregates computed in
// SQL against counts worked out by hand, the even sampling of the results
// rows, and the snapshot a writer cannot disturb.
#include "gridbatch/store/report_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gridbatch/error.hpp"
#include "gridbatch/store/job_store.hpp"
#include "gridbatch/store/status_report.hpp"
#include "test_db.hpp"

namespace gridbatch {
namespace {

using testing::JobRow;
using testing::TempDir;
using testing::TestDb;

// A job submitted `submit` seconds and finished `finish` seconds after 10:00:00.
JobRow Finished(const std::string& prompt_id, const std::string& model, double submit,
                double finish, const std::string& state = "completed") {
  const auto at = [](double s) {
    char text[40];
    std::snprintf(text, sizeof text, "2024-05-06T10:%02d:%06.3fZ", static_cast<int>(s) / 60,
                  s - 60 * (static_cast<int>(s) / 60));
    return std::string(text);
  };
  JobRow row{.prompt_id = prompt_id, .model = model, .state = state};
  row.attempts = 1;
  row.submitted_at = at(submit);
  row.finished_at = at(finish);
  row.updated = at(finish);
  return row;
}

class ReportReaderTest : public ::testing::Test {
 protected:
  store::ReportData Aggregates(store::ReportOptions options = {}) {
    auto store =
        store::JobStore::Open(db_.path().string(), {.mode = store::OpenOptions::Mode::kReadOnly});
    store::ReportReader reader(*store, options);
    return reader.ReadAggregates();
  }

  std::vector<store::ReportResultRow> Rows(store::ReportOptions options = {}) {
    auto store =
        store::JobStore::Open(db_.path().string(), {.mode = store::OpenOptions::Mode::kReadOnly});
    store::ReportReader reader(*store, options);
    std::vector<store::ReportResultRow> rows;
    reader.ForEachResultRow([&](const store::ReportResultRow& row) { rows.push_back(row); });
    return rows;
  }

  TempDir dir_;
  TestDb db_{dir_ / "jobs.db"};
};

TEST_F(ReportReaderTest, CountsPerBatchModelAndStateEqualStatus) {
  const char* states[] = {"pending", "submitting", "running", "completed", "failed", "cancelled"};
  for (int i = 0; i < 30; ++i) {
    db_.Insert(JobRow{.batch = i % 3 ? "b1" : "b2",
                      .prompt_id = "p" + std::to_string(i),
                      .model = i % 2 ? "m1" : "m2",
                      .state = states[i % 6]});
  }
  db_.Exec(
      "INSERT INTO batches (name, app, created_at, updated_at) VALUES ('empty', 'a', 'x', 'x')");
  const store::ReportData data = Aggregates();
  auto store =
      store::JobStore::Open(db_.path().string(), {.mode = store::OpenOptions::Mode::kReadOnly});
  const store::StatusReport status = store::BuildStatusReport(*store);
  ASSERT_EQ(data.summary.batches.size(), status.batches.size());
  for (std::size_t b = 0; b < status.batches.size(); ++b) {
    EXPECT_EQ(data.summary.batches[b].name, status.batches[b].name);
    ASSERT_EQ(data.summary.batches[b].models.size(), status.batches[b].models.size());
    for (std::size_t m = 0; m < status.batches[b].models.size(); ++m) {
      EXPECT_EQ(data.summary.batches[b].models[m].model, status.batches[b].models[m].model);
      for (const JobState state : kAllJobStates) {
        EXPECT_EQ(data.summary.batches[b].models[m].counts[state],
                  status.batches[b].models[m].counts[state]);
      }
    }
  }
  for (const JobState state : kAllJobStates)
    EXPECT_EQ(data.summary.totals[state], status.totals[state]);
  EXPECT_EQ(data.summary.totals.Total(), 30u);
  EXPECT_EQ(data.summary.uncertain, 5u);
  EXPECT_EQ(data.models, (std::vector<std::string>{"m1", "m2"}));
}

TEST_F(ReportReaderTest, SumsSubmitsAndCountsJobsResubmittedAfterAnInterruptedSubmit) {
  JobRow once = Finished("p1", "m1", 0, 10);
  JobRow thrice = Finished("p2", "m1", 0, 10);
  thrice.attempts = 3;
  thrice.error = "HTTP 429: service said: Too many requests";
  JobRow resubmitted = Finished("p3", "m1", 0, 10);
  resubmitted.attempts = 2;
  resubmitted.error = "submit interrupted, outcome unknown: submitted again";
  for (const JobRow& row : {once, thrice, resubmitted}) db_.Insert(row);
  const store::ReportSummary s = Aggregates().summary;
  EXPECT_EQ(s.submits, 6u);
  EXPECT_EQ(s.retried_submits, 3u);
  EXPECT_EQ(s.suspected_duplicates, 1u);
}

TEST_F(ReportReaderTest, WallTimeRunsFromTheFirstSubmitToTheLastFinish) {
  db_.Insert(Finished("p1", "m1", 5, 20));
  db_.Insert(Finished("p2", "m2", 7, 65.5, "failed"));
  const store::ReportSummary s = Aggregates().summary;
  EXPECT_NEAR(s.wall_seconds, 60.5, 0.01);
  EXPECT_EQ(s.first_submit, "2024-05-06T10:00:05.000Z");
  EXPECT_EQ(s.last_finish, "2024-05-06T10:01:05.500Z");
}

TEST_F(ReportReaderTest, RuntimePercentilesAreTheNearestRanks) {
  for (int i = 1; i <= 200; ++i) {
    JobRow row = Finished("p" + std::to_string(i), "m1", 0, 1);
    row.runtime = (i + 1) / 2;  // 1, 1, 2, 2, ... 100, 100
    db_.Insert(row);
  }
  const store::ReportDistribution d = Aggregates({.histogram_bins = 10}).runtime;
  ASSERT_EQ(d.models.size(), 1u);
  const auto& m = d.models[0];
  EXPECT_EQ(m.count, 200u);
  EXPECT_EQ(m.min, 1);
  EXPECT_EQ(m.max, 100);
  EXPECT_EQ(m.p50, 50);
  EXPECT_EQ(m.p90, 90);
  EXPECT_EQ(m.p99, 99);
  // Whole seconds: 10 bins of 10 s from 1 to past the p99 (99), 91 to 100 the last.
  EXPECT_TRUE(d.integral);
  EXPECT_EQ(d.low, 1);
  EXPECT_EQ(d.bin_width, 10);
  EXPECT_EQ(d.high, 101);
  EXPECT_FALSE(d.last_bin_open);
  ASSERT_EQ(m.bins.size(), 10u);
  std::uint64_t sum = 0;
  for (const auto n : m.bins) sum += n;
  EXPECT_EQ(sum, 200u);
  EXPECT_EQ(m.bins.front(), 20u);  // 1 to 10
  EXPECT_EQ(m.bins.back(), 20u);   // 91 to 100
}

TEST_F(ReportReaderTest, TheLastBinHoldsWhatLiesPastTheLargestP99) {
  for (int i = 1; i <= 100; ++i) {
    JobRow row = Finished("p" + std::to_string(i), "m1", 0, 1);
    row.runtime = i == 100 ? 5000 : 2 + i % 3;  // 2, 3, 4 and one far outlier
    db_.Insert(row);
  }
  const store::ReportDistribution d = Aggregates().runtime;
  EXPECT_EQ(d.models[0].p99, 4);
  EXPECT_EQ(d.models[0].max, 5000);
  EXPECT_EQ(d.bin_width, 1);
  ASSERT_EQ(d.models[0].bins.size(), 3u);  // 2, 3, and 4 with everything above
  EXPECT_TRUE(d.last_bin_open);
  EXPECT_EQ(d.models[0].bins[2], 34u);  // 33 fours and the outlier
}

TEST_F(ReportReaderTest, TurnaroundAndOutputLengthPerModel) {
  JobRow a = Finished("p1", "m1", 0, 3);
  a.output = "four";
  JobRow b = Finished("p1", "m2", 0, 30);
  b.output = std::string(1000, 'x');
  JobRow failed = Finished("p2", "m2", 0, 12, "failed");
  for (const JobRow& row : {a, b, failed}) db_.Insert(row);
  const store::ReportData data = Aggregates();
  ASSERT_EQ(data.turnaround.models.size(), 2u);
  EXPECT_NEAR(data.turnaround.models[0].p50, 3, 0.001);
  EXPECT_EQ(data.turnaround.models[1].count, 2u);  // completed and failed
  EXPECT_NEAR(data.turnaround.models[1].max, 30, 0.001);
  ASSERT_EQ(data.output_length.models.size(), 2u);
  EXPECT_EQ(data.output_length.models[0].max, 4);
  EXPECT_EQ(data.output_length.models[1].max, 1000);
  EXPECT_TRUE(data.runtime.models.empty());  // no runtime reported
}

TEST_F(ReportReaderTest, ProgressIsCumulativePerModelUpToEveryJob) {
  for (int i = 0; i < 10; ++i) db_.Insert(Finished("p" + std::to_string(i), "m1", i, i + 10));
  JobRow running = Finished("r", "m2", 4, 0, "running");
  running.finished_at.reset();
  db_.Insert(running);
  const store::ReportProgress p = Aggregates({.time_buckets = 5}).progress;
  EXPECT_EQ(p.start, "2024-05-06T10:00:00.000Z");
  ASSERT_EQ(p.models.size(), 2u);
  EXPECT_EQ(p.models[0].model, "m1");
  EXPECT_EQ(p.models[0].submitted.back(), 10u);
  EXPECT_EQ(p.models[0].finished.back(), 10u);
  EXPECT_EQ(p.models[1].submitted.back(), 1u);
  EXPECT_EQ(p.models[1].finished.back(), 0u);
  for (std::size_t i = 1; i < p.models[0].submitted.size(); ++i) {
    EXPECT_GE(p.models[0].submitted[i], p.models[0].submitted[i - 1]);
  }
  EXPECT_EQ(p.models[0].submitted.size(), 5u);
}

TEST_F(ReportReaderTest, FailuresListTheMostFrequentReasonsAndSumTheRest) {
  const auto fail = [&](const std::string& id, const std::string& model, const std::string& error) {
    JobRow row{.prompt_id = id, .model = model, .state = "failed"};
    row.error = error;
    db_.Insert(row);
  };
  for (int i = 0; i < 3; ++i) fail("a" + std::to_string(i), "m1", "timeout");
  fail("b", "m2", "timeout");
  fail("c", "m2", "HTTP 400: bad model");
  fail("d", "m1", "rare one");
  fail("e", "m1", "rare two");
  const auto failures = Aggregates({.max_failure_reasons = 2}).failures;
  ASSERT_EQ(failures.size(), 4u);
  EXPECT_EQ(failures[0].reason, "timeout");
  EXPECT_EQ(failures[0].model, "m1");
  EXPECT_EQ(failures[0].jobs, 3u);
  EXPECT_EQ(failures[1].reason, "timeout");
  EXPECT_EQ(failures[1].jobs, 1u);
  EXPECT_EQ(failures[2].reason, "HTTP 400: bad model");
  EXPECT_EQ(failures[3].reason, "");  // the other reasons, summed
  EXPECT_EQ(failures[3].jobs, 2u);
}

TEST_F(ReportReaderTest, AttemptsPerModel) {
  for (int attempts : {0, 1, 1, 3, 25}) {
    db_.Insert(JobRow{.attempts = attempts});
  }
  const auto attempts = Aggregates().attempts;
  ASSERT_EQ(attempts.size(), 4u);
  EXPECT_EQ(attempts[0].attempts, 0);
  EXPECT_EQ(attempts[1].attempts, 1);
  EXPECT_EQ(attempts[1].jobs, 2u);
  EXPECT_EQ(attempts[3].attempts, 20);  // 20 or more
}

TEST_F(ReportReaderTest, RowsHoldEveryModelOfAPromptAndRepeat) {
  for (int repeat = 0; repeat < 2; ++repeat) {
    for (const char* model : {"m2", "m1"}) {
      JobRow row{.prompt_id = "q", .model = model, .prompt = "What?", .repeat = repeat};
      row.output = std::string("answer of ") + model;
      row.vars = R"({"lang":"fr"})";
      db_.Insert(row);
    }
  }
  const auto rows = Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].index, 1);
  EXPECT_EQ(rows[0].total, 2);
  EXPECT_EQ(rows[1].repeat, 1);
  EXPECT_EQ(rows[0].prompt, "What?");
  EXPECT_EQ(rows[0].vars, R"({"lang":"fr"})");
  ASSERT_EQ(rows[0].cells.size(), 2u);
  EXPECT_EQ(rows[0].cells[0].model, "m1");
  EXPECT_EQ(rows[0].cells[0].output, "answer of m1");
  EXPECT_EQ(rows[0].cells[1].model, "m2");
}

TEST_F(ReportReaderTest, RowsAreSampledEvenlyPastMaxRows) {
  for (int i = 1; i <= 10; ++i) {
    for (const char* model : {"m1", "m2"}) {
      db_.Insert(JobRow{.prompt_id = "p" + std::to_string(i), .model = model});
    }
  }
  const auto rows = Rows({.max_rows = 3});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].index, 4);
  EXPECT_EQ(rows[1].index, 7);
  EXPECT_EQ(rows[2].index, 10);
  EXPECT_EQ(rows[2].prompt_id, "p10");
  EXPECT_EQ(rows[2].total, 10);
  EXPECT_EQ(rows[2].cells.size(), 2u);
  EXPECT_EQ(Rows({.max_rows = 50}).size(), 10u);
}

TEST_F(ReportReaderTest, LongOutputsAreCutWithTheirLengthKept) {
  JobRow row;
  row.output = std::string(5000, 'y');
  db_.Insert(row);
  const auto rows = Rows({.max_output_chars = 100});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells[0].output->size(), 100u);
  EXPECT_EQ(rows[0].cells[0].output_chars, 5000);
}

TEST_F(ReportReaderTest, SelectsOneBatchAndRefusesAnUnknownOne) {
  db_.Insert(JobRow{.batch = "b1"});
  db_.Insert(JobRow{.batch = "b2"});
  const store::ReportData data = Aggregates({.batch = "b2"});
  ASSERT_EQ(data.summary.batches.size(), 1u);
  EXPECT_EQ(data.summary.batches[0].name, "b2");
  EXPECT_EQ(data.summary.totals.Total(), 1u);
  EXPECT_EQ(Rows({.batch = "b2"}).size(), 1u);
  try {
    Aggregates({.batch = "nope"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
}

TEST_F(ReportReaderTest, ReadsOneSnapshotWhileAWriterChangesJobs) {
  for (int i = 0; i < 4; ++i)
    db_.Insert(JobRow{.prompt_id = "p" + std::to_string(i), .state = "running"});
  auto store =
      store::JobStore::Open(db_.path().string(), {.mode = store::OpenOptions::Mode::kReadOnly});
  store::ReportReader reader(*store, {});
  const store::ReportData data = reader.ReadAggregates();
  // The writer carries on (WAL): it is neither blocked nor seen.
  db_.Exec("UPDATE job_state SET state = 'completed'");
  db_.Insert(JobRow{.prompt_id = "late"});
  std::vector<std::string> states;
  reader.ForEachResultRow(
      [&](const store::ReportResultRow& row) { states.push_back(row.cells[0].state); });
  EXPECT_EQ(data.summary.totals[JobState::kRunning], 4u);
  EXPECT_EQ(states, (std::vector<std::string>(4, "running")));
}

}  // namespace
}  // namespace gridbatch
