#include "agent/sysctl.h"

#include <filesystem>
#include <fstream>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

TEST(SysctlTest, PathMapsDotsToSlashes) {
  EXPECT_EQ(SysctlPath("/proc/sys", "net.ipv4.conf.default.proxy_arp"),
            "/proc/sys/net/ipv4/conf/default/proxy_arp");
}

TEST(SysctlTest, WritesAndVerifies) {
  romana::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "net/ipv4/conf/default");
  std::ofstream(dir.File("net/ipv4/ip_forward")) << "0\n";
  std::ofstream(dir.File("net/ipv4/conf/default/proxy_arp")) << "0\n";
  ASSERT_TRUE(SetSysctls(dir.path().string(), DataplaneSysctls(true)).ok());
  EXPECT_EQ(*ReadSysctl(dir.path().string(), "net.ipv4.ip_forward"), "1");
  EXPECT_EQ(*ReadSysctl(dir.path().string(), "net.ipv4.conf.default.proxy_arp"), "1");
}

TEST(SysctlTest, MissingKeyAndBadKeyAreErrorsNamingTheKey) {
  romana::testing::TempDir dir;
  absl::Status s = SetSysctls(dir.path().string(), {{"net.ipv4.ip_forward", "1"}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("net.ipv4.ip_forward"), std::string::npos);
  EXPECT_EQ(SetSysctls(dir.path().string(), {{"net..x", "1"}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetSysctls(dir.path().string(), {{"net./etc", "1"}}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(SysctlTest, ProxyArpOnlyWhenAsked) {
  EXPECT_EQ(DataplaneSysctls(false).size(), 1u);
  EXPECT_EQ(DataplaneSysctls(true).size(), 2u);
}

}  // namespace
}  // namespace romana::agent
