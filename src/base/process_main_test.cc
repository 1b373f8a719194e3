#include "base/process_main.h"

#include <sys/utsname.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace romana::base {
namespace {

TEST(ProcessMainTest, HostNameIsTheKernelsNodeName) {
  struct utsname u {};
  ASSERT_EQ(uname(&u), 0);
  EXPECT_EQ(HostName(), u.nodename);
}

TEST(ProcessMainTest, SiblingBinaryLivesBesideTheRunningOne) {
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  EXPECT_EQ(SiblingBinaryPath("romana-cni"), (self.parent_path() / "romana-cni").string());
}

}  // namespace
}  // namespace romana::base
