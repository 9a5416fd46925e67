// The run loop's store queries: claiming and choosing what to poll.
#include "gridbatch/store/run_queue.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "gridbatch/store/batch_loader.hpp"

namespace gridbatch::store {
namespace {

class RunQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("gridbatch_run_queue_" + std::to_string(getpid()) + ".db"))
                .string();
    std::filesystem::remove(path_);
    store_ = JobStore::Open(path_);
    BatchLoader loader(*store_, BatchSpec{.name = "b"});
    for (int i = 0; i < 6; ++i) {
      loader.Add(JobSpec{
          .prompt_id = "p" + std::to_string(i), .prompt = "q" + std::to_string(i), .model = "m"});
    }
    loader.Commit();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove(path_);
  }
  // Puts job `id` in flight, due for a poll at `when`.
  void InFlight(int id, double when) {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    SQLite::Statement q(db,
                        "UPDATE job_state SET state = 'submitted', remote_id = 'r' || job_id,"
                        " submitted_at = '2024-01-01T00:00:00Z', next_poll_at = ?"
                        " WHERE job_id = ?");
    q.bind(1, when);
    q.bind(2, id);
    q.exec();
  }
  static std::vector<std::int64_t> Ids(const std::vector<PollTarget>& targets) {
    std::vector<std::int64_t> ids;
    for (const auto& t : targets) ids.push_back(t.id);
    return ids;
  }

  std::string path_;
  std::unique_ptr<JobStore> store_;
};

TEST_F(RunQueueTest, PollsTakeDueJobsEarliestFirstAndFillTheLastGetWithJobsDueSoon) {
  InFlight(1, 90);
  InFlight(2, 10);   // the oldest
  InFlight(3, 140);  // due soon
  InFlight(4, 120);  // due soon
  InFlight(5, 190);  // not due for a while
  RunQueue queue(*store_, std::nullopt);
  const auto targets =
      queue.TakeDuePolls({.due_before = 100, .early_before = 150, .batch = 3, .limit = 10}, 200);
  EXPECT_EQ(Ids(targets), (std::vector<std::int64_t>{2, 1, 4}));
  // They count as polled now, due again at the retry time (a reply sets
  // their real next poll): nothing else is due, so nothing comes back.
  EXPECT_TRUE(
      queue
          .TakeDuePolls(
              {.due_before = 100, .early_before = 150, .batch = 3, .limit = 10, .retry_at = 205},
              200)
          .empty());
  EXPECT_EQ(queue.NextPollTime(), 140);
}

TEST_F(RunQueueTest, NoPollIsTakenWhenNoneIsDueEvenIfSomeAreDueSoon) {
  InFlight(1, 120);
  RunQueue queue(*store_, std::nullopt);
  EXPECT_TRUE(
      queue.TakeDuePolls({.due_before = 100, .early_before = 150, .batch = 3, .limit = 10}, 200)
          .empty());
}

TEST_F(RunQueueTest, ClaimingMarksJobsSubmittingWithOneMoreAttemptAndCommitsOutcomesFirst) {
  RunQueue queue(*store_, std::nullopt);
  auto claimed = queue.CommitAndClaim({}, 2, 1000);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].prompt, "q0");
  EXPECT_EQ(claimed[0].attempts, 1);
  Outcomes outcomes;
  outcomes.submitted.push_back({claimed[0].id, "abc"});
  outcomes.retries.push_back({claimed[1].id, 5000, "HTTP 503", false});
  claimed = queue.CommitAndClaim(outcomes, 10, 1001);
  EXPECT_EQ(claimed.size(), 4u);  // the retried job is not due before 5000
  const StateCounts counts = queue.CountByState();
  EXPECT_EQ(counts[JobState::kSubmitted], 1);
  EXPECT_EQ(counts[JobState::kSubmitting], 4);
  EXPECT_EQ(counts[JobState::kPending], 1);
  EXPECT_EQ(queue.NextDueTime(), 5000);
}

// The error columns of job `id`: "last_error|previous_error", NULL as "NULL".
std::string Errors(const std::string& path, std::int64_t id) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT ifnull(last_error, 'NULL') || '|' || ifnull(previous_error, 'NULL')"
                      " FROM job_state WHERE job_id = ?");
  q.bind(1, id);
  return q.executeStep() ? q.getColumn(0).getString() : "(no row)";
}

