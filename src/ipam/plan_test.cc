// The split (reference §4.2) and the built-in topologies' CIDRs (reference §4.3 examples A, B, C).
#include "ipam/plan.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/builtin.h"

namespace romana::ipam {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Cidrs(const NetworkPlan& p, bool leaves_only = false) {
  std::vector<std::string> out;
  for (const GroupPlan& g : p.groups) {
    if (!leaves_only || g.leaf) out.push_back(g.cidr.ToString());
  }
  return out;
}

NetworkPlan OnlyPlan(const TopologySpec& spec) {
  absl::StatusOr<std::vector<NetworkPlan>> plans = BuildPlans(spec);
  EXPECT_TRUE(plans.ok()) << plans.status();
  EXPECT_EQ(plans->size(), 1u);
  return (*plans)[0];
}

TEST(PlanTest, KubeadmExampleA) {
  NetworkPlan p = OnlyPlan(KubeadmTopology());
  EXPECT_THAT(Cidrs(p), ElementsAre("10.112.0.0/15", "10.114.0.0/15", "10.116.0.0/15", "10.118.0.0/15",
                                    "10.120.0.0/15", "10.122.0.0/15", "10.124.0.0/15", "10.126.0.0/15"));
  EXPECT_EQ(p.groups[0].name, "host-group-01");
  EXPECT_EQ(p.groups[7].path, "/7");
  EXPECT_EQ(p.groups[0].BlockCapacity(p.block_mask()), 16384u);  // 2^(29-15)
  for (const GroupPlan& g : p.groups) EXPECT_FALSE(g.padding);
}

TEST(PlanTest, KubeadmWithOverrideSection411) {
  TopologySpec spec = KubeadmTopology();
  ASSERT_TRUE(ApplyNetworkCidrOverrides(*ParseNetworkCidrOverrides("romana-network=10.200.0.0/16"), spec).ok());
  NetworkPlan p = OnlyPlan(spec);
  EXPECT_EQ(Cidrs(p).front(), "10.200.0.0/19");
  EXPECT_EQ(Cidrs(p)[1], "10.200.32.0/19");
  EXPECT_EQ(Cidrs(p).back(), "10.200.224.0/19");
  EXPECT_EQ(p.groups[0].BlockCapacity(p.block_mask()), 1024u);
}

TEST(PlanTest, AwsTwoZonesUsWest1) {
  NetworkPlan p = OnlyPlan(*AwsTopology("us-west-1"));
  const GroupPlan* b = p.Find("/0");
  const GroupPlan* c = p.Find("/1");
  ASSERT_TRUE(b && c);
  EXPECT_EQ(b->cidr.ToString(), "100.96.0.0/12");
  EXPECT_EQ(b->name, "failure-domain: us-west-1b");
  EXPECT_EQ(c->cidr.ToString(), "100.112.0.0/12");
  EXPECT_EQ(p.Find("/0/0")->cidr.ToString(), "100.96.0.0/15");
  EXPECT_EQ(p.Find("/0/7")->cidr.ToString(), "100.110.0.0/15");
  EXPECT_EQ(p.Find("/1/0")->cidr.ToString(), "100.112.0.0/15");
  EXPECT_EQ(p.Find("/1/7")->cidr.ToString(), "100.126.0.0/15");
  EXPECT_EQ(p.Find("/1/7")->name, "us-west-1c-group-08");  // nested names are kept (fix)
  EXPECT_EQ(p.Find("/1/7")->assignment.at(kBetaZoneLabel), "us-west-1c");
}

TEST(PlanTest, AwsThreeZonesUsWest2HasOnePaddingGroup) {
  NetworkPlan p = OnlyPlan(*AwsTopology("us-west-2"));
  EXPECT_EQ(p.Find("/0")->cidr.ToString(), "100.96.0.0/13");
  EXPECT_EQ(p.Find("/1")->cidr.ToString(), "100.104.0.0/13");
  EXPECT_EQ(p.Find("/2")->cidr.ToString(), "100.112.0.0/13");
  const GroupPlan* pad = p.Find("/3");
  ASSERT_NE(pad, nullptr);
  EXPECT_EQ(pad->cidr.ToString(), "100.120.0.0/13");
  EXPECT_TRUE(pad->padding);
  EXPECT_TRUE(pad->leaf);
  EXPECT_EQ(p.Find("/0/0")->cidr.ToString(), "100.96.0.0/16");
  EXPECT_EQ(p.Find("/0/7")->cidr.ToString(), "100.103.0.0/16");
  EXPECT_EQ(p.Find("/1/0")->cidr.ToString(), "100.104.0.0/16");
  EXPECT_EQ(p.Find("/2/7")->cidr.ToString(), "100.119.0.0/16");
  // Our fix: a padding group accepts nobody, not even a host without labels.
  EXPECT_FALSE(LeafAccepts(p, p.IndexOf("/3"), {}));
}

TEST(PlanTest, AwsSixZonesUsEast1) {
  NetworkPlan p = OnlyPlan(*AwsTopology("us-east-1"));
  EXPECT_EQ(p.Find("/0")->cidr.ToString(), "100.96.0.0/14");
  EXPECT_EQ(p.Find("/1")->cidr.ToString(), "100.100.0.0/14");
  EXPECT_EQ(p.Find("/5")->cidr.ToString(), "100.116.0.0/14");
  EXPECT_TRUE(p.Find("/6")->padding);
  EXPECT_EQ(p.Find("/6")->cidr.ToString(), "100.120.0.0/14");
  EXPECT_TRUE(p.Find("/7")->padding);
  EXPECT_EQ(p.Find("/7")->cidr.ToString(), "100.124.0.0/14");
  EXPECT_EQ(p.Find("/0/0")->cidr.ToString(), "100.96.0.0/16");
  EXPECT_EQ(p.Find("/0/3")->cidr.ToString(), "100.99.0.0/16");
  EXPECT_EQ(p.Find("/0/4"), nullptr);
  int leaves = 0;
  for (const GroupPlan& g : p.groups) leaves += g.leaf && !g.padding;
  EXPECT_EQ(leaves, 24);
}

TEST(PlanTest, ZoneRackExampleC) {
  absl::StatusOr<TopologySpec> spec = ParseTopology(R"({"networks":[{"name":"my-network","cidr":"10.111.0.0/16"}],
    "topologies":[{"networks":["my-network"],"map":[
      {"assignment":{"zone":"zone-A"},"groups":[
        {"assignment":{"rack":"rack-3"},"groups":[]},{"assignment":{"rack":"rack-4"},"groups":[]},
        {"assignment":{"rack":"rack-7"},"groups":[]},{"assignment":{"rack":"rack-9"},"groups":[]}]},
      {"assignment":{"zone":"zone-B"},"groups":[
        {"assignment":{"rack":"rack-17"},"groups":[]},{"assignment":{"rack":"rack-22"},"groups":[]}]}]}]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  NetworkPlan p = OnlyPlan(*spec);
  EXPECT_THAT(Cidrs(p), ElementsAre("10.111.0.0/17", "10.111.0.0/19", "10.111.32.0/19", "10.111.64.0/19",
                                    "10.111.96.0/19", "10.111.128.0/17", "10.111.128.0/18", "10.111.192.0/18"));
  int rack7 = p.IndexOf("/0/2");
  EXPECT_TRUE(LeafAccepts(p, rack7, {{"zone", "zone-A"}, {"rack", "rack-7"}}));
  EXPECT_FALSE(LeafAccepts(p, rack7, {{"zone", "zone-B"}, {"rack", "rack-7"}}));
  EXPECT_FALSE(LeafAccepts(p, p.IndexOf("/0"), {{"zone", "zone-A"}}));  // not a leaf
}

TEST(PlanTest, PrefixGenForEmptyGroups) {  // reference §4.3 test data TestPrefixGenForEmptyGroups
  absl::StatusOr<TopologySpec> spec = ParseTopology(R"({"networks":[{"name":"n","cidr":"10.0.0.0/16"}],
    "topologies":[{"networks":["n"],"map":[{"name":"group1","groups":[]},
      {"name":"group2","groups":[{"name":"group2a","groups":[]},{"name":"group2b","groups":[]}]}]}]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  NetworkPlan p = OnlyPlan(*spec);
  EXPECT_THAT(Cidrs(p), ElementsAre("10.0.0.0/17", "10.0.128.0/17", "10.0.128.0/18", "10.0.192.0/18"));
  EXPECT_EQ(p.Find("/1/1")->name, "group2b");
  EXPECT_EQ(p.Find("/1/1")->spec_path, "topologies[0].map[1].groups[1]");
}

TEST(PlanTest, SingleGroupKeepsTheWholeCidrAndPaddingPerLevel) {
  absl::StatusOr<TopologySpec> spec = ParseTopology(R"({"networks":[{"name":"n","cidr":"10.0.0.0/16"}],
    "topologies":[{"networks":["n"],"map":[{"name":"all","groups":[{"name":"a"},{"name":"b"},{"name":"c"}]}]}]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  NetworkPlan p = OnlyPlan(*spec);
  EXPECT_EQ(p.Find("/0")->cidr.ToString(), "10.0.0.0/16");
  EXPECT_EQ(p.Find("/0/2")->cidr.ToString(), "10.0.128.0/18");
  EXPECT_TRUE(p.Find("/0/3")->padding);
  EXPECT_EQ(p.Find("/0/3")->cidr.ToString(), "10.0.192.0/18");
  EXPECT_THAT(p.groups[0].children, ElementsAre(1, 2, 3, 4));
}

TEST(PlanTest, AssignmentMatchesBothZoneLabelSpellings) {
  Labels a = {{kBetaZoneLabel, "z1"}, {kRegionLabel, "r"}};
  EXPECT_TRUE(AssignmentMatches(a, {{kZoneLabel, "z1"}, {kBetaRegionLabel, "r"}}));
  EXPECT_TRUE(AssignmentMatches(a, {{kBetaZoneLabel, "z1"}, {kRegionLabel, "r"}}));
  EXPECT_FALSE(AssignmentMatches(a, {{kZoneLabel, "z2"}, {kRegionLabel, "r"}}));
  EXPECT_EQ(FirstMismatch(a, {{kZoneLabel, "z1"}}), std::string(kRegionLabel) + "=r");
  EXPECT_TRUE(AssignmentMatches({}, {}));
  EXPECT_FALSE(AssignmentMatches({{"rack", "1"}}, {}));
}

}  // namespace
}  // namespace romana::ipam
