#include "gridbatch/token_bucket.hpp"

#include <gtest/gtest.h>

#include "gridbatch/clock.hpp"

namespace gridbatch::ratelimit {
namespace {

// Takes every token it can at steps of `step` seconds over `duration`.
int TakenOver(TokenBucket& bucket, FakeClock& clock, Seconds duration, Seconds step) {
  int taken = 0;
  const Seconds end = clock.Now() + duration;
  while (clock.Now() < end) {
    while (bucket.TryTake(clock.Now())) ++taken;
    clock.Advance(step);
  }
  return taken;
}

TEST(TokenBucketTest, StartsFullThenRefillsAtConfiguredRate) {
  FakeClock clock;
  TokenBucket bucket(50, 5, clock.Now());
  // 5 at once, then 50/s for 20 s: 1000 more (give or take the last step).
  EXPECT_NEAR(TakenOver(bucket, clock, 20.0, 0.001), 5 + 1000, 1);
}

TEST(TokenBucketTest, NeverHoldsMoreThanTheBurst) {
  FakeClock clock;
  TokenBucket bucket(10, 3, clock.Now());
  clock.Advance(100);
  int taken = 0;
  while (bucket.TryTake(clock.Now())) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(TokenBucketTest, CoarseWakeUpsStillKeepTheRateWithDefaultBurst) {
  FakeClock clock;
  const double rate = 1000;
  TokenBucket bucket(rate, DefaultBurst(rate), clock.Now());
  // Waking only every 40 ms must not cut the rate: the burst covers the gap.
  const int taken = TakenOver(bucket, clock, 10.0, 0.04);
  EXPECT_GE(taken, 9900);
  EXPECT_LE(taken, 10000 + 50);
}

TEST(TokenBucketTest, NextAvailableSaysWhenTheNextTokenComes) {
  FakeClock clock;
  TokenBucket bucket(4, 1, clock.Now());
  EXPECT_DOUBLE_EQ(bucket.NextAvailable(clock.Now()), clock.Now());
  ASSERT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_DOUBLE_EQ(bucket.NextAvailable(clock.Now()), clock.Now() + 0.25);
  EXPECT_FALSE(bucket.TryTake(clock.Now() + 0.2));
  EXPECT_TRUE(bucket.TryTake(clock.Now() + 0.25));
}

TEST(TokenBucketTest, PauseStopsTakingUntilItEndsAndRestartsWithOneToken) {
  FakeClock clock;
  TokenBucket bucket(100, 50, clock.Now());
  bucket.PauseUntil(clock.Now() + 2);
  EXPECT_FALSE(bucket.TryTake(clock.Now() + 1.999));
  EXPECT_DOUBLE_EQ(bucket.NextAvailable(clock.Now()), clock.Now() + 2);
  EXPECT_TRUE(bucket.TryTake(clock.Now() + 2));
  EXPECT_FALSE(bucket.TryTake(clock.Now() + 2));
  EXPECT_TRUE(bucket.TryTake(clock.Now() + 2.011));
}

TEST(TokenBucketTest, UnlimitedAlwaysGivesButStillHonoursAPause) {
  FakeClock clock;
  TokenBucket bucket(0, 1, clock.Now());
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(bucket.TryTake(clock.Now()));
  bucket.PauseUntil(clock.Now() + 1);
  EXPECT_FALSE(bucket.TryTake(clock.Now() + 0.5));
  EXPECT_TRUE(bucket.TryTake(clock.Now() + 1));
}

TEST(TokenBucketTest, GivenBackTokensCanBeTakenAgainUpToTheBurst) {
  FakeClock clock;
  TokenBucket bucket(1, 2, clock.Now());
  ASSERT_TRUE(bucket.TryTake(clock.Now()));
  ASSERT_TRUE(bucket.TryTake(clock.Now()));
  ASSERT_FALSE(bucket.TryTake(clock.Now()));
  bucket.GiveBack(5);
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
}

TEST(TokenBucketTest, DefaultBurstIsAFractionOfTheRate) {
  EXPECT_EQ(DefaultBurst(0), 1);
  EXPECT_EQ(DefaultBurst(5), 1);
  EXPECT_EQ(DefaultBurst(50), 3);
  EXPECT_EQ(DefaultBurst(1000), 50);
}

}  // namespace
}  // namespace gridbatch::ratelimit
