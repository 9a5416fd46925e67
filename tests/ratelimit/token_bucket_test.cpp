#include "gridbatch/ratelimit/token_bucket.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "gridbatch/clock.hpp"
#include "server_limit.hpp"

namespace gridbatch::ratelimit {
namespace {

using testing::ServerLimit;

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

TEST(TokenBucketTest, StartsWithOneTokenThenRefillsAtConfiguredRate) {
  FakeClock clock;
  TokenBucket bucket(50, 5, clock.Now());
  // 1 at once, then 50/s for 20 s: 1000 more (give or take the last step).
  EXPECT_NEAR(TakenOver(bucket, clock, 20.0, 0.001), 1 + 1000, 1);
}

// Both buckets of a client and a server limiting at the same rate and burst
// starting full let the server's run dry as soon as the first requests
// reach it late (new connections) and later ones on time: a 429 in the
// first second. Starting with one token keeps burst - 1 tokens of slack.
TEST(TokenBucketTest, TimeBeforeTheFirstTakeDoesNotFillTheBucket) {
  FakeClock clock;
  TokenBucket bucket(40, 5, clock.Now());
  clock.Advance(10);  // a slow start-up: counting the database, say
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
  EXPECT_DOUBLE_EQ(bucket.NextAvailable(clock.Now()), clock.Now() + 0.025);
  EXPECT_TRUE(bucket.TryTake(clock.Now() + 0.025));
}

TEST(TokenBucketTest, PacedByAClientLikeItselfAServerBucketNeverEmptiesDespiteLateArrivals) {
  FakeClock clock;
  const Seconds start = clock.Now();
  TokenBucket client(40, 5, start);
  ServerLimit server(40, 5);
  // Each request reaches the server 80 ms late for the first 10, then 1 ms.
  int sent = 0;
  std::vector<Seconds> arrivals;
  for (Seconds t = start; t < start + 5; t += 0.0005) {
    while (client.TryTake(t)) arrivals.push_back(t + (sent++ < 10 ? 0.080 : 0.001));
  }
  std::sort(arrivals.begin(), arrivals.end());
  int refused = 0;
  for (Seconds at : arrivals) refused += server.TryTake(at) ? 0 : 1;
  EXPECT_EQ(refused, 0);
  EXPECT_GE(sent, 190);
}

TEST(TokenBucketTest, NeverHoldsMoreThanTheBurst) {
  FakeClock clock;
  TokenBucket bucket(10, 3, clock.Now());
  ASSERT_TRUE(bucket.TryTake(clock.Now()));
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
  ASSERT_FALSE(bucket.TryTake(clock.Now()));
  clock.Advance(1);
  ASSERT_TRUE(bucket.TryTake(clock.Now()));
  ASSERT_FALSE(bucket.TryTake(clock.Now()));
  bucket.GiveBack(5);
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
}

TEST(TokenBucketTest, ANewRateAppliesFromWhenItIsSetKeepingWhatWasGathered) {
  FakeClock clock;
  TokenBucket bucket(10, 1, clock.Now());
  ASSERT_TRUE(bucket.TryTake(clock.Now()));
  clock.Advance(0.05);  // half a token at 10/s
  bucket.SetRate(20, clock.Now());
  EXPECT_DOUBLE_EQ(bucket.rate(), 20);
  EXPECT_NEAR(bucket.NextAvailable(clock.Now()), clock.Now() + 0.025, 1e-9);
}

TEST(TokenBucketTest, DefaultBurstIsAFractionOfTheRate) {
  EXPECT_EQ(DefaultBurst(0), 1);
  EXPECT_EQ(DefaultBurst(5), 1);
  EXPECT_EQ(DefaultBurst(50), 3);
  EXPECT_EQ(DefaultBurst(1000), 50);
}

}  // namespace
}  // namespace gridbatch::ratelimit
