// Behaviour of the Ipam state machine: hosts, allocation order, idempotency, release and reuse,
// exhaustion, reserved ranges, relabel, removal; and the worked examples of reference §4.12.
#include "ipam/ipam.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/builtin.h"
#include "ipam/errors.h"

namespace romana::ipam {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

net::Ipv4Address A(const char* s) { return *net::Ipv4Address::Parse(s); }

TopologySpec Spec(const std::string& json) {
  absl::StatusOr<TopologySpec> s = ParseTopology(json);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

std::string Alloc(Ipam& ipam, const std::string& name, const std::string& host, const std::string& ns = "default",
                  const std::string& seg = "") {
  absl::StatusOr<AllocateResult> r = ipam.Allocate({name, host, ns, seg});
  EXPECT_TRUE(r.ok()) << name << ": " << r.status();
  return r.ok() ? r->address.ip.ToString() : "";
}

// The allocatable count is always exactly capacity - allocated, for every leaf group.
void ExpectAccountingHolds(const Ipam& ipam) {
  for (const NetworkPlan& p : ipam.plans()) {
    for (const GroupPlan& g : p.groups) {
      if (!g.leaf || g.padding) continue;
      absl::StatusOr<Usage> u = ipam.GetUsage(p.network.name, g.path);
      ASSERT_TRUE(u.ok());
      ASSERT_EQ(u->allocatable, u->capacity - u->allocated) << p.network.name << " " << g.path;
    }
  }
}

class KubeadmTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(ipam_.SetTopology(KubeadmTopology()).ok()); }
  HostRecord Add(const std::string& name, const char* ip, Labels labels = {}) {
    absl::StatusOr<HostRecord> h = ipam_.AddHost({name, A(ip), labels});
    EXPECT_TRUE(h.ok()) << h.status();
    return h.value_or(HostRecord{});
  }
  Ipam ipam_;
};

// Reference §4.12, steps 1-8, unchanged by our fixes.
TEST_F(KubeadmTest, WorkedExample412) {
  ASSERT_EQ(ipam_.Groups().size(), 8u);
  EXPECT_EQ(Add("master", "192.168.99.10").groups.at("romana-network"), "/0");
  EXPECT_EQ(Add("node1", "192.168.99.11").groups.at("romana-network"), "/1");
  EXPECT_EQ(Add("node2", "192.168.99.12").groups.at("romana-network"), "/2");
  EXPECT_EQ(ipam_.GetGroup("romana-network", "/0")->cidr.ToString(), "10.112.0.0/15");
  EXPECT_EQ(ipam_.GetGroup("romana-network", "/1")->cidr.ToString(), "10.114.0.0/15");
  EXPECT_EQ(ipam_.GetGroup("romana-network", "/2")->cidr.ToString(), "10.116.0.0/15");
  // Step 3: kube-dns on master, owner kube-system:default, new block #0.
  EXPECT_EQ(Alloc(ipam_, "kube-dns", "master", "kube-system"), "10.112.0.0");
  // Steps 4-5: a second owner gets a new block #1.
  EXPECT_EQ(Alloc(ipam_, "pod-a", "master"), "10.112.0.8");
  EXPECT_EQ(Alloc(ipam_, "pod-b", "master"), "10.112.0.9");
  // Step 6: node1's group.
  EXPECT_EQ(Alloc(ipam_, "pod-c", "node1"), "10.114.0.0");
  // Step 7: 7 more pods fill .10-.15, then block #2 10.112.0.16/29.
  std::vector<std::string> got;
  for (int i = 0; i < 7; ++i) got.push_back(Alloc(ipam_, "more-" + std::to_string(i), "master"));
  EXPECT_THAT(got, ElementsAre("10.112.0.10", "10.112.0.11", "10.112.0.12", "10.112.0.13", "10.112.0.14",
                               "10.112.0.15", "10.112.0.16"));
  std::vector<std::string> blocks;
  for (const BlockRecord& b : ipam_.Blocks("romana-network", "master")) blocks.push_back(b.cidr.ToString());
  EXPECT_THAT(blocks, ElementsAre("10.112.0.0/29", "10.112.0.8/29", "10.112.0.16/29"));
  // Step 8: kube-dns deleted: block #0 is empty and reusable by any owner on any host of group 1.
  ASSERT_TRUE(ipam_.Release("kube-dns").ok());
  std::vector<BlockRecord> b0 = ipam_.Blocks("romana-network");
  EXPECT_EQ(b0[0].cidr.ToString(), "10.112.0.0/29");
  EXPECT_EQ(b0[0].host, "");
  EXPECT_EQ(b0[0].owner, "");
  // A new owner on master: no own block, so the reusable block #0 comes back before a new one.
  EXPECT_EQ(Alloc(ipam_, "web-1", "master", "web"), "10.112.0.0");
  ExpectAccountingHolds(ipam_);
}

