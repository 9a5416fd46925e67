// The run loop's store queries: claiming and choosing what to poll.
#include "gridbatch/run_queue.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "gridbatch/batch_loader.hpp"

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
  // Puts job `id` in flight, last polled at `when`.
  void InFlight(int id, double when) {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    SQLite::Statement q(db,
                        "UPDATE job_state SET state = 'submitted', remote_id = 'r' || job_id,"
                        " submitted_at = '2024-01-01T00:00:00Z', last_polled_at = ?"
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

TEST_F(RunQueueTest, PollsTakeDueJobsOldestFirstAndFillTheLastGetWithJobsDueSoon) {
  InFlight(1, 90);
  InFlight(2, 10);   // the oldest
  InFlight(3, 140);  // due soon
  InFlight(4, 120);  // due soon
  InFlight(5, 190);  // not due for a while
  RunQueue queue(*store_, std::nullopt);
  const auto targets =
      queue.TakeDuePolls({.due_before = 100, .early_before = 150, .batch = 3, .limit = 10}, 200);
  EXPECT_EQ(Ids(targets), (std::vector<std::int64_t>{2, 1, 4}));
  // They count as polled now: nothing else is due, so nothing comes back.
  EXPECT_TRUE(
      queue.TakeDuePolls({.due_before = 100, .early_before = 150, .batch = 3, .limit = 10}, 200)
          .empty());
  EXPECT_EQ(queue.OldestPollTime(), 140);
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
  EXPECT_EQ(counts[static_cast<std::size_t>(JobState::kSubmitted)], 1);
  EXPECT_EQ(counts[static_cast<std::size_t>(JobState::kSubmitting)], 4);
  EXPECT_EQ(counts[static_cast<std::size_t>(JobState::kPending)], 1);
  EXPECT_EQ(queue.NextDueTime(), 5000);
}

}  // namespace
}  // namespace gridbatch::store
