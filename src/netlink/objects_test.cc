#include "netlink/objects.h"

#include "gtest/gtest.h"
#include "netlink/netns.h"

namespace romana::netlink {
namespace {

TEST(NetlinkTypesTest, RouteToStringReadsLikeIpRoute) {
  Route r{.dst = "10.0.0.5/32", .dev = "romana1", .table = 254, .protocol = kProtoRomana, .scope = kScopeLink};
  EXPECT_EQ(ToString(r), "10.0.0.5/32 dev romana1 table 254 proto 82 scope link");
  Route gw{.dst = "10.1.0.0/29", .gateway = "192.168.1.2", .table = 10, .protocol = 4, .metric = 5,
           .src = "192.168.1.1", .onlink = true};
  EXPECT_EQ(ToString(gw), "10.1.0.0/29 via 192.168.1.2 table 10 proto 4 metric 5 src 192.168.1.1 onlink");
  Route by_index{.dst = "0.0.0.0/0", .oif = 7};
  EXPECT_EQ(ToString(by_index), "0.0.0.0/0 oif 7 table 254 proto 3");
}

TEST(NetlinkTypesTest, RuleToString) {
  EXPECT_EQ(ToString(Rule{.table = 10}), "from all lookup 10");
  EXPECT_EQ(ToString(Rule{.priority = 100, .table = 10, .src = "10.0.0.0/8", .dst = "10.1.0.0/16",
                          .fwmark = 1, .fwmask = 0xff}),
            "priority 100 from 10.0.0.0/8 to 10.1.0.0/16 fwmark 1/255 lookup 10");
}

TEST(NetlinkTypesTest, AddressAndLinkToString) {
  EXPECT_EQ(ToString(Address{.dev = "eth0", .prefix = "10.0.0.1/32"}), "10.0.0.1/32 dev eth0");
  EXPECT_EQ(ToString(Address{.ifindex = 3, .prefix = "10.0.0.1/32"}), "10.0.0.1/32 dev #3");
  EXPECT_EQ(ToString(Link{.index = 2, .name = "v0", .kind = "veth", .mtu = 1400, .up = true, .mac = "aa:bb:cc:dd:ee:ff"}),
            "2: v0 (veth) mtu 1400 up aa:bb:cc:dd:ee:ff");
}

TEST(NetnsPathTest, BareNamesLiveUnderVarRunNetns) {
  EXPECT_EQ(NetnsPath("pod1"), "/var/run/netns/pod1");
  EXPECT_EQ(NetnsPath("/proc/1/ns/net"), "/proc/1/ns/net");
  EXPECT_EQ(NetnsPath("./x"), "./x");
  EXPECT_EQ(NetnsPath(""), "");
}

}  // namespace
}  // namespace romana::netlink
