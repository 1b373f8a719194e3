// Runs the real libnl implementation against the kernel, only inside namespaces the test makes.
#include "netlink/libnl_netlink.h"

#include <algorithm>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "netlink/testing/scoped_netns.h"

namespace romana::netlink {
namespace {

using testing::ScopedNetns;

class LibnlNetlinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root (network namespaces)";
    auto a = ScopedNetns::Create("nl-a");
    ASSERT_TRUE(a.ok()) << a.status();
    ns_a_ = *std::move(a);
    auto b = ScopedNetns::Create("nl-b");
    ASSERT_TRUE(b.ok()) << b.status();
    ns_b_ = *std::move(b);
    auto nl_a = LibnlNetlink::Create({.netns = ns_a_->name()});
    ASSERT_TRUE(nl_a.ok()) << nl_a.status();
    a_ = *std::move(nl_a);
    auto nl_b = LibnlNetlink::Create({.netns = ns_b_->path()});
    ASSERT_TRUE(nl_b.ok()) << nl_b.status();
    b_ = *std::move(nl_b);
  }

  // A veth "va" in A and "vb" in B, both up, mtu 1400.
  void MakeVethPair() {
    ASSERT_TRUE(a_->CreateVeth({.name = "va", .peer_name = "vb", .mtu = 1400, .peer_netns = ns_b_->name()}).ok());
    ASSERT_TRUE(a_->SetLinkUp("va", true).ok());
    ASSERT_TRUE(b_->SetLinkUp("vb", true).ok());
  }

  std::unique_ptr<ScopedNetns> ns_a_, ns_b_;
  std::unique_ptr<LibnlNetlink> a_, b_;
};

TEST_F(LibnlNetlinkTest, CreateInMissingNetnsIsNotFound) {
  auto nl = LibnlNetlink::Create({.netns = "romana-missing-" + std::to_string(getpid())});
  EXPECT_TRUE(absl::IsNotFound(nl.status())) << nl.status();
}

TEST_F(LibnlNetlinkTest, FreshNamespaceHasOnlyLoopback) {
  auto links = a_->ListLinks();
  ASSERT_TRUE(links.ok()) << links.status();
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ((*links)[0].name, "lo");
  EXPECT_TRUE((*links)[0].up);
}

TEST_F(LibnlNetlinkTest, VethPeerIsCreatedInTheOtherNamespaceWithMtu) {
  MakeVethPair();
  auto va = a_->GetLink("va");
  ASSERT_TRUE(va.ok()) << va.status();
  EXPECT_EQ(va->kind, "veth");
  EXPECT_EQ(va->mtu, 1400);
  EXPECT_TRUE(va->up);
  EXPECT_EQ(va->mac.size(), 17u);
  auto vb = b_->GetLink("vb");
  ASSERT_TRUE(vb.ok()) << vb.status();
  EXPECT_EQ(vb->mtu, 1400);
  EXPECT_EQ(vb->peer_index, va->index);
  EXPECT_TRUE(absl::IsNotFound(a_->GetLink("vb").status()));
  EXPECT_TRUE(absl::IsNotFound(b_->GetLink("va").status()));
}

TEST_F(LibnlNetlinkTest, VethNameCollisionsAreAlreadyExistsAndCreateNothing) {
  MakeVethPair();
  // Host-side name taken.
  absl::Status s = a_->CreateVeth({.name = "va", .peer_name = "vc", .peer_netns = ns_b_->name()});
  EXPECT_TRUE(absl::IsAlreadyExists(s)) << s;
  EXPECT_NE(s.message().find("va"), std::string::npos) << s;
  EXPECT_NE(s.message().find("errno 17"), std::string::npos) << s;
  // Peer name taken in the peer namespace: the host end must not be left behind.
  s = a_->CreateVeth({.name = "vz", .peer_name = "vb", .peer_netns = ns_b_->name()});
  EXPECT_TRUE(absl::IsAlreadyExists(s)) << s;
  EXPECT_TRUE(absl::IsNotFound(a_->GetLink("vz").status()));
  EXPECT_TRUE(absl::IsNotFound(b_->GetLink("vc").status()));
}

