#include "base/periodic_thread.h"

#include <atomic>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::base {
namespace {

TEST(PeriodicThreadTest, TicksUntilStoppedThenNeverAgain) {
  std::atomic<int> ticks = 0;
  PeriodicThread thread([&] { ++ticks; }, std::chrono::milliseconds(1));
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return ticks.load() >= 3; }));
  thread.Stop();
  const int after_stop = ticks.load();
  thread.Stop();  // idempotent
  EXPECT_EQ(ticks.load(), after_stop);
}

TEST(PeriodicThreadTest, StopDoesNotWaitForThePause) {
  std::atomic<int> ticks = 0;
  // A pause far longer than any test: Stop() must interrupt it, or this test times out.
  PeriodicThread thread([&] { ++ticks; }, std::chrono::hours(1));
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return ticks.load() == 1; }));
  thread.Stop();
  EXPECT_EQ(ticks.load(), 1);
}

}  // namespace
}  // namespace romana::base
