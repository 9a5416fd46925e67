// The poll schedule's decisions, tested without a socket, a database or a
// sleep: time is a FakeClock, the jobs are PollTargets built by hand.
#include "gridbatch/run/poll_schedule.hpp"

#include <gtest/gtest.h>

namespace gridbatch::run {
namespace {

using store::PollTarget;

RunOptions Options(RunOptions::PollMode mode = RunOptions::PollMode::kAdaptive) {
  RunOptions o;
  o.poll_mode = mode;
  o.poll_interval = 5;
  o.poll_max = 60;
  return o;
}

PollTarget Job(std::int64_t id, Seconds submitted, Seconds last_polled,
               std::optional<Seconds> last_running = std::nullopt) {
  PollTarget t;
  t.id = id;
  t.remote_id = "r" + std::to_string(id);
  t.model = "m";
  t.submitted_at = submitted;
  t.last_polled_at = last_polled;
  t.last_running_at = last_running;
  return t;
}

// The first job id at or after `from` that is (or is not) a scout.
std::int64_t JobId(bool scout, std::int64_t from = 1000) {
  while (PollSchedule::IsScout(from) != scout) ++from;
  return from;
}

class PollScheduleTest : public ::testing::Test {
 protected:
  // `jobs` jobs of model "m" submitted at `start`, seen running at
  // `seen_at` after their submit and finished at ages spread evenly over
  // [low, high], with that much runtime reported.
  void Learn(PollSchedule& schedule, int jobs, Seconds low, Seconds high, Seconds seen_at = 1) {
    const Seconds start = clock_.Now();
    for (int i = 0; i < jobs; ++i) {
      const Seconds age = low + (high - low) * i / (jobs - 1);
      schedule.AfterView(Job(i, start, start), false, std::nullopt, start + seen_at);
      schedule.AfterView(Job(i, start, start + seen_at, start + seen_at), true,
                         static_cast<std::int64_t>(age), start + age);
    }
    schedule.TakeWakes();
  }

