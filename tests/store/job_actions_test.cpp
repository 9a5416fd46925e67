#include "gridbatch/store/job_actions.hpp"

#include <gtest/gtest.h>

#include "gridbatch/error.hpp"
#include "store_test_util.hpp"

namespace gridbatch::store {
namespace {

using testing::Batch;
using testing::Exec;
using testing::Job;
using testing::QueryText;
using testing::TempDir;

// Batches a and b, each with models m1 and m2, and per model one job in each
// of: pending, failed, cancelled, completed.
class JobActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = JobStore::Open(path_);
    for (const char* batch : {"a", "b"}) {
      BatchLoader loader(*store_, Batch(batch), clock_);
      for (const char* model : {"m1", "m2"}) {
        for (const char* id : {"pending", "failed", "cancelled", "completed"}) {
          loader.Add(Job(id, model));
        }
      }
      loader.Commit();
    }
    Exec(path_, R"sql(
      UPDATE job_state SET state = (SELECT prompt_id FROM jobs WHERE id = job_id)
        WHERE job_id IN (SELECT id FROM jobs WHERE prompt_id <> 'pending');
      UPDATE jobs SET output = 'partial', runtime = 7, remote_created = 'c'
        WHERE prompt_id = 'failed';
      UPDATE job_state SET attempts = 3, next_attempt_at = 99, remote_id = 'r1',
        remote_status = 'Failed', vm_status = 'done', submitted_at = 's', finished_at = 'f',
        last_polled_at = 5, missing_since = 4, last_error = 'HTTP 500'
        WHERE state = 'failed';)sql");
  }

  // "batch/model/prompt_id:state" of every job, in a stable order.
  std::string States() {
    return QueryText(path_,
                     "SELECT group_concat(s, ' ') FROM (SELECT b.name || '/' || j.model || "
                     "'/' || j.prompt_id || ':' || s.state AS s FROM jobs j JOIN job_state s "
                     "ON s.job_id = j.id JOIN batches b ON b.id = j.batch_id "
                     "WHERE j.prompt_id <> s.state ORDER BY 1)");
  }

  TempDir dir_;
  std::string path_ = dir_.File("actions.db");
  FakeClock clock_{1700000000};
  std::unique_ptr<JobStore> store_;
};

TEST_F(JobActionsTest, RetryMakesFailedJobsPendingAndClearsTheirLastAttempt) {
  clock_.Set(1700000100);
  EXPECT_EQ(RetryJobs(*store_, {}, clock_), 4u);
  EXPECT_EQ(States(),
            "a/m1/failed:pending a/m2/failed:pending b/m1/failed:pending "
            "b/m2/failed:pending");
  EXPECT_EQ(QueryText(path_,
                      "SELECT attempts || '|' || next_attempt_at || '|' || "
                      "ifnull(remote_id, 'NULL') || ifnull(remote_status, 'NULL') || "
                      "ifnull(vm_status, 'NULL') || ifnull(output, 'NULL') || "
                      "ifnull(runtime, 'NULL') || ifnull(remote_created, 'NULL') || "
                      "ifnull(submitted_at, 'NULL') || ifnull(finished_at, 'NULL') || '|' "
                      "|| last_polled_at || '|' || ifnull(missing_since, 'NULL') || '|' || "
                      "last_error || '|' || updated_at FROM jobs j JOIN job_state s "
                      "ON s.job_id = j.id WHERE j.prompt_id = 'failed' "
                      "GROUP BY 1"),
            "0|0.0|NULLNULLNULLNULLNULLNULLNULLNULL|0.0|NULL|HTTP 500|2023-11-14T22:15:00.000Z");
}

TEST_F(JobActionsTest, RetryTakesStatesBatchAndModelFilters) {
  RetryOptions options;
  options.states = {JobState::kCancelled};
  options.filter.batch = "b";
  EXPECT_EQ(RetryJobs(*store_, options, clock_), 2u);
  EXPECT_EQ(States(), "b/m1/cancelled:pending b/m2/cancelled:pending");
  options.states = {JobState::kFailed, JobState::kCancelled, JobState::kFailed};
  options.filter = {.batch = "a", .model = "m2"};
  EXPECT_EQ(RetryJobs(*store_, options, clock_), 2u);
  EXPECT_EQ(States(),
            "a/m2/cancelled:pending a/m2/failed:pending b/m1/cancelled:pending "
            "b/m2/cancelled:pending");
}