// A 429 on the first submit, then a submit that worked and a poll that
// finds the job completed: the job has no error any more, and the 429 is
// kept as the previous attempt's.
TEST_F(RunQueueTest, CompletionClearsTheErrorOfAnEarlierAttemptIntoPreviousError) {
  RunQueue queue(*store_, std::nullopt);
  auto claimed = queue.CommitAndClaim({}, 6, 1000);  // every job: only the two retried are due next
  ASSERT_EQ(claimed.size(), 6u);
  const std::int64_t completes = claimed[0].id;
  const std::int64_t fails = claimed[1].id;
  Outcomes outcomes;
  outcomes.retries.push_back({completes, 1000, "HTTP 429: service said: Too many requests", false});
  outcomes.retries.push_back({fails, 1000, "HTTP 503", false});
  claimed = queue.CommitAndClaim(outcomes, 6, 1001);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].id, completes);
  outcomes.clear();
  outcomes.submitted.push_back({completes, "r1"});
  outcomes.submitted.push_back({fails, "r2"});
  queue.CommitAndClaim(outcomes, 0, 1002);
  // While the job runs, the earlier attempt's error still says why it was retried.
  outcomes.clear();
  outcomes.polled.push_back({completes, JobState::kRunning, "RUNNING", "up", "half", {}, "", ""});
  queue.CommitAndClaim(outcomes, 0, 1003);
  EXPECT_EQ(Errors(path_, completes), "HTTP 429: service said: Too many requests|NULL");

  outcomes.clear();
  outcomes.polled.push_back(
      {completes, JobState::kCompleted, "COMPLETED", "up", "done", 7, "", ""});
  outcomes.polled.push_back({fails, JobState::kFailed, "ABORTED", "up", "", {}, "", "aborted"});
  queue.CommitAndClaim(outcomes, 0, 1004);
  EXPECT_EQ(Errors(path_, completes), "NULL|HTTP 429: service said: Too many requests");
  EXPECT_EQ(Errors(path_, fails), "aborted|NULL");
}

TEST_F(RunQueueTest, AJobThatCompletesAtItsFirstAttemptHasNoErrorAtAll) {
  RunQueue queue(*store_, std::nullopt);
  const auto claimed = queue.CommitAndClaim({}, 1, 1000);
  ASSERT_EQ(claimed.size(), 1u);
  Outcomes outcomes;
  outcomes.submitted.push_back({claimed[0].id, "r1"});
  queue.CommitAndClaim(outcomes, 0, 1001);
  outcomes.clear();
  outcomes.polled.push_back(
      {claimed[0].id, JobState::kCompleted, "COMPLETED", "", "ok", 1, "", ""});
  queue.CommitAndClaim(outcomes, 0, 1002);
  EXPECT_EQ(Errors(path_, claimed[0].id), "NULL|NULL");
}

TEST_F(RunQueueTest, AnOutputFromAnotherRemoteJobGivesWayOnlyToAFinalOne) {
  // Job 1 was completed as remote job 'old' and then retried: it keeps that
  // output while its new remote job runs.
  InFlight(1, 0);
  InFlight(2, 0);
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec(
        "UPDATE jobs SET output = 'old answer', runtime = 9, remote_created = 'old'"
        " WHERE id = 1");
  }
  const auto output = [&](int id) {
    SQLite::Database db(path_);
    return db
        .execAndGet(
            "SELECT ifnull(output, 'NULL') || '|' || ifnull(remote_created, 'NULL')"
            " FROM jobs WHERE id = " +
            std::to_string(id))
        .getString();
  };
  RunQueue queue(*store_, std::nullopt);
  Outcomes running;
  running.polled.push_back(
      {.id = 1, .state = JobState::kRunning, .log = "new, partial", .created = "new"});
  // A job without an output takes a running job's log, as before.
  running.polled.push_back(
      {.id = 2, .state = JobState::kRunning, .log = "partial", .created = "c2"});
  queue.CommitAndClaim(running, 0, 100);
  EXPECT_EQ(output(1), "old answer|old");
  EXPECT_EQ(output(2), "partial|c2");
  Outcomes later;
  later.polled.push_back(
      {.id = 2, .state = JobState::kRunning, .log = "partial, more", .created = "c2"});
  queue.CommitAndClaim(later, 0, 101);
  EXPECT_EQ(output(2), "partial, more|c2");  // the same remote job's log replaces its own
  Outcomes completed;
  completed.polled.push_back(
      {.id = 1, .state = JobState::kCompleted, .log = "new answer", .created = "new"});
  queue.CommitAndClaim(completed, 0, 102);
  EXPECT_EQ(output(1), "new answer|new");
}

