// Runtime topology updates (reference §4.9, fixed): accepted when every host keeps its group and
// every block/address still fits; otherwise rejected with the full list of conflicts.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/builtin.h"
#include "ipam/ipam.h"

namespace romana::ipam {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::SizeIs;

net::Ipv4Address A(const char* s) { return *net::Ipv4Address::Parse(s); }

TopologySpec Spec(const std::string& json) {
  absl::StatusOr<TopologySpec> s = ParseTopology(json);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

class TopologyUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ipam_.SetTopology(KubeadmTopology()).ok());
    for (int i = 1; i <= 3; ++i) {
      ASSERT_TRUE(ipam_.AddHost({"n" + std::to_string(i), net::Ipv4Address(A("192.168.0.0").value() + i),
                                 {{"rack", std::to_string(i)}}}).ok());
    }
    ASSERT_TRUE(ipam_.Allocate({"a1", "n1", "", ""}).ok());
    ASSERT_TRUE(ipam_.Allocate({"a2", "n2", "", ""}).ok());
  }
  Ipam ipam_;
};

TEST_F(TopologyUpdateTest, SameTopologyIsANoOp) {
  absl::StatusOr<Change> c = ipam_.PlanSetTopology(KubeadmTopology());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->empty());
}

TEST_F(TopologyUpdateTest, CompatibleChangeKeepsHostsAndAddresses) {
  // Renaming groups, adding an assignment the hosts satisfy, and a new network are fine.
  TopologySpec spec = KubeadmTopology();
  spec.topologies[0].map[0].name = "renamed";
  spec.topologies[0].map[1].assignment = {{"rack", "2"}};
  spec.networks.push_back({"extra", *net::Ipv4Cidr::Parse("10.200.0.0/16"), 0, {}, {}});
  spec.topologies.push_back({{"extra"}, {GroupSpec{}}});
  absl::StatusOr<Change> c = ipam_.PlanSetTopology(spec);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->topology.has_value());
  ipam_.Apply(*c);
  EXPECT_EQ(ipam_.GetGroup("romana-network", "/0")->name, "renamed");
  EXPECT_EQ(ipam_.GetAddress("a1")->ip.ToString(), "10.112.0.0");
  // Existing hosts joined the new network.
  EXPECT_EQ(ipam_.GetHost("n3")->groups.at("extra"), "/0");
  EXPECT_THAT(ipam_.GroupHosts("extra", "/0"), SizeIs(3));
}

TEST_F(TopologyUpdateTest, IncompatibleChangeListsEveryConflictAndChangesNothing) {
  Change before = ipam_.AllRecords();
  TopologySpec spec = KubeadmTopology();
  spec.networks[0].cidr = *net::Ipv4Cidr::Parse("10.192.0.0/12");             // blocks no longer fit
  spec.topologies[0].map[2].assignment = {{"rack", "9"}};                      // n3 no longer fits
  absl::StatusOr<Change> c = ipam_.PlanSetTopology(spec);
  ASSERT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
  std::vector<std::string> conflicts = ErrorConflicts(c.status());
  EXPECT_THAT(conflicts, SizeIs(3)) << c.status();
  EXPECT_THAT(conflicts, Contains(HasSubstr("host \"n3\" no longer fits its group")));
  EXPECT_THAT(conflicts, Contains(HasSubstr("block 10.112.0.0/29 of host \"n1\" no longer fits")));
  EXPECT_THAT(conflicts, Contains(HasSubstr("block 10.114.0.0/29 of host \"n2\"")));
  EXPECT_EQ(ipam_.AllRecords().put_blocks, before.put_blocks);
  EXPECT_EQ(ipam_.topology()->networks[0].cidr.ToString(), "10.112.0.0/12");
}

