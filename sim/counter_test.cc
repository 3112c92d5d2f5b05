// Tests for Counter and TimeWeighted.
#include "sim/counter.h"

#include <gtest/gtest.h>

namespace mdsim {
namespace {

TEST(Counter, AddsAndResets) {
  Counter c;
  EXPECT_EQ(c.value(), 0u);
  c.add();
  c.add(41);
  EXPECT_EQ(c.value(), 42u);
  c.add(uint64_t{1} << 40);
  EXPECT_EQ(c.value(), 42u + (uint64_t{1} << 40));
  c.reset();
  EXPECT_EQ(c.value(), 0u);
}

TEST(TimeWeighted, ConstantLevel) {
  TimeWeighted q(0, 3.0);
  EXPECT_EQ(q.average(0), 3.0);  // empty span: current level
  EXPECT_EQ(q.average(kSecond), 3.0);
  EXPECT_EQ(q.max(), 3.0);
}

TEST(TimeWeighted, QueueDepthAverage) {
  TimeWeighted qd;  // starts at t=0, level 0
  qd.add(10, 1);    // depth 1 over [10, 30)
  qd.add(30, 1);    // depth 2 over [30, 40)
  qd.add(40, -2);   // depth 0 over [40, 100]
  EXPECT_EQ(qd.level(), 0.0);
  EXPECT_EQ(qd.max(), 2.0);
  EXPECT_DOUBLE_EQ(qd.integral(100), 20.0 + 20.0);
  EXPECT_DOUBLE_EQ(qd.average(100), 0.4);
  EXPECT_DOUBLE_EQ(qd.average(40), 1.0);
}

TEST(TimeWeighted, UtilisationAndSameInstantChanges) {
  TimeWeighted busy(kMillisecond);  // averaging starts at 1 ms
  busy.set(kMillisecond, 1);
  busy.set(2 * kMillisecond, 0);
  busy.set(2 * kMillisecond, 1);  // several changes at one instant are fine
  busy.set(3 * kMillisecond, 0);
  EXPECT_DOUBLE_EQ(busy.average(5 * kMillisecond), 0.5);
  EXPECT_EQ(busy.start(), kMillisecond);
}

TEST(TimeWeighted, ResetRestartsTheAverage) {
  TimeWeighted u;
  u.set(0, 4);
  u.set(100, 1);
  u.reset(100);
  EXPECT_EQ(u.max(), 1.0);
  u.set(150, 3);
  EXPECT_DOUBLE_EQ(u.average(200), (50.0 * 1 + 50.0 * 3) / 100.0);
  EXPECT_EQ(u.max(), 3.0);
}

TEST(TimeWeightedDeathTest, TimeGoingBackwardsAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  TimeWeighted u;
  u.set(100, 1);
  EXPECT_DEATH(u.set(50, 0), "backwards");
  EXPECT_DEATH(u.average(99), "backwards");
}

}  // namespace
}  // namespace mdsim