// The circuit breaker's side of the queue.
class RunQueueBreakerTest : public RunQueueTest {
 protected:
  void SetUp() override {
    RunQueueTest::SetUp();
    BatchLoader loader(*store_, BatchSpec{.name = "b"});
    for (int i = 0; i < 6; ++i) {
      const std::string id = "p" + std::to_string(i);
      loader.Add(JobSpec{.prompt_id = id, .prompt = "q" + std::to_string(i), .model = "m"});
      loader.Add(JobSpec{.prompt_id = id, .prompt = "q" + std::to_string(i), .model = "x"});
    }
    loader.Commit();
  }
  std::string Column(std::int64_t id, const std::string& column) {
    SQLite::Database db(path_, SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT ifnull(" + column + ", '') FROM job_state WHERE job_id = ?");
    q.bind(1, id);
    return q.executeStep() ? q.getColumn(0).getString() : "none";
  }
};

TEST_F(RunQueueBreakerTest, AJobAdmitTurnsDownStaysPendingAsItWas) {
  RunQueue queue(*store_, std::nullopt);
  const auto claimed =
      queue.CommitAndClaim({}, 12, 1.0, [](const ClaimedJob& job) { return job.model == "m"; });
  ASSERT_EQ(claimed.size(), 6u);
  for (const ClaimedJob& job : claimed) EXPECT_EQ(job.model, "m");
  EXPECT_EQ(queue.CountByState()[JobState::kSubmitting], 6);
  EXPECT_EQ(queue.CountByState()[JobState::kPending], 6);
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM job_state s JOIN jobs j ON j.id = s.job_id"
                          " WHERE j.model = 'x' AND s.state = 'pending' AND s.attempts = 0")
                .getInt(),
            6);
}

TEST_F(RunQueueBreakerTest, AHeldModelIsNotClaimedIsCountedAndIsRecordedUntilTheNextRun) {
  {
    RunQueue queue(*store_, std::nullopt);
    queue.Hold("x", "service said: Unknown model: x", 1.0);
    EXPECT_EQ(queue.CountHeld(), 6);
    const auto claimed = queue.CommitAndClaim({}, 12, 1.0);
    ASSERT_EQ(claimed.size(), 6u);
    for (const ClaimedJob& job : claimed) EXPECT_EQ(job.model, "m");
    EXPECT_EQ(queue.CountHeld(), 6);
  }
  SQLite::Database db(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT model || ': ' || reason FROM holds").getString(),
            "x: service said: Unknown model: x");
  // A new run's queue claims the model again once the holds are cleared.
  RunQueue next(*store_, std::nullopt);
  next.ClearHolds();
  EXPECT_EQ(next.CountHeld(), 0);
  EXPECT_EQ(next.CommitAndClaim({}, 12, 2.0).size(), 6u);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM holds").getInt(), 0);
}

TEST_F(RunQueueBreakerTest, RefusedAndDueChangeOnlyAJobThatIsStillPending) {
  RunQueue queue(*store_, std::nullopt);
  const auto claimed = queue.CommitAndClaim({}, 1, 1.0);  // job 1 is submitting
  ASSERT_EQ(claimed.size(), 1u);
  Outcomes outcomes;
  outcomes.refused = {{1, "submit refused: no"}, {2, "submit refused: HTTP 400"}};
  outcomes.due = {{1, 50.0}, {3, 50.0}};
  queue.CommitAndClaim(outcomes, 0, 2.0);
  EXPECT_EQ(Column(1, "state"), "submitting");
  EXPECT_EQ(Column(1, "attempts"), "1");
  EXPECT_EQ(Column(2, "state"), "failed");
  EXPECT_EQ(Column(2, "last_error"), "submit refused: HTTP 400");
  EXPECT_EQ(Column(2, "attempts"), "1");  // the refused attempt counts again
  EXPECT_EQ(Column(3, "state"), "pending");
  EXPECT_EQ(Column(3, "next_attempt_at"), "50.0");
}

}  // namespace
}  // namespace gridbatch::store