TEST_F(TopologyUpdateTest, RemovingAGroupOrNetworkInUseConflicts) {
  TopologySpec fewer = KubeadmTopology();
  fewer.topologies[0].map.resize(2);  // groups /2.. disappear; the split changes to /13
  absl::StatusOr<Change> c = ipam_.PlanSetTopology(fewer);
  ASSERT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ErrorConflicts(c.status()), Contains(HasSubstr("host \"n3\" is in group /2")));
  TopologySpec other = Spec(R"({"networks":[{"name":"other","cidr":"10.50.0.0/16"}],
      "topologies":[{"networks":["other"],"map":[{"groups":[]}]}]})");
  c = ipam_.PlanSetTopology(other);
  ASSERT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ErrorConflicts(c.status()), Contains(HasSubstr("which the new topology removes")));
}

TEST_F(TopologyUpdateTest, HostsWithoutAddressesMayLoseANetwork) {
  ASSERT_TRUE(ipam_.Release("a1").ok());
  ASSERT_TRUE(ipam_.Release("a2").ok());
  TopologySpec other = Spec(R"({"networks":[{"name":"other","cidr":"10.50.0.0/16"}],
      "topologies":[{"networks":["other"],"map":[{"groups":[]}]}]})");
  absl::StatusOr<Change> c = ipam_.PlanSetTopology(other);
  ASSERT_TRUE(c.ok()) << c.status();
  ipam_.Apply(*c);
  EXPECT_EQ(ipam_.GetHost("n1")->groups.size(), 1u);
  EXPECT_EQ(ipam_.GetHost("n1")->groups.at("other"), "/0");
  EXPECT_EQ(ipam_.block_count(), 0u);  // empty blocks of the removed network are dropped
  EXPECT_EQ(ipam_.Allocate({"b", "n1", "", ""})->address.ip.ToString(), "10.50.0.0");
}

TEST_F(TopologyUpdateTest, NarrowingTenantsOrReservingUsedAddressesConflicts) {
  TopologySpec spec = KubeadmTopology();
  spec.networks[0].tenants = {"kube-system"};
  absl::StatusOr<Change> c = ipam_.PlanSetTopology(spec);
  ASSERT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ErrorConflicts(c.status()), SizeIs(2));
  EXPECT_THAT(c.status().message(), HasSubstr("no longer allow that namespace"));
  spec = KubeadmTopology();
  spec.networks[0].reserved = {*net::Ipv4Cidr::Parse("10.112.0.0/24")};
  c = ipam_.PlanSetTopology(spec);
  EXPECT_THAT(ErrorConflicts(c.status()), ElementsAre(HasSubstr("lies in reserved 10.112.0.0/24")));
}

TEST_F(TopologyUpdateTest, StaticHostsAreAddedAndMustAgreeWithExistingOnes) {
  TopologySpec spec = KubeadmTopology();
  spec.topologies[0].map[5].hosts = {{"static-1", A("192.168.5.1")}};
  absl::StatusOr<Change> c = ipam_.PlanSetTopology(spec);
  ASSERT_TRUE(c.ok()) << c.status();
  ipam_.Apply(*c);
  EXPECT_TRUE(ipam_.GetHost("static-1")->is_static);
  EXPECT_EQ(ipam_.GetHost("static-1")->groups.at("romana-network"), "/5");
  // Listing an existing host with another IP, or in another group, conflicts.
  spec.topologies[0].map[6].hosts = {{"n1", A("192.168.7.7")}};
  EXPECT_THAT(ErrorConflicts(ipam_.PlanSetTopology(spec).status()),
              ElementsAre(HasSubstr("exists with IP 192.168.0.1")));
  spec.topologies[0].map[6].hosts = {{"n1", A("192.168.0.1")}};
  EXPECT_THAT(ErrorConflicts(ipam_.PlanSetTopology(spec).status()), ElementsAre(HasSubstr("but is in group /0")));
  spec.topologies[0].map[6].hosts = {{"new", A("192.168.0.2")}};
  EXPECT_THAT(ErrorConflicts(ipam_.PlanSetTopology(spec).status()), ElementsAre(HasSubstr("belongs to host \"n2\"")));
}

TEST_F(TopologyUpdateTest, InvalidTopologyIsInvalidArgument) {
  TopologySpec spec = KubeadmTopology();
  spec.networks[0].block_mask = 8;
  EXPECT_EQ(ipam_.PlanSetTopology(spec).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romana::ipam
