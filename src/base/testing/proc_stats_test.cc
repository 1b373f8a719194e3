#include "base/testing/proc_stats.h"

#include <unistd.h>

#include <vector>

#include "base/subprocess.h"
#include "gtest/gtest.h"

namespace romana::testing {
namespace {

TEST(ProcStatsTest, ReadsTheProcessAndZeroForAGoneOne) {
  const long before = RssBytes(getpid());
  EXPECT_GT(before, 0);
  std::vector<char> touched(64 << 20, 1);  // 64 MiB, every page written
  EXPECT_GE(RssBytes(getpid()), before + (32 << 20));
  EXPECT_GE(CpuSeconds(getpid()), 0.0);
  EXPECT_EQ(RssBytes(0), 0);
  EXPECT_EQ(CpuSeconds(0), 0.0);
  volatile char sink = touched.back();
  (void)sink;
}

}  // namespace
}  // namespace romana::testing