TEST_F(JobActionsTest, RetryRefusesStatesOtherThanFailedCancelledOrCompleted) {
  RetryOptions options;
  options.states = {JobState::kFailed, JobState::kRunning};
  try {
    RetryJobs(*store_, options, clock_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_EQ(std::string(e.what()),
              "retry: cannot retry running jobs (only failed, cancelled or completed)");
  }
  EXPECT_EQ(States(), "");
}

TEST_F(JobActionsTest, RetryingCompletedJobsKeepsTheirResultsAndClearsTheFailedOnes) {
  Exec(path_,
       "UPDATE jobs SET output = 'answer', runtime = 2, remote_created = 'rc'"
       " WHERE prompt_id = 'completed'");
  RetryOptions options;
  options.states = {JobState::kCompleted, JobState::kFailed};
  options.filter.batch = "a";
  EXPECT_EQ(RetryJobs(*store_, options, clock_), 4u);
  EXPECT_EQ(QueryText(path_,
                      "SELECT group_concat(x, ' ') FROM (SELECT j.model || '/' || "
                      "j.prompt_id || ':' || s.state || '=' || ifnull(output, 'NULL') || "
                      "'|' || ifnull(runtime, 'NULL') AS x FROM jobs j JOIN job_state s "
                      "ON s.job_id = j.id JOIN batches b ON b.id = j.batch_id WHERE "
                      "b.name = 'a' AND j.prompt_id IN ('completed', 'failed') ORDER BY 1)"),
            "m1/completed:pending=answer|2 m1/failed:pending=NULL|NULL "
            "m2/completed:pending=answer|2 m2/failed:pending=NULL|NULL");
}

TEST_F(JobActionsTest, RetryTakesPromptIdsAndErrorTexts) {
  Exec(path_,
       "UPDATE job_state SET last_error = 'timed out' WHERE model = 'm2' AND "
       "state = 'failed'");
  RetryOptions options;
  options.states = {JobState::kFailed, JobState::kCancelled};
  options.filter.prompt_ids = {"cancelled", "nosuch"};
  EXPECT_EQ(RetryJobs(*store_, options, clock_), 4u);
  EXPECT_EQ(States(),
            "a/m1/cancelled:pending a/m2/cancelled:pending b/m1/cancelled:pending "
            "b/m2/cancelled:pending");
  options.filter = {.errors = {"500", "nothing"}};
  EXPECT_EQ(RetryJobs(*store_, options, clock_), 2u);
  options.filter = {.errors = {"timed"}};
  EXPECT_EQ(RetryJobs(*store_, options, clock_), 2u);
  EXPECT_EQ(QueryText(path_, "SELECT count(*) FROM job_state WHERE state = 'failed'"), "0");
}

TEST_F(JobActionsTest, AModelNoJobHasIsAnErrorThatNamesTheKnownOnes) {
  try {
    CancelJobs(*store_, {.model = "m3"}, clock_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_EQ(std::string(e.what()),
              "database " + path_ + ": no job has model 'm3' (models: m1, m2)");
  }
  EXPECT_EQ(States(), "");
}

TEST_F(JobActionsTest, CancelTakesOnlyPendingJobsAndStampsThem) {
  clock_.Set(1700000200);
  EXPECT_EQ(CancelJobs(*store_, {.batch = std::nullopt, .model = "m1"}, clock_), 2u);
  EXPECT_EQ(States(), "a/m1/pending:cancelled b/m1/pending:cancelled");
  EXPECT_EQ(QueryText(path_,
                      "SELECT group_concat(DISTINCT finished_at || '|' || updated_at) "
                      "FROM jobs j JOIN job_state s ON s.job_id = j.id "
                      "WHERE j.prompt_id = 'pending' AND j.model = 'm1'"),
            "2023-11-14T22:16:40.000Z|2023-11-14T22:16:40.000Z");
  EXPECT_EQ(CancelJobs(*store_, {.batch = "a", .model = std::nullopt}, clock_), 1u);
  EXPECT_EQ(CancelJobs(*store_, {.batch = "a", .model = std::nullopt}, clock_), 0u);
}

TEST_F(JobActionsTest, AnUnknownBatchIsAnErrorAndChangesNothing) {
  try {
    CancelJobs(*store_, {.batch = "c", .model = std::nullopt}, clock_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_EQ(std::string(e.what()), "database " + path_ + ": no batch named 'c' (batches: a, b)");
  }
  EXPECT_EQ(States(), "");
}

}  // namespace
}  // namespace gridbatch::store
