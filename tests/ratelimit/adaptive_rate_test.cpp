#include "gridbatch/ratelimit/adaptive_rate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gridbatch/clock.hpp"
#include "server_limit.hpp"

namespace gridbatch::ratelimit {
namespace {

using testing::ServerLimit;

TEST(AdaptiveRateTest, SlowStartDoublesEverySecondFromTheStartRateUpToTheMax) {
  FakeClock clock;
  AdaptiveRate rate({.max_rate = 30}, clock.Now());
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 5);
  clock.Advance(1);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 10);
  clock.Advance(0.5);
  EXPECT_NEAR(rate.Rate(clock.Now()), 10 * std::sqrt(2.0), 1e-9);
  clock.Advance(10);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 30);
  EXPECT_TRUE(rate.slow_start());
}

TEST(AdaptiveRateTest, AMaxBelowTheDefaultStartIsWhereItStarts) {
  FakeClock clock;
  AdaptiveRate rate({.max_rate = 2}, clock.Now());
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 2);
  clock.Advance(5);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 2);
}

TEST(AdaptiveRateTest, TheFirst429HalvesAndLaterOnesMultiplyByTheFactor) {
  FakeClock clock;
  AdaptiveRate rate({.max_rate = 1000, .start_rate = 80, .decrease_factor = 0.75}, clock.Now());
  rate.OnThrottled(clock.Now(), std::nullopt);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 40);
  EXPECT_FALSE(rate.slow_start());
  clock.Advance(1);  // the hold of 1 s ends: nothing has grown yet
  rate.OnThrottled(clock.Now(), std::nullopt);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 30);
  EXPECT_EQ(rate.decreases(), 2);
}

TEST(AdaptiveRateTest, A429ClusterCutsOnceAndTheLongestRetryAfterHoldsIt) {
  FakeClock clock;
  AdaptiveRate rate({.max_rate = 100, .start_rate = 40}, clock.Now());
  rate.OnThrottled(clock.Now(), 2.0);
  for (int i = 0; i < 10; ++i) {
    clock.Advance(0.1);
    rate.OnThrottled(clock.Now(), 3.0);
  }
  EXPECT_EQ(rate.decreases(), 1);
  EXPECT_DOUBLE_EQ(rate.hold_until(), clock.Now() + 3.0);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 20);
}

TEST(AdaptiveRateTest, NothingGrowsBeforeRetryAfterThenItGrowsAdditively) {
  FakeClock clock;
  const Seconds start = clock.Now();
  AdaptiveRate rate({.max_rate = 100, .start_rate = 40, .increase_per_second = 2}, start);
  rate.OnThrottled(start, 3.0);
  clock.Set(start + 2.9);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 20);
  clock.Set(start + 3);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 20);
  clock.Set(start + 5);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 24);
  clock.Set(start + 100);
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 100);
}

TEST(AdaptiveRateTest, NeverBelowTheFloor) {
  FakeClock clock;
  AdaptiveRate rate({.max_rate = 10, .start_rate = 1, .min_rate = 0.5}, clock.Now());
  for (int i = 0; i < 20; ++i) {
    rate.OnThrottled(clock.Now(), std::nullopt);
    clock.Advance(1);
  }
  EXPECT_DOUBLE_EQ(rate.Rate(clock.Now()), 0.5);
}

// The controller against a server modelled as a token bucket (40/s, burst
// 5) answering 429 with Retry-After 1 s, submits sent at the controller's
// rate in logical time: it reaches 90 % of the limit within 20 s and keeps
// the 429s under 2 % over 60 s.
TEST(AdaptiveRateTest, FindsAnUnknownLimitQuicklyWithFew429s) {
  FakeClock clock;
  const Seconds start = clock.Now();
  ServerLimit server(40, 5);
  AdaptiveRate rate({.max_rate = 200}, start);
  Seconds reached_90 = -1;
  int sent = 0;
  int throttled = 0;
  Seconds paused_until = start;
  Seconds next_send = start;
  for (Seconds t = start; t < start + 60; t += 0.001) {
    const double r = rate.Rate(t);
    if (reached_90 < 0 && r >= 36) reached_90 = t - start;
    if (t < next_send || t < paused_until) continue;
    next_send = t + 1.0 / r;
    ++sent;
    if (!server.TryTake(t)) {
      ++throttled;
      rate.OnThrottled(t, 1.0);
      paused_until = t + 1.0;
    }
  }
  EXPECT_GE(reached_90, 0);
  EXPECT_LE(reached_90, 20);
  EXPECT_LT(throttled, sent / 50) << throttled << " of " << sent;
  EXPECT_GT(sent, static_cast<int>(0.75 * 40 * 60)) << sent;
}

}  // namespace
}  // namespace gridbatch::ratelimit