TEST_F(KubeadmTest, HostsSpreadLeastLoadedFirst) {
  std::vector<std::string> paths;
  for (int i = 0; i < 9; ++i) {
    paths.push_back(Add("n" + std::to_string(i), ("192.168.0." + std::to_string(i + 1)).c_str())
                        .groups.at("romana-network"));
  }
  EXPECT_THAT(paths, ElementsAre("/0", "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/0"));
  EXPECT_THAT(ipam_.GroupHosts("romana-network", "/0"), ElementsAre("n0", "n8"));
}

TEST_F(KubeadmTest, AllocationIsIdempotentPerName) {
  Add("a", "192.168.0.1");
  Add("b", "192.168.0.2");
  absl::StatusOr<AllocateResult> r1 = ipam_.Allocate({"c1:eth0", "a", "default", ""});
  ASSERT_TRUE(r1.ok());
  EXPECT_TRUE(r1->created);
  absl::StatusOr<AllocateResult> r2 = ipam_.Allocate({"c1:eth0", "a", "default", ""});
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE(r2->created);
  EXPECT_EQ(r2->address, r1->address);
  EXPECT_EQ(ipam_.address_count(), 1u);
  absl::StatusOr<AllocateResult> other = ipam_.Allocate({"c1:eth0", "b", "default", ""});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(other.status().message(), HasSubstr("host \"a\""));
}

TEST_F(KubeadmTest, ReleaseByNameOrIpAndNotFound) {
  Add("a", "192.168.0.1");
  std::string ip = Alloc(ipam_, "x", "a");
  Alloc(ipam_, "y", "a");
  absl::StatusOr<AddressRecord> r = ipam_.ReleaseIp(A(ip.c_str()));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "x");
  EXPECT_EQ(ipam_.Release("x").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ipam_.ReleaseIp(A("10.112.0.5")).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(ipam_.Release("y").ok());
  EXPECT_EQ(ipam_.address_count(), 0u);
  // The lowest address comes back first.
  EXPECT_EQ(Alloc(ipam_, "z", "a"), "10.112.0.0");
}

