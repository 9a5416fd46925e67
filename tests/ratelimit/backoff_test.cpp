#include "gridbatch/ratelimit/backoff.hpp"

#include <gtest/gtest.h>

namespace gridbatch::ratelimit {
namespace {

TEST(BackoffTest, CeilingDoublesUpToTheCap) {
  Backoff backoff({.base = 0.5, .cap = 10});
  EXPECT_DOUBLE_EQ(backoff.Ceiling(1), 0.5);
  EXPECT_DOUBLE_EQ(backoff.Ceiling(2), 1);
  EXPECT_DOUBLE_EQ(backoff.Ceiling(5), 8);
  EXPECT_DOUBLE_EQ(backoff.Ceiling(6), 10);
  EXPECT_DOUBLE_EQ(backoff.Ceiling(1000), 10);
}

TEST(BackoffTest, FullJitterSpreadsDelaysOverTheWholeRange) {
  Backoff backoff({.base = 1, .cap = 60}, 42);
  double low = 1e9, high = 0, sum = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double d = backoff.Delay(4);  // ceiling 8
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 8);
    low = std::min(low, d);
    high = std::max(high, d);
    sum += d;
  }
  EXPECT_LT(low, 0.1);
  EXPECT_GT(high, 7.9);
  EXPECT_NEAR(sum / n, 4.0, 0.1);
}

TEST(BackoffTest, RetryAfterIsAFloor) {
  Backoff backoff({.base = 1, .cap = 2}, 7);
  for (int i = 0; i < 100; ++i) EXPECT_GE(backoff.Delay(1, 30.0), 30.0);
}

TEST(BackoffTest, SameSeedGivesSameDelays) {
  Backoff a({}, 9), b({}, 9);
  for (int i = 1; i < 20; ++i) EXPECT_DOUBLE_EQ(a.Delay(i), b.Delay(i));
}

}  // namespace
}  // namespace gridbatch::ratelimit
