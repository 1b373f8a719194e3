// The agent's VIP apply layer against the real kernel, in namespaces the test creates: a VIP
// added to the node's link answers a ping from a peer on the segment; addresses the agent did not
// add (the node's own, an operator's /32 alias) survive every sync and the clean-up.
#include "absl/strings/str_cat.h"
#include "agent/netlink_vip_programmer.h"
#include "agent/vip_syncer.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "netlink/libnl_netlink.h"
#include "netlink/testing/scoped_netns.h"

namespace romana::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using netlink::testing::ScopedNetns;

class VipNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root";
    auto ns = ScopedNetns::Create("vip-node");
    ASSERT_TRUE(ns.ok()) << ns.status();
    node_ = *std::move(ns);
    auto peer = ScopedNetns::Create("vip-peer");
    ASSERT_TRUE(peer.ok()) << peer.status();
    peer_ = *std::move(peer);
    // node eth0 192.168.78.10/24 <-> peer eth0 192.168.78.11/24, one L2 segment.
    ASSERT_TRUE(node_->ExecOrError({"ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0",
                                    "netns", peer_->name()}).ok());
    ASSERT_TRUE(node_->ExecOrError({"ip", "addr", "add", "192.168.78.10/24", "dev", "eth0"}).ok());
    ASSERT_TRUE(node_->ExecOrError({"ip", "link", "set", "eth0", "up"}).ok());
    ASSERT_TRUE(node_->ExecOrError({"ip", "route", "add", "default", "via", "192.168.78.11"}).ok());
    ASSERT_TRUE(peer_->ExecOrError({"ip", "addr", "add", "192.168.78.11/24", "dev", "eth0"}).ok());
    ASSERT_TRUE(peer_->ExecOrError({"ip", "link", "set", "eth0", "up"}).ok());
    auto nl = netlink::LibnlNetlink::Create({.netns = node_->name()});
    ASSERT_TRUE(nl.ok()) << nl.status();
    nl_ = *std::move(nl);
  }
  std::string Addresses() { return node_->ExecOrError({"ip", "-4", "addr", "show", "dev", "eth0"}).value_or("ERR"); }
  bool PeerPings(const std::string& ip) {
    return peer_->ExecOrError({"ping", "-c", "1", "-W", "2", ip}).ok();
  }

  std::unique_ptr<ScopedNetns> node_, peer_;
  std::unique_ptr<netlink::LibnlNetlink> nl_;
};

TEST_F(VipNetnsTest, DefaultRouteInterfaceIsThePrimaryLink) {
  absl::StatusOr<std::string> link = DefaultRouteInterface(*nl_);
  ASSERT_TRUE(link.ok()) << link.status();
  EXPECT_EQ(*link, "eth0");
  ASSERT_TRUE(node_->ExecOrError({"ip", "route", "del", "default"}).ok());
  EXPECT_TRUE(absl::IsNotFound(DefaultRouteInterface(*nl_).status()));
}

TEST_F(VipNetnsTest, VipAnswersOnTheSegmentAndOnlyOurAddressesAreTouched) {
  // An operator's /32 alias on the same link, and one with the VIP's address on another node's
  // behalf would look the same to the kernel: both must survive.
  ASSERT_TRUE(node_->ExecOrError({"ip", "addr", "add", "192.168.78.200/32", "dev", "eth0"}).ok());
  NetlinkVipProgrammer programmer(*nl_, "eth0");
  base::SystemClock clock;
  VipSyncer syncer(programmer, clock, std::chrono::seconds(60));

  ASSERT_TRUE(syncer.Sync({"192.168.78.101", "192.168.78.200"}).ok());
  std::string a = Addresses();
  EXPECT_THAT(a, HasSubstr(absl::StrCat("inet 192.168.78.101/32 scope global ", kVipLabel)));
  EXPECT_THAT(a, HasSubstr("inet 192.168.78.200/32 scope global eth0"));  // still the operator's
  EXPECT_EQ(syncer.last_conflicts(), (std::set<std::string>{"192.168.78.200"}));
  EXPECT_TRUE(PeerPings("192.168.78.101"));

  // Idempotent: a second sync after a re-read writes nothing.
  VipSyncer restarted(programmer, clock, std::chrono::seconds(60));  // as after an agent restart
  ASSERT_TRUE(restarted.Sync({"192.168.78.101"}).ok());
  EXPECT_EQ(restarted.last_writes(), 0);

  // The VIP moves away (or goes): removed; the foreign /32 and the node's address stay.
  ASSERT_TRUE(restarted.Sync({}).ok());
  a = Addresses();
  EXPECT_THAT(a, Not(HasSubstr("192.168.78.101")));
  EXPECT_THAT(a, HasSubstr("192.168.78.200/32"));
  EXPECT_THAT(a, HasSubstr("192.168.78.10/24"));
  EXPECT_FALSE(PeerPings("192.168.78.101"));

  // Clean-up removes only ours.
  ASSERT_TRUE(restarted.Sync({"192.168.78.102"}).ok());
  ASSERT_TRUE(restarted.RemoveAll().ok());
  a = Addresses();
  EXPECT_THAT(a, Not(HasSubstr("192.168.78.102")));
  EXPECT_THAT(a, HasSubstr("192.168.78.200/32"));
}

TEST_F(VipNetnsTest, MissingLinkIsNotFound) {
  NetlinkVipProgrammer programmer(*nl_, "nosuch0");
  base::SystemClock clock;
  VipSyncer syncer(programmer, clock, std::chrono::seconds(60));
  EXPECT_TRUE(absl::IsNotFound(syncer.Sync({"192.168.78.101"})));
}

}  // namespace
}  // namespace romana::agent