TEST_F(KubeadmTest, BadRequestsNameTheField) {
  Add("a", "192.168.0.1");
  absl::StatusOr<AllocateResult> r = ipam_.Allocate({"", "a", "", ""});
  EXPECT_EQ(ErrorField(r.status()), "name");
  r = ipam_.Allocate({"x", "", "", ""});
  EXPECT_EQ(ErrorField(r.status()), "host");
  EXPECT_EQ(ipam_.Allocate({"x", "nope", "", ""}).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<HostRecord> h = ipam_.AddHost({"a", A("192.168.0.9"), {}});
  EXPECT_EQ(h.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorField(h.status()), "name");
  h = ipam_.AddHost({"b", A("192.168.0.1"), {}});
  EXPECT_EQ(h.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorField(h.status()), "ip");
  h = ipam_.AddHost({"c", A("10.112.0.1"), {}});
  EXPECT_EQ(ErrorField(h.status()), "ip");
  h = ipam_.AddHost({"bad/name", A("192.168.0.3"), {}});
  EXPECT_EQ(ErrorField(h.status()), "name");
  EXPECT_EQ(ipam_.host_count(), 1u);
}

TEST_F(KubeadmTest, RemoveHostFreesBlocksAndAddresses) {
  Add("a", "192.168.0.1");
  Add("b", "192.168.0.2");
  Add("c", "192.168.0.3");
  for (int i = 0; i < 10; ++i) Alloc(ipam_, "a" + std::to_string(i), "a");
  Alloc(ipam_, "b0", "b");
  ASSERT_TRUE(ipam_.RemoveHost("a").ok());
  EXPECT_FALSE(ipam_.GetHost("a").has_value());
  EXPECT_TRUE(ipam_.Addresses("a").empty());
  EXPECT_EQ(ipam_.address_count(), 1u);
  for (const BlockRecord& b : ipam_.Blocks("romana-network")) {
    if (b.cidr.network() < A("10.114.0.0")) {
      EXPECT_EQ(b.host, "");
      EXPECT_EQ(b.allocated(), 0u);
    }
  }
  EXPECT_TRUE(ipam_.GroupHosts("romana-network", "/0").empty());
  ExpectAccountingHolds(ipam_);
  // A new host lands in the now-empty group 0 and reuses the freed blocks, lowest first.
  EXPECT_EQ(Add("d", "192.168.0.4").groups.at("romana-network"), "/0");
  EXPECT_EQ(Alloc(ipam_, "d0", "d"), "10.112.0.0");
  EXPECT_EQ(ipam_.RemoveHost("a").status().code(), absl::StatusCode::kNotFound);
}

TEST(IpamTest, BlockReuseMask30) {  // reference §4.12 TestBlockReuseMask30
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"n","cidr":"10.0.0.0/8","block_mask":30}],
      "topologies":[{"networks":["n"],"map":[{"name":"g","groups":[]}]}]})")).ok());
  ASSERT_TRUE(ipam.AddHost({"h", A("192.168.0.1"), {}}).ok());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Alloc(ipam, "addr" + std::to_string(i), "h"), "10.0.0." + std::to_string(i));
  ASSERT_TRUE(ipam.Release("addr2").ok());
  ASSERT_TRUE(ipam.Release("addr3").ok());
  EXPECT_EQ(Alloc(ipam, "addr2", "h"), "10.0.0.2");
  EXPECT_EQ(Alloc(ipam, "addr3", "h"), "10.0.0.3");
  EXPECT_EQ(ipam.block_count(), 1u);
  for (int i = 4; i < 8; ++i) EXPECT_EQ(Alloc(ipam, "addr" + std::to_string(i), "h"), "10.0.0." + std::to_string(i));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(ipam.Release("addr" + std::to_string(i)).ok());
  std::vector<BlockRecord> blocks = ipam.Blocks();
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].host, "");
  EXPECT_EQ(Alloc(ipam, "again", "h"), "10.0.0.0");
}

TEST(IpamTest, SegmentsGetTheirOwnBlocks) {  // reference §4.12 TestSegments
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"n","cidr":"10.0.0.0/24","block_mask":30}],
      "topologies":[{"networks":["n"],"map":[{"groups":[]}]}]})")).ok());
  ASSERT_TRUE(ipam.AddHost({"h", A("192.168.0.1"), {}}).ok());
  EXPECT_EQ(Alloc(ipam, "a", "h", "t", "seg1"), "10.0.0.0");
  EXPECT_EQ(Alloc(ipam, "b", "h", "t", "seg1"), "10.0.0.1");
  EXPECT_EQ(Alloc(ipam, "c", "h", "t", "seg2"), "10.0.0.4");
  EXPECT_EQ(ipam.GetAddress("c")->segment, "seg2");
}

TEST(IpamTest, StaticHostsShareTheGroupCidr) {  // reference §4.12 TestHostAllocation
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"n","cidr":"10.0.0.0/8","block_mask":30}],
      "topologies":[{"networks":["n"],"map":[{"name":"g","groups":[
        {"name":"A","ip":"192.168.0.1"},{"name":"B","ip":"192.168.0.2"}]}]}]})")).ok());
  ASSERT_TRUE(ipam.GetHost("A").has_value());
  EXPECT_TRUE(ipam.GetHost("A")->is_static);
  EXPECT_EQ(Alloc(ipam, "a", "A"), "10.0.0.0");
  EXPECT_EQ(Alloc(ipam, "b", "B"), "10.0.0.4");
}

TEST(IpamTest, MultipleNetworksAndTenants) {  // reference §4.1.2 TestTenants and TestMultiNetAllocate
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[
      {"name":"net1","cidr":"10.200.0.0/16","tenants":["tenant1","tenant2"]},
      {"name":"net2","cidr":"10.220.0.0/16","tenants":["tenant3"]},
      {"name":"net3","cidr":"10.240.0.0/16"}],
      "topologies":[{"networks":["net1","net2","net3"],"map":[{"groups":[]}]}]})")).ok());
  ASSERT_TRUE(ipam.AddHost({"h", A("192.168.0.1"), {}}).ok());
  EXPECT_EQ(ipam.GetHost("h")->groups.size(), 3u);
  EXPECT_EQ(Alloc(ipam, "1", "h", "tenant1"), "10.200.0.0");
  EXPECT_EQ(Alloc(ipam, "2", "h", "tenant2"), "10.200.0.8");
  EXPECT_EQ(Alloc(ipam, "3", "h", "tenant3"), "10.220.0.0");
  EXPECT_EQ(Alloc(ipam, "4", "h", "other"), "10.240.0.0");
}