  FakeClock clock_;
};

TEST_F(PollScheduleTest, PollFixedPollsEveryJobEveryInterval) {
  const RunOptions o = Options(RunOptions::PollMode::kFixed);
  PollSchedule schedule(o, 0);
  Learn(schedule, 50, 100, 200);
  EXPECT_EQ(schedule.AfterSubmit(1, "m", 1, 1000), 1005);
  EXPECT_EQ(schedule.AfterView(Job(1, 1000, 1000), false, std::nullopt, 1150), 1155);
  EXPECT_FALSE(schedule.AfterView(Job(1, 1000, 1150), true, 150, 1160));
  EXPECT_EQ(PollSchedule::RideAlong(o), 2.5);
}

TEST_F(PollScheduleTest, BeforeAnythingIsSeenScoutsStartAtThePollIntervalAndTheRestWait) {
  const RunOptions o = Options();
  PollSchedule schedule(o, 0);
  const Seconds now = clock_.Now();
  for (int i = 0; i < PollSchedule::kFirstScouts; ++i) {
    EXPECT_EQ(schedule.AfterSubmit(JobId(false, 100 * i), "m", 1, now), now + 5);
  }
  EXPECT_EQ(schedule.AfterSubmit(JobId(false), "m", 1, now), now + 600);  // woken before, normally
  EXPECT_EQ(schedule.AfterSubmit(JobId(true), "m", 1, now), now + 5);
  EXPECT_EQ(schedule.AfterSubmit(JobId(false), "m", 2, now), now + 5);  // submitted again
  // Another model has scouts of its own.
  EXPECT_EQ(schedule.AfterSubmit(JobId(false), "other", 1, now), now + 5);
  // A scout's waits grow with its age (a quarter of it), up to poll_max.
  const std::int64_t scout = JobId(true);
  EXPECT_EQ(schedule.AfterView(Job(scout, now, now), false, std::nullopt, now + 40), now + 50);
  EXPECT_EQ(schedule.AfterView(Job(scout, now, now + 40), false, std::nullopt, now + 400),
            now + 460);
}

TEST_F(PollScheduleTest, AJobIsFirstPolledWhenAShareOfItsModelsJobsWouldBeDone) {
  const RunOptions o = Options();
  PollSchedule schedule(o, 0);
  Learn(schedule, 100, 50, 70);
  const Seconds now = clock_.Now() + 1000;
  const Seconds first = schedule.AfterSubmit(JobId(false), "m", 1, now) - now;
  // Not before any job of the model was done, and when kFirstShare of them are.
  EXPECT_GT(first, 50);
  EXPECT_NEAR(first, 50 + 20 * PollSchedule::kFirstShare, 1.5);
  // Scouts or not: once something is known, no job is asked about sooner.
  EXPECT_EQ(schedule.AfterSubmit(JobId(true), "m", 1, now) - now, first);
  // A model with nothing seen yet still starts at the poll interval.
  EXPECT_EQ(schedule.AfterSubmit(JobId(false), "fresh", 1, now), now + 5);
}

TEST_F(PollScheduleTest, WaitsTightenNearTheTypicalFinishAndGrowToPollMaxPastIt) {
  const RunOptions o = Options();
  PollSchedule schedule(o, 0);
  Learn(schedule, 200, 150, 450, 100);  // typical length 300 s
  const Seconds start = clock_.Now() + 10000;
  const std::int64_t id = JobId(false);
  // Early in the spread the share done grows slowly: a longer wait.
  const Seconds early =
      *schedule.AfterView(Job(id, start, start), false, std::nullopt, start + 160) - (start + 160);
  // Around the typical finish: until kHazardShare of those still running
  // are done, and at least kNearShare of the length (36 s).
  const Seconds middle =
      *schedule.AfterView(Job(id, start, start + 160), false, std::nullopt, start + 300) -
      (start + 300);
  EXPECT_GE(middle, PollSchedule::kNearShare * 300 - 1);  // runtimes are whole seconds
  EXPECT_LT(middle, 50);
  EXPECT_GT(early, middle);
  // Past nearly every finish: the wait doubles each time, up to poll_max.
  Seconds last = start + 440;
  Seconds wait = 40;
  for (int i = 0; i < 4; ++i) {
    const Seconds next =
        *schedule.AfterView(Job(id, start, last - wait), false, std::nullopt, last);
    EXPECT_EQ(next - last, std::min(60.0, 2 * wait));
    wait = next - last;
    last = next;
  }
  EXPECT_EQ(wait, 60);
}

TEST_F(PollScheduleTest, NearTheFinishOfShortJobsItPollsMoreOftenThanThePollInterval) {
  const RunOptions o = Options();
  PollSchedule schedule(o, 0);
  Learn(schedule, 200, 7.5, 22.5);  // 15 s on average, runtimes as reported
  const Seconds start = clock_.Now() + 1000;
  const Seconds next =
      *schedule.AfterView(Job(JobId(false), start, start), false, std::nullopt, start + 15);
  // At least poll_interval / 10, far less than the poll interval itself.
  EXPECT_GE(next - (start + 15), 0.5);
  EXPECT_LT(next - (start + 15), 2.5);
}

TEST_F(PollScheduleTest, ACohortWaitsForItsScoutsAndIsWokenWhenEnoughOfThemAreDone) {
  const RunOptions o = Options();
  PollSchedule schedule(o, 0);
  const Seconds start = clock_.Now();
  // A cohort: the first kFirstScouts submits and 32 hashed scouts, and
  // jobs that wait for them.
  std::vector<std::int64_t> scouts;
  std::int64_t id = 1;
  for (int i = 0; i < PollSchedule::kFirstScouts; ++i, ++id) {
    schedule.AfterSubmit(id, "m", 1, start);
    scouts.push_back(id);
  }
  std::vector<std::int64_t> waiting;
  for (int i = 0; i < 32; ++i) {
    scouts.push_back(JobId(true, id));
    id = JobId(false, scouts.back() + 1);
    waiting.push_back(id++);
  }
  for (const std::int64_t w : waiting) {
    EXPECT_EQ(schedule.AfterSubmit(w, "m", 1, start), start + 600);
  }
  // All 48 scouts seen running at 10 s; by 20 s, 16 are done: a third.
  for (const std::int64_t s : scouts) {
    schedule.AfterView(Job(s, start, start), false, std::nullopt, start + 10);
  }
  EXPECT_TRUE(schedule.TakeWakes().empty());
  for (std::size_t i = 0; i < scouts.size(); ++i) {
    schedule.AfterView(Job(scouts[i], start, start + 10, start + 10), i < 16, 14, start + 20);
  }
  // Jobs that are no scouts, seen done (resumed from an earlier run, say),
  // say nothing of the cohort's share.
  for (int i = 0; i < 10; ++i) {
    schedule.AfterView(Job(waiting[static_cast<std::size_t>(i)], start, start), true, 14,
                       start + 20);
  }
  EXPECT_TRUE(schedule.TakeWakes().empty());
  // Two more scouts done: 18 of 48, more than kFirstShare.
  for (std::size_t i = 16; i < 18; ++i) {
    schedule.AfterView(Job(scouts[i], start, start + 20, start + 20), true, 14, start + 21);
  }
  const auto wakes = schedule.TakeWakes();
  ASSERT_EQ(wakes.size(), 1u);
  EXPECT_EQ(wakes[0].model, "m");
  // Only jobs not polled since their submit are due now; a later job of the
  // model when a share of them would be done.
  EXPECT_GE(wakes[0].last_poll_age, 0);
  EXPECT_LT(wakes[0].last_poll_age, 1);
  EXPECT_GT(wakes[0].first_poll_age, 10);
  EXPECT_LE(wakes[0].first_poll_age, 21);
  EXPECT_GT(wakes[0].later_than, start + 21);
  // Nothing new: no second wake.
  schedule.AfterView(Job(scouts[20], start, start + 20, start + 20), true, 14, start + 21.5);
  EXPECT_TRUE(schedule.TakeWakes().empty());
  // After the wake a scout at the edge of what is known waits as long as
  // any other job: the woken jobs tell as much as the scouts.
  const Seconds scout_wait = *schedule.AfterView(Job(scouts[30], start, start + 20, start + 20),
                                                 false, std::nullopt, start + 22) -
                             (start + 22);
  const Seconds other_wait = *schedule.AfterView(Job(waiting[20], start, start + 20, start + 20),
                                                 false, std::nullopt, start + 22) -
                             (start + 22);
  // (Each view moves the estimate a little; before the wake a scout there
  // waited half as long.)
  EXPECT_NEAR(scout_wait, other_wait, 0.1);
  EXPECT_GE(scout_wait, PollSchedule::kNearShare * 14);
}

TEST_F(PollScheduleTest, AFewEarlyFinishesWakeNobody) {
  const RunOptions o = Options();
  PollSchedule schedule(o, 0);
  const Seconds start = clock_.Now();
  // 12 scouts (the first submits): by 20 s, more than half are done, but
  // fewer than kWakeFinishes.
  for (int i = 1; i <= 12; ++i) schedule.AfterSubmit(i, "m", 1, start);
  const int early = PollSchedule::kWakeFinishes - 1;
  for (int i = 1; i <= 12; ++i) {
    schedule.AfterView(Job(i, start, start), false, std::nullopt, start + 10);
  }
  for (int i = 1; i <= early; ++i) {
    schedule.AfterView(Job(i, start, start + 10, start + 10), true, 14, start + 20);
  }
  EXPECT_TRUE(schedule.TakeWakes().empty());
  // One more finish: now the share done is evidence enough.
  schedule.AfterView(Job(early + 1, start, start + 10, start + 10), true, 14, start + 20);
  EXPECT_EQ(schedule.TakeWakes().size(), 1u);
}

TEST_F(PollScheduleTest, AJobInFlightSinceAnEarlierRunIsAskedAboutSoonThenLessAndLessOften) {
  const RunOptions o = Options();
  PollSchedule schedule(o, 1000);  // this run started at 1000
  const std::int64_t id = JobId(false);
  // Submitted at 0, last polled by the earlier run at 500: not left waiting
  // for scouts, but polled again after the poll interval ...
  EXPECT_EQ(schedule.AfterView(Job(id, 0, 500), false, std::nullopt, 1001), 1006);
  // ... then with waits that double, up to poll_max.
  EXPECT_EQ(schedule.AfterView(Job(id, 0, 1001), false, std::nullopt, 1006), 1016);
  EXPECT_EQ(schedule.AfterView(Job(id, 0, 1036), false, std::nullopt, 1076), 1136);
}

TEST_F(PollScheduleTest, MemoryIsPerModelNotPerJob) {
  const RunOptions o = Options();
  PollSchedule schedule(o, 0);
  const Seconds start = clock_.Now();
  for (std::int64_t i = 0; i < 100000; ++i) {
    schedule.AfterSubmit(i, "m", 1, start);
    schedule.AfterView(Job(i, start, start), i % 2 == 0, 30,
                       start + 30 + static_cast<Seconds>(i % 50));
  }
  EXPECT_EQ(schedule.models(), 1u);
  static_assert(sizeof(FinishTimes) < 4096, "a model's finish times are a few KB");
  ASSERT_NE(schedule.Times("m"), nullptr);
  EXPECT_EQ(schedule.Times("m")->finished(), 50000);
}

TEST(FinishTimesTest, TheEstimateCountsJobsStillRunningAsAtRisk) {
  FinishTimes t;
  // Ten jobs: two done at 10 s, eight seen running at 20 s.
  for (int i = 0; i < 2; ++i) t.Finished(10, std::nullopt);
  for (int i = 0; i < 8; ++i) t.Running(20, std::nullopt);
  EXPECT_NEAR(t.ShareDoneBy(15), 0.2, 1e-9);
  EXPECT_FALSE(t.AgeAtShare(0.5));  // not known that far
  // A job seen running again replaces its earlier entry.
  t.Running(30, 20);
  EXPECT_EQ(t.Horizon(), 30);
  EXPECT_NEAR(t.ShareDoneBy(25), 0.2, 1e-9);
}

TEST(FinishTimesTest, RuntimesThatCannotBeSecondsGiveWayToFinishAges) {
  FinishTimes t;
  t.Finished(60, std::nullopt);
  t.Runtime(50);
  EXPECT_NEAR(*t.TypicalLength(), 50, 5);
  t.Runtime(50000);
  t.Runtime(50000);
  EXPECT_NEAR(*t.TypicalLength(), 60, 5);
}

}  // namespace
}  // namespace gridbatch::run
