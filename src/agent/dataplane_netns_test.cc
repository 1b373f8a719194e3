// Integration tests of the agent's apply layers against the real kernel, inside namespaces the
// test creates: routes + rule over netlink, the NAT table over libnftables, sysctls in /proc.
#include <thread>

#include "absl/strings/str_cat.h"
#include "agent/nat.h"
#include "agent/netlink_route_programmer.h"
#include "agent/route_syncer.h"
#include "agent/sysctl.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "netlink/libnl_netlink.h"
#include "netlink/netns.h"
#include "netlink/testing/scoped_netns.h"

namespace romana::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using netlink::testing::ScopedNetns;

class DataplaneNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root";
    auto ns = ScopedNetns::Create("agent-node");
    ASSERT_TRUE(ns.ok()) << ns.status();
    node_ = *std::move(ns);
    auto peer = ScopedNetns::Create("agent-peer");
    ASSERT_TRUE(peer.ok()) << peer.status();
    peer_ = *std::move(peer);
    // node eth0 192.168.77.10/24 <-> peer eth0 192.168.77.11/24
    ASSERT_TRUE(node_->ExecOrError({"ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0",
                                    "netns", peer_->name()}).ok());
    ASSERT_TRUE(node_->ExecOrError({"ip", "addr", "add", "192.168.77.10/24", "dev", "eth0"}).ok());
    ASSERT_TRUE(node_->ExecOrError({"ip", "link", "set", "eth0", "up"}).ok());
    ASSERT_TRUE(peer_->ExecOrError({"ip", "addr", "add", "192.168.77.11/24", "dev", "eth0"}).ok());
    ASSERT_TRUE(peer_->ExecOrError({"ip", "link", "set", "eth0", "up"}).ok());
    auto nl = netlink::LibnlNetlink::Create({.netns = node_->name()});
    ASSERT_TRUE(nl.ok()) << nl.status();
    nl_ = *std::move(nl);
  }
  std::string Table10() { return node_->ExecOrError({"ip", "route", "show", "table", "10"}).value_or("ERR"); }
  std::string Rules() { return node_->ExecOrError({"ip", "rule", "show"}).value_or("ERR"); }

  std::unique_ptr<ScopedNetns> node_, peer_;
  std::unique_ptr<netlink::LibnlNetlink> nl_;
};

TEST_F(DataplaneNetnsTest, ConnectedSubnetsSeeTheNodeLink) {
  absl::StatusOr<std::vector<std::string>> s = ConnectedSubnets(*nl_);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(*s, ::testing::ElementsAre("192.168.77.0/24"));
}

TEST_F(DataplaneNetnsTest, SyncProgramsTableAndRuleAndTouchesNothingElse) {
  // Someone else's route in our table, with another protocol: must survive everything.
  ASSERT_TRUE(node_->ExecOrError({"ip", "route", "add", "10.99.0.0/24", "via", "192.168.77.11",
                                  "table", "10", "proto", "static"}).ok());
  NetlinkRouteProgrammer programmer(*nl_, {});
  base::SystemClock clock;
  RouteSyncer syncer(programmer, clock, {});
  RouteMap want = ToRouteMap({{"10.114.0.0/28", "192.168.77.11"}, {"10.116.0.8/29", "192.168.77.11"}});
  ASSERT_TRUE(syncer.Sync(want).ok());
  std::string t = Table10();
  EXPECT_THAT(t, HasSubstr("10.114.0.0/28 via 192.168.77.11 dev eth0 proto 82"));
  EXPECT_THAT(t, HasSubstr("10.116.0.8/29 via 192.168.77.11 dev eth0 proto 82"));
  EXPECT_THAT(t, HasSubstr("10.99.0.0/24 via 192.168.77.11 dev eth0 proto static"));
  EXPECT_THAT(Rules(), HasSubstr("32000:\tfrom all lookup 10"));

  // Out-of-band deletion of one of ours is repaired after Invalidate (what the resync does).
  ASSERT_TRUE(node_->ExecOrError({"ip", "route", "del", "10.114.0.0/28", "table", "10"}).ok());
  ASSERT_TRUE(node_->ExecOrError({"ip", "rule", "del", "pref", "32000"}).ok());
  syncer.Invalidate("test");
  ASSERT_TRUE(syncer.Sync(want).ok());
  EXPECT_THAT(Table10(), HasSubstr("10.114.0.0/28 via 192.168.77.11"));
  EXPECT_THAT(Rules(), HasSubstr("32000:\tfrom all lookup 10"));

  // A restarted agent (new syncer) converges to the same state and removes what it no longer wants.
  RouteSyncer restarted(programmer, clock, {});
  RouteMap smaller = ToRouteMap({{"10.114.0.0/28", "192.168.77.11"}});
  ASSERT_TRUE(restarted.Sync(smaller).ok());
  t = Table10();
  EXPECT_THAT(t, HasSubstr("10.114.0.0/28"));
  EXPECT_THAT(t, Not(HasSubstr("10.116.0.8/29")));
  EXPECT_THAT(t, HasSubstr("10.99.0.0/24"));

  ASSERT_TRUE(restarted.RemoveAll().ok());
  t = Table10();
  EXPECT_THAT(t, Not(HasSubstr("proto 82")));
  EXPECT_THAT(t, HasSubstr("10.99.0.0/24"));
  EXPECT_THAT(Rules(), Not(HasSubstr("lookup 10")));
}