TEST(IpamTest, ExhaustionNamesGroupAndNetworkAndFallsThroughNetworks) {
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"small","cidr":"10.0.0.0/30","block_mask":31},
      {"name":"next","cidr":"10.1.0.0/32","block_mask":32}],
      "topologies":[{"networks":["small"],"map":[{"name":"only","groups":[]}]},
                    {"networks":["next"],"map":[{"name":"one","groups":[]}]}]})")).ok());
  ASSERT_TRUE(ipam.AddHost({"h", A("192.168.0.1"), {}}).ok());
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(Alloc(ipam, std::to_string(i), "h"));
  EXPECT_THAT(got, ElementsAre("10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.1.0.0"));
  absl::StatusOr<AllocateResult> r = ipam.Allocate({"x", "h", "", ""});
  ASSERT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("group /0 \"only\" (10.0.0.0/30) of network \"small\""));
  EXPECT_THAT(r.status().message(), HasSubstr("network \"next\""));
  ExpectAccountingHolds(ipam);
}

TEST(IpamTest, Slash32NetworkHoldsOneAddress) {  // reference §4.8 Test32_2
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"n","cidr":"10.0.0.7/32","block_mask":32}],
      "topologies":[{"networks":["n"],"map":[{"groups":[]}]}]})")).ok());
  ASSERT_TRUE(ipam.AddHost({"h", A("192.168.0.1"), {}}).ok());
  EXPECT_EQ(Alloc(ipam, "a", "h"), "10.0.0.7");
  EXPECT_EQ(ipam.Allocate({"b", "h", "", ""}).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(IpamTest, ReservedRangesAreSkippedAndUnreserveRestoresThem) {  // reference §4.8 TestBlackout
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"n","cidr":"10.0.0.0/30","block_mask":30}],
      "topologies":[{"networks":["n"],"map":[{"groups":[]}]}]})")).ok());
  ASSERT_TRUE(ipam.AddHost({"h", A("192.168.0.1"), {}}).ok());
  net::Ipv4Cidr r = *net::Ipv4Cidr::Parse("10.0.0.0/31");
  absl::StatusOr<Change> c = ipam.PlanReserve("n", r);
  ASSERT_TRUE(c.ok()) << c.status();
  ipam.Apply(*c);
  EXPECT_EQ(Alloc(ipam, "a", "h"), "10.0.0.2");
  EXPECT_EQ(Alloc(ipam, "b", "h"), "10.0.0.3");
  EXPECT_EQ(ipam.Allocate({"c", "h", "", ""}).status().code(), absl::StatusCode::kResourceExhausted);
  ExpectAccountingHolds(ipam);
  // Reserving again, or something inside, is a no-op; a reservation over an allocation conflicts.
  EXPECT_TRUE(ipam.PlanReserve("n", r)->empty());
  EXPECT_TRUE(ipam.PlanReserve("n", *net::Ipv4Cidr::Parse("10.0.0.1/32"))->empty());
  absl::StatusOr<Change> bad = ipam.PlanReserve("n", *net::Ipv4Cidr::Parse("10.0.0.2/31"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ErrorConflicts(bad.status()), ::testing::SizeIs(2));
  EXPECT_EQ(ErrorField(ipam.PlanReserve("n", *net::Ipv4Cidr::Parse("10.0.0.0/30")).status()), "cidr");
  EXPECT_EQ(ErrorField(ipam.PlanReserve("n", *net::Ipv4Cidr::Parse("10.9.0.0/30")).status()), "cidr");
  EXPECT_EQ(ipam.PlanUnreserve("n", *net::Ipv4Cidr::Parse("10.0.0.0/32")).status().code(),
            absl::StatusCode::kNotFound);
  c = ipam.PlanUnreserve("n", r);
  ASSERT_TRUE(c.ok()) << c.status();
  ipam.Apply(*c);
  EXPECT_EQ(Alloc(ipam, "c", "h"), "10.0.0.0");
  EXPECT_EQ(Alloc(ipam, "d", "h"), "10.0.0.1");
  EXPECT_EQ(ipam.Allocate({"e", "h", "", ""}).status().code(), absl::StatusCode::kResourceExhausted);
  ExpectAccountingHolds(ipam);
}