TEST_F(LibnlNetlinkTest, BadVethInputIsRejectedBeforeTheKernel) {
  EXPECT_TRUE(absl::IsInvalidArgument(a_->CreateVeth({.name = "a-name-that-is-too-long", .peer_name = "p"})));
  EXPECT_TRUE(absl::IsInvalidArgument(a_->CreateVeth({.name = "", .peer_name = "p"})));
  EXPECT_TRUE(absl::IsInvalidArgument(a_->CreateVeth({.name = "a/b", .peer_name = "p"})));
  EXPECT_TRUE(absl::IsNotFound(a_->CreateVeth({.name = "x1", .peer_name = "x2", .peer_netns = "/nonexistent/ns"})));
  auto links = a_->ListLinks();
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(links->size(), 1u);
}

TEST_F(LibnlNetlinkTest, DeleteLinkRemovesBothEndsAndIsNotFoundTheSecondTime) {
  MakeVethPair();
  ASSERT_TRUE(a_->DeleteLink("va").ok());
  EXPECT_TRUE(absl::IsNotFound(a_->GetLink("va").status()));
  EXPECT_TRUE(absl::IsNotFound(b_->GetLink("vb").status()));
  absl::Status again = a_->DeleteLink("va");
  EXPECT_TRUE(absl::IsNotFound(again)) << again;
}

TEST_F(LibnlNetlinkTest, SetLinkUpDownAndMtu) {
  ASSERT_TRUE(a_->CreateVeth({.name = "v1", .peer_name = "v2"}).ok());
  EXPECT_FALSE(a_->GetLink("v1")->up);
  ASSERT_TRUE(a_->SetLinkUp("v1", true).ok());
  ASSERT_TRUE(a_->SetLinkUp("v1", true).ok());  // idempotent
  EXPECT_TRUE(a_->GetLink("v1")->up);
  ASSERT_TRUE(a_->SetLinkUp("v1", false).ok());
  EXPECT_FALSE(a_->GetLink("v1")->up);
  ASSERT_TRUE(a_->SetLinkMtu("v1", 9000).ok());
  EXPECT_EQ(a_->GetLink("v1")->mtu, 9000);
  EXPECT_TRUE(absl::IsInvalidArgument(a_->SetLinkMtu("v1", 10)));
  EXPECT_TRUE(absl::IsNotFound(a_->SetLinkUp("nope", true)));
}

TEST_F(LibnlNetlinkTest, MoveLinkToNetns) {
  ASSERT_TRUE(a_->CreateVeth({.name = "m1", .peer_name = "m2"}).ok());
  ASSERT_TRUE(a_->MoveLinkToNetns("m2", ns_b_->name()).ok());
  EXPECT_TRUE(absl::IsNotFound(a_->GetLink("m2").status()));
  EXPECT_TRUE(b_->GetLink("m2").ok());
  EXPECT_TRUE(absl::IsNotFound(a_->MoveLinkToNetns("m1", "/nonexistent/ns")));
}