TEST_F(DataplaneNetnsTest, UnreachableRoutesAnswerForUnallocatedAddressesAndLeavePodRoutesAlone) {
  // A pod's /32 as the CNI plugin makes it (main table, proto 82, unicast), inside our block.
  ASSERT_TRUE(node_->ExecOrError({"ip", "link", "add", "pod0", "type", "veth", "peer", "name", "pod0p"}).ok());
  ASSERT_TRUE(node_->ExecOrError({"ip", "link", "set", "pod0", "up"}).ok());
  ASSERT_TRUE(node_->ExecOrError({"ip", "route", "add", "10.114.0.2/32", "dev", "pod0", "proto", "82"}).ok());
  // Someone else's rule that also looks up table 10, and someone else's unreachable route.
  ASSERT_TRUE(node_->ExecOrError({"ip", "rule", "add", "pref", "100", "from", "10.1.0.0/16", "lookup", "10"}).ok());
  ASSERT_TRUE(node_->ExecOrError({"ip", "route", "add", "unreachable", "10.200.0.0/24"}).ok());
  ASSERT_TRUE(node_->ExecOrError({"sysctl", "-qw", "net.ipv4.ip_forward=1"}).ok());
  ASSERT_TRUE(peer_->ExecOrError({"ip", "route", "add", "10.114.0.0/16", "via", "192.168.77.10"}).ok());

  NetlinkRouteProgrammer programmer(*nl_, {});
  base::SystemClock clock;
  RouteSyncer syncer(programmer, clock, {});
  RouteMap want = ToRouteMap({Route::Unreachable("10.114.0.0/29"), Route::Unreachable("10.114.0.0/24"),
                              Route::Via("10.114.1.0/29", "192.168.77.11")});
  ASSERT_TRUE(syncer.Sync(want).ok());
  const std::string main = node_->ExecOrError({"ip", "route", "show", "table", "main"}).value_or("ERR");
  EXPECT_THAT(main, HasSubstr("unreachable 10.114.0.0/29 proto 82"));
  EXPECT_THAT(main, HasSubstr("unreachable 10.114.0.0/24 proto 82"));
  EXPECT_THAT(Rules(), HasSubstr("32000:\tfrom all lookup 10 proto 82"));
  // What the agent reads back is exactly what it wrote: not the pod route, not the foreign ones.
  absl::StatusOr<RouteMap> owned = programmer.ListOwnedRoutes();
  ASSERT_TRUE(owned.ok()) << owned.status();
  EXPECT_EQ(*owned, want);
  absl::StatusOr<std::vector<Rule>> rules = programmer.ListOwnedRules();
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_THAT(*rules, ::testing::ElementsAre(Rule{kDefaultRulePriority, kDefaultRouteTable}));

  // The kernel answers for an unallocated address at once; the pod's /32 still wins.
  absl::StatusOr<base::CommandResult> ping = peer_->Exec({"ping", "-c", "1", "-W", "2", "10.114.0.5"});
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_THAT(ping->output, HasSubstr("Unreachable"));
  EXPECT_THAT(node_->ExecOrError({"ip", "route", "get", "10.114.0.2"}).value_or("ERR"), HasSubstr("dev pod0"));

  ASSERT_TRUE(syncer.RemoveAll().ok());
  const std::string after = node_->ExecOrError({"ip", "route", "show", "table", "main"}).value_or("ERR");
  EXPECT_THAT(after, Not(HasSubstr("10.114.0.0/29")));
  EXPECT_THAT(after, HasSubstr("10.114.0.2 dev pod0 proto 82"));
  EXPECT_THAT(after, HasSubstr("unreachable 10.200.0.0/24"));
  EXPECT_THAT(Rules(), HasSubstr("100:\tfrom 10.1.0.0/16 lookup 10"));
  EXPECT_THAT(Rules(), Not(HasSubstr("32000:")));
}