TEST(IpamTest, FullyReservedBlockSlotsAreSkippedAndReusedOnceFree) {
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"n","cidr":"10.0.0.0/28","block_mask":30,
      "reserved":["10.0.0.0/30"]}],"topologies":[{"networks":["n"],"map":[{"groups":[]}]}]})")).ok());
  ASSERT_TRUE(ipam.AddHost({"h", A("192.168.0.1"), {}}).ok());
  EXPECT_EQ(Alloc(ipam, "a", "h", "ns1"), "10.0.0.4");  // slot 0 is entirely reserved: no block there
  EXPECT_EQ(Alloc(ipam, "b", "h", "ns2"), "10.0.0.8");
  EXPECT_EQ(ipam.block_count(), 2u);
  ipam.Apply(*ipam.PlanUnreserve("n", *net::Ipv4Cidr::Parse("10.0.0.0/30")));
  EXPECT_EQ(Alloc(ipam, "c", "h", "ns3"), "10.0.0.0");  // the gap below the existing blocks is found
  EXPECT_EQ(Alloc(ipam, "d", "h", "ns4"), "10.0.0.12");
  EXPECT_EQ(ipam.Allocate({"e", "h", "ns5", ""}).status().code(), absl::StatusCode::kResourceExhausted);
  ExpectAccountingHolds(ipam);
}

TEST(IpamTest, WiderReservationReplacesNarrowerOnes) {
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"n","cidr":"10.0.0.0/24","reserved":["10.0.0.4/31"]}],
      "topologies":[{"networks":["n"],"map":[{"groups":[]}]}]})")).ok());
  ipam.Apply(*ipam.PlanReserve("n", *net::Ipv4Cidr::Parse("10.0.0.0/29")));
  EXPECT_THAT(ipam.GetNetwork("n")->reserved, ElementsAre(*net::Ipv4Cidr::Parse("10.0.0.0/29")));
}

TEST(IpamTest, HostAdditionTags) {  // reference §4.5 TestHostAdditionTags
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[{"name":"n","cidr":"10.0.0.0/16"}],
      "topologies":[{"networks":["n"],"map":[{"name":"g1","assignment":{"tier":"backend"}},
        {"name":"g2","assignment":{"tier":"frontend"}},{"name":"g3","assignment":{"tier":"backend"}},
        {"name":"g4","assignment":{"tier":"frontend"}}]}]})")).ok());
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(ipam.AddHost({"b" + std::to_string(i), net::Ipv4Address(A("192.168.1.0").value() + i),
                              {{"tier", "backend"}}}).ok());
  }
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(ipam.AddHost({"f" + std::to_string(i), net::Ipv4Address(A("192.168.2.0").value() + i),
                              {{"tier", "frontend"}}}).ok());
  }
  EXPECT_EQ(ipam.GroupHosts("n", "/0").size(), 4u);
  EXPECT_EQ(ipam.GroupHosts("n", "/1").size(), 2u);
  EXPECT_EQ(ipam.GroupHosts("n", "/2").size(), 4u);
  EXPECT_EQ(ipam.GroupHosts("n", "/3").size(), 2u);
}

TEST(IpamTest, HostJoinsOnlyMatchingNetworks) {  // reference §4.3 test data TestHostAdd713
  std::string nets, topos;
  for (int i = 0; i < 8; ++i) {
    std::string n = "net" + std::to_string(i);
    nets += (i ? "," : "") + std::string(R"({"name":")") + n + R"(","cidr":"10.)" + std::to_string(i) + R"(.0.0/16"})";
    topos += (i ? "," : "") + std::string(R"({"networks":[")") + n + R"("],"map":[{"assignment":{"rack":"rack-)" +
             std::to_string(i) + R"("}}]})";
  }
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(R"({"networks":[)" + nets + R"(],"topologies":[)" + topos + "]}")).ok());
  absl::StatusOr<HostRecord> h = ipam.AddHost({"h", A("192.168.0.1"), {{"rack", "rack-7"}}});
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->groups, (std::map<std::string, std::string>{{"net7", "/0"}}));
  EXPECT_EQ(Alloc(ipam, "a", "h"), "10.7.0.0");
}