TEST_F(LibnlNetlinkTest, AddressesAddListDelete) {
  MakeVethPair();
  ASSERT_TRUE(b_->AddAddress("vb", "10.9.0.2/32").ok());
  absl::Status dup = b_->AddAddress("vb", "10.9.0.2/32");
  EXPECT_TRUE(absl::IsAlreadyExists(dup)) << dup;
  EXPECT_NE(dup.message().find("10.9.0.2/32 dev vb"), std::string::npos) << dup;
  auto addrs = b_->ListAddresses("vb");
  ASSERT_TRUE(addrs.ok()) << addrs.status();
  ASSERT_EQ(addrs->size(), 1u);
  EXPECT_EQ((*addrs)[0].prefix, "10.9.0.2/32");
  EXPECT_EQ((*addrs)[0].dev, "vb");
  auto all = b_->ListAddresses("");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(std::any_of(all->begin(), all->end(), [](const Address& a) { return a.prefix == "127.0.0.1/8"; }));
  ASSERT_TRUE(b_->DeleteAddress("vb", "10.9.0.2/32").ok());
  EXPECT_TRUE(absl::IsNotFound(b_->DeleteAddress("vb", "10.9.0.2/32")));
  EXPECT_TRUE(b_->ListAddresses("vb")->empty());
  EXPECT_TRUE(absl::IsInvalidArgument(b_->AddAddress("vb", "10.9.0.300/32")));
  EXPECT_TRUE(absl::IsInvalidArgument(b_->AddAddress("vb", "10.9.0.3")));
  EXPECT_TRUE(absl::IsInvalidArgument(b_->AddAddress("vb", "10.9.0.3/33")));
  EXPECT_TRUE(absl::IsNotFound(b_->AddAddress("nope", "10.9.0.3/32")));
}

TEST_F(LibnlNetlinkTest, DeviceAndGatewayRoutesWithTableAndProtocol) {
  MakeVethPair();
  Route host{.dst = "10.9.0.2/32", .dev = "va", .protocol = kProtoRomana, .scope = kScopeLink};
  ASSERT_TRUE(a_->AddRoute(host).ok());
  absl::Status dup = a_->AddRoute(host);
  EXPECT_TRUE(absl::IsAlreadyExists(dup)) << dup;
  EXPECT_NE(dup.message().find("10.9.0.2/32 dev va"), std::string::npos) << dup;

  ASSERT_TRUE(a_->AddAddress("va", "192.168.50.1/24").ok());
  Route remote{.dst = "10.20.0.0/29", .gateway = "192.168.50.2", .table = 100, .protocol = kProtoRomana};
  ASSERT_TRUE(a_->AddRoute(remote).ok());

  auto ours = a_->ListRoutes({.protocol = kProtoRomana});
  ASSERT_TRUE(ours.ok()) << ours.status();
  ASSERT_EQ(ours->size(), 2u);
  auto in100 = a_->ListRoutes({.table = 100});
  ASSERT_TRUE(in100.ok());
  ASSERT_EQ(in100->size(), 1u);
  EXPECT_EQ((*in100)[0].dst, "10.20.0.0/29");
  EXPECT_EQ((*in100)[0].gateway, "192.168.50.2");
  EXPECT_EQ((*in100)[0].dev, "va");
  EXPECT_EQ((*in100)[0].protocol, kProtoRomana);
  EXPECT_EQ((*in100)[0].scope, kScopeUniverse);
  auto main = a_->ListRoutes({.table = kMainTable, .protocol = kProtoRomana});
  ASSERT_TRUE(main.ok());
  ASSERT_EQ(main->size(), 1u);
  EXPECT_EQ((*main)[0].dst, "10.9.0.2/32");
  EXPECT_EQ((*main)[0].scope, kScopeLink);
  EXPECT_TRUE((*main)[0].gateway.empty());

  // Replace moves the route to another gateway; it is still one route.
  remote.gateway = "192.168.50.3";
  ASSERT_TRUE(a_->ReplaceRoute(remote).ok());
  in100 = a_->ListRoutes({.table = 100});
  ASSERT_EQ(in100->size(), 1u);
  EXPECT_EQ((*in100)[0].gateway, "192.168.50.3");

  // A delete with another protocol does not remove our route.
  Route foreign = remote;
  foreign.protocol = kProtoStatic;
  foreign.gateway.clear();
  EXPECT_TRUE(absl::IsNotFound(a_->DeleteRoute(foreign)));
  EXPECT_EQ(a_->ListRoutes({.table = 100})->size(), 1u);
  Route del{.dst = "10.20.0.0/29", .table = 100, .protocol = kProtoRomana};
  ASSERT_TRUE(a_->DeleteRoute(del).ok());
  EXPECT_TRUE(absl::IsNotFound(a_->DeleteRoute(del)));
  EXPECT_TRUE(a_->ListRoutes({.table = 100})->empty());
}

