#include "base/keepalive_schedule.h"

#include "gtest/gtest.h"

namespace romana::base {
namespace {

using std::chrono::milliseconds;

TEST(KeepaliveScheduleTest, DueOnceTheIntervalPassedSinceTheLastOne) {
  FakeClock clock;
  KeepaliveSchedule s(clock, milliseconds(1000));
  EXPECT_FALSE(s.Due());
  EXPECT_EQ(s.NextCheck(), milliseconds(1001));
  clock.Advance(milliseconds(999));
  EXPECT_FALSE(s.Due());
  EXPECT_EQ(s.NextCheck(), milliseconds(2));
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(s.Due());
  EXPECT_EQ(s.NextCheck(), milliseconds(1000));
  s.Sent();
  EXPECT_FALSE(s.Due());
  EXPECT_EQ(s.NextCheck(), milliseconds(1001));
}

TEST(KeepaliveScheduleTest, SentEarlierShortensTheFirstWait) {
  FakeClock clock;
  KeepaliveSchedule s(clock, milliseconds(1000));
  s.Sent(milliseconds(300));
  EXPECT_EQ(s.NextCheck(), milliseconds(701));
  clock.Advance(milliseconds(700));
  EXPECT_TRUE(s.Due());
}

TEST(KeepaliveScheduleTest, NextCheckNeverFiresEarlyOnSubMillisecondRemainders) {
  FakeClock clock;
  KeepaliveSchedule s(clock, milliseconds(10));
  clock.Advance(std::chrono::microseconds(9500));
  EXPECT_FALSE(s.Due());
  const milliseconds wait = s.NextCheck();
  EXPECT_EQ(wait, milliseconds(1));
  clock.Advance(wait);
  EXPECT_TRUE(s.Due());
}

}  // namespace
}  // namespace romana::base
