#include "gridbatch/store/status_report.hpp"

#include <gtest/gtest.h>

#include "gridbatch/error.hpp"
#include "store_test_util.hpp"

namespace gridbatch::store {
namespace {

using testing::Batch;
using testing::Exec;
using testing::Job;
using testing::Load;
using testing::TempDir;

// Two batches; capitals has two models and jobs in several states.
class StatusReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = JobStore::Open(path_);
    BatchSpec capitals = Batch("capitals");
    capitals.hours = 2;
    capitals.manifest_path = "capitals.yaml";
    BatchLoader loader(*store_, capitals, FakeClock(1700000000));
    for (const char* model : {"gemma:2b", "llama3:8b"}) {
      for (const char* id : {"q1", "q2", "q3"}) loader.Add(Job(id, model));
    }
    loader.Commit();
    BatchLoader other(*store_, Batch("other"), FakeClock(1700000000));
    other.Add(Job("x", "gemma:2b"));
    other.Commit();
    Exec(path_, R"sql(
      UPDATE job_state SET state = 'completed', last_error = 'old', updated_at = '2026-01-01T00:00:09Z'
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'q1' AND model = 'gemma:2b');
      UPDATE job_state SET state = 'failed', last_error = 'HTTP 500', updated_at = '2026-01-01T00:00:02Z'
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'q2' AND model = 'gemma:2b');
      UPDATE job_state SET state = 'failed', last_error = 'HTTP 500', updated_at = '2026-01-01T00:00:01Z'
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'q3' AND model = 'llama3:8b');
      UPDATE job_state SET state = 'submitting', attempts = 1, updated_at = '2026-01-01T00:00:04Z'
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'q1' AND model = 'llama3:8b');
      UPDATE job_state SET last_error = 'timed out
after 30 s', updated_at = '2026-01-01T00:00:03Z'
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'q2' AND model = 'llama3:8b');
      UPDATE job_state SET state = 'running' WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id = 'x');)sql");
  }

  TempDir dir_;
  std::string path_ = dir_.File("status.db");
  std::unique_ptr<JobStore> store_;
};

TEST_F(StatusReportTest, CountsJobsPerBatchModelAndState) {
  const StatusReport report = BuildStatusReport(*store_);
  ASSERT_EQ(report.batches.size(), 2u);
  const BatchStatus& capitals = report.batches[0];
  EXPECT_EQ(capitals.name, "capitals");
  ASSERT_EQ(capitals.models.size(), 2u);
  EXPECT_EQ(capitals.models[0].model, "gemma:2b");
  EXPECT_EQ(capitals.models[0].counts[JobState::kPending], 1);
  EXPECT_EQ(capitals.models[0].counts[JobState::kCompleted], 1);
  EXPECT_EQ(capitals.models[0].counts[JobState::kFailed], 1);
  EXPECT_EQ(capitals.models[1].counts[JobState::kSubmitting], 1);
  EXPECT_EQ(capitals.counts.Total(), 6);
  EXPECT_EQ(report.batches[1].counts[JobState::kRunning], 1);
  EXPECT_EQ(report.totals.Total(), 7);
  EXPECT_EQ(report.totals[JobState::kPending], 2u);
}

TEST_F(StatusReportTest, OneBatchOnlyWhenAsked) {
  const StatusReport report = BuildStatusReport(*store_, {.batch = "other"});
  ASSERT_EQ(report.batches.size(), 1u);
  EXPECT_EQ(report.totals.Total(), 1);
  EXPECT_EQ(report.uncertain_count, 0u);
  EXPECT_TRUE(report.recent_errors.empty());
}

TEST_F(StatusReportTest, AnUnknownBatchIsAnErrorThatNamesTheKnownOnes) {
  try {
    BuildStatusReport(*store_, {.batch = "capitols"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_EQ(std::string(e.what()),
              "database " + path_ + ": no batch named 'capitols' (batches: capitals, other)");
  }
}

TEST_F(StatusReportTest, ListsOnlyTheFirstFewUncertainJobsAndErrors) {
  Exec(path_, "UPDATE job_state SET state = 'submitting' WHERE batch_id = 1");
  const StatusReport report =
      BuildStatusReport(*store_, {.batch = std::nullopt, .max_uncertain = 2, .max_errors = 1});
  EXPECT_EQ(report.uncertain_count, 6u);
  EXPECT_EQ(report.uncertain.size(), 2u);
  ASSERT_EQ(report.recent_errors.size(), 1u);
  EXPECT_EQ(report.recent_errors[0].error, "old");  // no longer completed, so it counts
}

TEST(StatusReportEmptyTest, AnEmptyDatabaseHasNoBatches) {
  TempDir dir;
  auto store = JobStore::Open(dir.File("empty.db"));
  const StatusReport report = BuildStatusReport(*store);
  EXPECT_TRUE(report.batches.empty());
  EXPECT_EQ(report.totals.Total(), 0u);
}

}  // namespace
}  // namespace gridbatch::store
