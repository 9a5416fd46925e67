#include "fault_dice.hpp"

#include <gtest/gtest.h>

namespace gridbatch::sim {
namespace {

TEST(FaultDiceTest, NoFaultsByDefault) {
  FaultDice dice(1, Faults{});
  for (int i = 0; i < 1000; ++i) {
    const FaultRoll r = dice.Roll();
    ASSERT_FALSE(r.reset || r.too_many || r.server_error || r.slow || r.truncated || r.omit);
  }
}

TEST(FaultDiceTest, ProbabilityOneAlwaysFires) {
  Faults all;
  all.p_429 = all.p_5xx = all.p_reset = all.p_slow = all.p_truncated = all.p_omit = 1;
  FaultDice dice(1, all);
  for (int i = 0; i < 100; ++i) {
    const FaultRoll r = dice.Roll();
    ASSERT_TRUE(r.reset && r.too_many && r.slow && r.truncated && r.omit);
    ASSERT_TRUE(r.server_error == 500 || r.server_error == 502 || r.server_error == 503);
  }
}

TEST(FaultDiceTest, FiresAtRoughlyItsProbabilityAndRepeatsForTheSameSeed) {
  Faults some;
  some.p_429 = 0.1;
  FaultDice a(42, some);
  FaultDice b(42, some);
  int fired = 0;
  for (int i = 0; i < 10000; ++i) {
    const bool x = a.Roll().too_many;
    ASSERT_EQ(x, b.Roll().too_many);
    fired += x;
  }
  EXPECT_GT(fired, 800);
  EXPECT_LT(fired, 1200);
}

TEST(FaultDiceTest, SetFaultsChangesLaterRolls) {
  FaultDice dice(1, Faults{});
  EXPECT_FALSE(dice.Roll().omit);
  Faults omit;
  omit.p_omit = 1;
  dice.SetFaults(omit);
  EXPECT_TRUE(dice.Roll().omit);
  EXPECT_EQ(dice.faults().p_omit, 1);
}

}  // namespace
}  // namespace gridbatch::sim