const char kZoneRack[] = R"({"networks":[{"name":"my-network","cidr":"10.111.0.0/16"}],
  "topologies":[{"networks":["my-network"],"map":[
    {"name":"zone-A","assignment":{"zone":"zone-A"},"groups":[
      {"name":"rack-3","assignment":{"rack":"rack-3"},"groups":[]},
      {"name":"rack-4","assignment":{"rack":"rack-4"},"groups":[]},
      {"name":"rack-7","assignment":{"rack":"rack-7"},"groups":[]},
      {"name":"rack-9","assignment":{"rack":"rack-9"},"groups":[]}]},
    {"name":"zone-B","assignment":{"zone":"zone-B"},"groups":[
      {"name":"rack-17","assignment":{"rack":"rack-17"},"groups":[]},
      {"name":"rack-22","assignment":{"rack":"rack-22"},"groups":[]}]}]}]})";

TEST(IpamTest, AssignmentPlacesHostsAndRelabelNeverMoves) {  // reference §4.3 example C
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(Spec(kZoneRack)).ok());
  absl::StatusOr<HostRecord> h = ipam.AddHost({"n7", A("192.168.1.7"), {{"zone", "zone-A"}, {"rack", "rack-7"}}});
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(ipam.GetGroup("my-network", h->groups.at("my-network"))->cidr.ToString(), "10.111.64.0/19");
  EXPECT_EQ(ipam.GetGroup("my-network", h->groups.at("my-network"))->name, "rack-7");  // names kept
  // No group accepts a host without the labels: the error says why.
  absl::StatusOr<HostRecord> none = ipam.AddHost({"x", A("192.168.1.8"), {{"zone", "zone-C"}}});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(none.status()), "labels");
  EXPECT_THAT(none.status().message(), HasSubstr("requires label zone=zone-A"));
  // Relabel: extra labels are fine; changing the rack would need a move and is refused.
  EXPECT_TRUE(ipam.SetHostLabels("n7", {{"zone", "zone-A"}, {"rack", "rack-7"}, {"x", "y"}}).ok());
  absl::StatusOr<HostRecord> moved = ipam.SetHostLabels("n7", {{"zone", "zone-A"}, {"rack", "rack-9"}});
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(moved.status().message(), HasSubstr("rack=rack-7"));
  // The parent's assignment is checked too (the original only checked the leaf).
  moved = ipam.SetHostLabels("n7", {{"zone", "zone-B"}, {"rack", "rack-7"}});
  EXPECT_THAT(moved.status().message(), HasSubstr("zone=zone-A"));
  EXPECT_EQ(ipam.GetHost("n7")->labels.at("x"), "y");
  EXPECT_EQ(ipam.SetHostLabels("nope", {}).status().code(), absl::StatusCode::kNotFound);
}

TEST(IpamTest, UsEast1PaddingGroupsNeverReceiveHosts) {
  // Our fix of the padding quirk: the original made the 2 padding AZ groups of us-east-1
  // ordinary unassigned leaves, so hosts with no zone label (and, once the real groups were
  // fuller, every host) landed there. Here such a host is rejected.
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(*AwsTopology("us-east-1")).ok());
  absl::StatusOr<HostRecord> unlabelled = ipam.AddHost({"x", A("172.16.0.1"), {}});
  EXPECT_EQ(unlabelled.status().code(), absl::StatusCode::kInvalidArgument);
  for (int i = 0; i < 40; ++i) {
    Labels l = {{kZoneLabel, "us-east-1c"}, {kRegionLabel, "us-east-1"}};
    ASSERT_TRUE(ipam.AddHost({"h" + std::to_string(i), net::Ipv4Address(A("172.16.1.1").value() + i), l}).ok());
  }
  for (const GroupRecord& g : ipam.Groups()) {
    if (g.padding) {
      EXPECT_TRUE(ipam.GroupHosts(g.network, g.path).empty()) << g.path;
    } else if (g.leaf && g.name.rfind("us-east-1c", 0) == 0) {
      EXPECT_EQ(ipam.GroupHosts(g.network, g.path).size(), 10u) << g.path;
    }
  }
  // Both label spellings work.
  absl::StatusOr<HostRecord> beta = ipam.AddHost(
      {"beta", A("172.16.2.1"), {{kBetaZoneLabel, "us-east-1a"}, {kBetaRegionLabel, "us-east-1"}}});
  ASSERT_TRUE(beta.ok()) << beta.status();
  EXPECT_EQ(ipam.GetGroup("romana-network", beta->groups.at("romana-network"))->cidr.ToString(), "100.96.0.0/16");
}

}  // namespace
}  // namespace romana::ipam
