#include "submit_bucket.hpp"

#include <gtest/gtest.h>

namespace gridbatch::sim {
namespace {

TEST(SubmitBucketTest, WithoutARateEverySubmitPasses) {
  SubmitBucket bucket(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(bucket.TryTake(0), 0);
}

TEST(SubmitBucketTest, AllowsTheBurstThenAnswersTheWaitForTheNextToken) {
  SubmitBucket bucket(2, 3);
  EXPECT_EQ(bucket.TryTake(10), 0);
  EXPECT_EQ(bucket.TryTake(10), 0);
  EXPECT_EQ(bucket.TryTake(10), 0);
  EXPECT_DOUBLE_EQ(bucket.TryTake(10), 0.5);
  EXPECT_DOUBLE_EQ(bucket.TryTake(10.25), 0.25);
  EXPECT_EQ(bucket.TryTake(10.5), 0);
}

TEST(SubmitBucketTest, RefillsAtTheRateUpToTheBurst) {
  SubmitBucket bucket(10, 2);
  EXPECT_EQ(bucket.TryTake(0), 0);
  EXPECT_EQ(bucket.TryTake(0), 0);
  EXPECT_GT(bucket.TryTake(0), 0);
  // A long pause refills only up to the burst.
  EXPECT_EQ(bucket.TryTake(100), 0);
  EXPECT_EQ(bucket.TryTake(100), 0);
  EXPECT_DOUBLE_EQ(bucket.TryTake(100), 0.1);
}

TEST(SubmitBucketTest, BurstDefaultsToTheRateButAtLeastOne) {
  SubmitBucket slow(0.5, 0);
  EXPECT_EQ(slow.TryTake(0), 0);
  EXPECT_DOUBLE_EQ(slow.TryTake(0), 2.0);
  SubmitBucket fast(3, 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fast.TryTake(0), 0);
  EXPECT_GT(fast.TryTake(0), 0);
}

}  // namespace
}  // namespace gridbatch::sim