TEST_F(LibnlNetlinkTest, DefaultRouteViaLinkLocalGatewayWithStaticNeighbour) {
  MakeVethPair();
  auto va = a_->GetLink("va");
  ASSERT_TRUE(va.ok());
  ASSERT_TRUE(b_->AddAddress("vb", "10.9.0.2/32").ok());
  ASSERT_TRUE(b_->AddRoute({.dst = "169.254.1.1/32", .dev = "vb", .scope = kScopeLink}).ok());
  ASSERT_TRUE(b_->AddRoute({.dst = "0.0.0.0/0", .gateway = "169.254.1.1", .dev = "vb"}).ok());
  ASSERT_TRUE(b_->SetNeighbor({.dev = "vb", .ip = "169.254.1.1", .mac = va->mac}).ok());
  ASSERT_TRUE(b_->SetNeighbor({.dev = "vb", .ip = "169.254.1.1", .mac = va->mac}).ok());  // idempotent
  auto neigh = b_->ListNeighbors("vb");
  ASSERT_TRUE(neigh.ok()) << neigh.status();
  ASSERT_EQ(neigh->size(), 1u);
  EXPECT_EQ((*neigh)[0].ip, "169.254.1.1");
  EXPECT_EQ((*neigh)[0].mac, va->mac);
  EXPECT_TRUE((*neigh)[0].permanent);
  auto routes = b_->ListRoutes({.table = kMainTable, .dev = "vb"});
  ASSERT_TRUE(routes.ok());
  auto def = std::find_if(routes->begin(), routes->end(), [](const Route& r) { return r.dst == "0.0.0.0/0"; });
  ASSERT_NE(def, routes->end());
  EXPECT_EQ(def->gateway, "169.254.1.1");

  // Real traffic: A has 10.9.255.1 on lo and a /32 route to B's address via the veth.
  ASSERT_TRUE(a_->AddAddress("lo", "10.9.255.1/32").ok());
  ASSERT_TRUE(a_->AddRoute({.dst = "10.9.0.2/32", .dev = "va", .protocol = kProtoRomana, .scope = kScopeLink}).ok());
  auto ping = ns_a_->ExecOrError({"ping", "-c1", "-W2", "10.9.0.2"});
  EXPECT_TRUE(ping.ok()) << ping.status();
  EXPECT_TRUE(absl::IsInvalidArgument(b_->SetNeighbor({.dev = "vb", .ip = "169.254.1.1", .mac = "zz"})));
}

TEST_F(LibnlNetlinkTest, RulesAddListDelete) {
  Rule rule{.priority = 1000, .table = 10};
  ASSERT_TRUE(a_->AddRule(rule).ok());
  absl::Status dup = a_->AddRule(rule);
  EXPECT_TRUE(absl::IsAlreadyExists(dup)) << dup;
  Rule selective{.priority = 1001, .table = 11, .src = "10.0.0.0/8", .fwmark = 0x10, .fwmask = 0xf0};
  ASSERT_TRUE(a_->AddRule(selective).ok());
  auto rules = a_->ListRules();
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto find = [&](int prio) {
    return std::find_if(rules->begin(), rules->end(), [&](const Rule& r) { return r.priority == prio; });
  };
  ASSERT_NE(find(1000), rules->end());
  EXPECT_EQ(*find(1000), rule);
  ASSERT_NE(find(1001), rules->end());
  EXPECT_EQ(*find(1001), selective);
  ASSERT_NE(find(32766), rules->end());  // the kernel's "from all lookup main"
  EXPECT_EQ(find(32766)->table, kMainTable);
  ASSERT_TRUE(a_->DeleteRule(rule).ok());
  EXPECT_TRUE(absl::IsNotFound(a_->DeleteRule(rule)));
  ASSERT_TRUE(a_->DeleteRule(selective).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(a_->AddRule({.table = 0})));
}

}  // namespace
}  // namespace romana::netlink
