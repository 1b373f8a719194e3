#include "cni/names.h"

#include <set>

#include "gtest/gtest.h"

namespace romana::cni {
namespace {

TEST(CniNamesTest, AddressNameIsContainerAndInterface) {
  EXPECT_EQ(AddressName({"4a5a22e8f1c2", "eth0"}), "4a5a22e8f1c2:eth0");
}

TEST(CniNamesTest, HostVethNameIsStableFifteenBytesAndDependsOnBothParts) {
  const std::string a = HostVethName({"4a5a22e8f1c2", "eth0"});
  EXPECT_EQ(a.size(), 15u);
  EXPECT_EQ(a.rfind("romana", 0), 0u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef", 6), std::string::npos);
  EXPECT_EQ(a, HostVethName({"4a5a22e8f1c2", "eth0"}));
  EXPECT_NE(a, HostVethName({"4a5a22e8f1c2", "eth1"}));
  EXPECT_NE(a, HostVethName({"4a5a22e8f1c3", "eth0"}));
  // `echo -n abc:eth0 | sha256sum` starts with b133159de.
  EXPECT_EQ(HostVethName({"abc", "eth0"}).substr(6), "b133159de");
}

TEST(CniNamesTest, HostVethNamesDoNotCollideForManyContainers) {
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) seen.insert(HostVethName({"container" + std::to_string(i), "eth0"}));
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(CniNamesTest, ParseAddressNameRoundTripsAndRejectsForeignNames) {
  auto a = ParseAddressName("4a5a22e8f1c2:eth0");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->container_id, "4a5a22e8f1c2");
  EXPECT_EQ(a->ifname, "eth0");
  for (const char* bad : {"nginx.default.4a5a22e8", ":eth0", "abc:", "abc", "a b:eth0", "abc:way-too-long-ifname"}) {
    EXPECT_FALSE(ParseAddressName(bad).has_value()) << bad;
  }
}

TEST(CniNamesTest, ContainerIdRules) {
  EXPECT_FALSE(ValidateContainerId("abc-123_x.y"));
  EXPECT_TRUE(ValidateContainerId(""));
  EXPECT_TRUE(ValidateContainerId("-abc"));
  EXPECT_TRUE(ValidateContainerId("a/b"));
  EXPECT_TRUE(ValidateContainerId("a b"));
  auto msg = ValidateContainerId("a:b");
  ASSERT_TRUE(msg);
  EXPECT_NE(msg->find("\"a:b\""), std::string::npos);
}

TEST(CniNamesTest, InterfaceNameRules) {
  EXPECT_FALSE(ValidateInterfaceName("eth0"));
  EXPECT_FALSE(ValidateInterfaceName("exactly15bytes_"));
  EXPECT_TRUE(ValidateInterfaceName("sixteen-bytes-xx"));
  EXPECT_TRUE(ValidateInterfaceName(""));
  EXPECT_TRUE(ValidateInterfaceName("."));
  EXPECT_TRUE(ValidateInterfaceName(".."));
  EXPECT_TRUE(ValidateInterfaceName("a/b"));
  EXPECT_TRUE(ValidateInterfaceName("a:b"));
  EXPECT_TRUE(ValidateInterfaceName("a b"));
  EXPECT_TRUE(ValidateInterfaceName("a\tb"));
}

}  // namespace
}  // namespace romana::cni