TEST_F(DataplaneNetnsTest, NatTableIsProgrammedAndForeignTablesSurviveByteForByte) {
  // Foreign tables with chains, sets and rules, one of them also NAT on postrouting.
  ASSERT_TRUE(node_->ExecOrError({"sh", "-c", R"(nft -f - <<'END'
table ip someone-else {
  set blocked { type ipv4_addr; flags interval; elements = { 10.9.0.0/16 } }
  chain post { type nat hook postrouting priority srcnat; policy accept;
    ip saddr @blocked counter masquerade comment "not ours"
  }
}
table inet filter {
  chain forward { type filter hook forward priority 0; policy accept;
    ct state established accept
    ip daddr 10.112.0.1 tcp dport 22 drop
  }
}
END
)"}).ok());
  auto foreign = [&] {
    return node_->ExecOrError({"nft", "-j", "list", "table", "ip", "someone-else"}).value_or("ERR") +
           node_->ExecOrError({"nft", "-j", "list", "table", "inet", "filter"}).value_or("ERR");
  };
  const std::string before = foreign();
  ASSERT_THAT(before, HasSubstr("not ours"));
  // The nft context must be created and used inside the node namespace.
  std::thread([&] {
    auto in = netlink::ScopedNetnsEntry::Enter(node_->name());
    ASSERT_TRUE(in.ok()) << in.status();
    auto nft = nft::LibNftablesRunner::Create();
    ASSERT_TRUE(nft.ok());
    base::SystemClock clock;
    NatSyncer syncer(**nft, clock, std::chrono::seconds(60));
    ASSERT_TRUE(syncer.Sync({.networks = {"10.112.0.0/12"}, .interface = "eth0"}).ok());
    std::string rules = node_->ExecOrError({"nft", "list", "table", "ip", "romana-nat"}).value_or("ERR");
    EXPECT_THAT(rules, HasSubstr("masquerade"));
    EXPECT_THAT(rules, HasSubstr("oifname \"eth0\""));
    EXPECT_THAT(rules, HasSubstr("ip saddr @romana-networks ip daddr != @romana-networks"));
    EXPECT_EQ(foreign(), before);
    ASSERT_TRUE(syncer.Sync({.networks = {"10.112.0.0/12", "10.200.0.0/16"}, .interface = "eth0"}).ok());
    EXPECT_EQ(syncer.last_stats().elements_added, 1);
    EXPECT_EQ(syncer.last_stats().chains_written, 0);
    rules = node_->ExecOrError({"nft", "list", "table", "ip", "romana-nat"}).value_or("ERR");
    EXPECT_THAT(rules, HasSubstr("10.200.0.0/16"));
    ASSERT_TRUE(syncer.Sync({.networks = {"10.112.0.0/12", "10.200.0.0/16"}}).ok());  // chain rewrite
    EXPECT_EQ(syncer.last_stats().chains_written, 1);
    EXPECT_EQ(foreign(), before);
    ASSERT_TRUE(syncer.RemoveAll().ok());
    rules = node_->ExecOrError({"nft", "list", "ruleset"}).value_or("ERR");
    EXPECT_THAT(rules, Not(HasSubstr("romana-nat")));
    EXPECT_EQ(foreign(), before);
  }).join();
}

TEST_F(DataplaneNetnsTest, SysctlsAreSetInTheNodeNamespaceOnly) {
  const std::string host_forward = ReadSysctl("/proc/sys", "net.ipv4.ip_forward").value_or("?");
  ASSERT_TRUE(node_->ExecOrError({"sysctl", "-qw", "net.ipv4.ip_forward=0",
                                  "net.ipv4.conf.default.proxy_arp=0"}).ok());
  // /proc/sys/net follows the network namespace of the calling thread.
  std::thread([&] {
    auto in = netlink::ScopedNetnsEntry::Enter(node_->name());
    ASSERT_TRUE(in.ok());
    absl::Status s = SetSysctls("/proc/sys", DataplaneSysctls(/*proxy_arp=*/true));
    EXPECT_TRUE(s.ok()) << s;
  }).join();
  EXPECT_EQ(node_->ExecOrError({"cat", "/proc/sys/net/ipv4/ip_forward"}).value_or(""), "1\n");
  EXPECT_EQ(node_->ExecOrError({"cat", "/proc/sys/net/ipv4/conf/default/proxy_arp"}).value_or(""), "1\n");
  EXPECT_EQ(ReadSysctl("/proc/sys", "net.ipv4.ip_forward").value_or("?"), host_forward);
}

}  // namespace
}  // namespace romana::agent
