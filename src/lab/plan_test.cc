#include "lab/plan.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::lab {
namespace {

TEST(LabPlanTest, NamesCarryTheLabIdAndFitKernelLimits) {
  LabShape s{.id = "ab12cd34", .nodes = 100, .pods_per_node = 50, .racks = 8};
  ASSERT_TRUE(ValidateShape(s).ok());
  std::set<std::string> names;
  for (int n = 1; n <= s.nodes; ++n) {
    EXPECT_TRUE(NodeNetns(s.id, n).starts_with("rl-ab12cd34-"));
    EXPECT_TRUE(names.insert(NodeNetns(s.id, n)).second);
    EXPECT_TRUE(names.insert(NodeIp(s, n)).second);
    for (int j = 1; j <= s.pods_per_node; ++j) EXPECT_TRUE(names.insert(PodNetns(s.id, n, j)).second);
  }
}

TEST(LabPlanTest, NodesAreSpreadOverRacksAndAddressedInTheirRackSubnet) {
  LabShape s{.id = "x", .nodes = 5, .racks = 2};
  EXPECT_EQ(RackOf(s, 1), 0);
  EXPECT_EQ(RackOf(s, 2), 1);
  EXPECT_EQ(RackOf(s, 3), 0);
  EXPECT_EQ(NodeIp(s, 2), "192.168.101.12");
  EXPECT_EQ(NodeIp(s, 3), "192.168.100.13");
  EXPECT_EQ(RackGateway(1), "192.168.101.1");
}

TEST(LabPlanTest, TopologyHasOneAssignedGroupPerRack) {
  nlohmann::json t = Topology({.id = "x", .nodes = 4, .racks = 3});
  ASSERT_EQ(t["topologies"][0]["map"].size(), 3u);
  EXPECT_EQ(t["topologies"][0]["map"][2]["assignment"]["rack"], "r2");
  EXPECT_EQ(t["networks"][0]["cidr"], "10.112.0.0/16");
}

TEST(LabPlanTest, BadShapesNameTheFlag) {
  auto msg = [](LabShape s) { return std::string(ValidateShape(s).message()); };
  EXPECT_THAT(msg({.id = "UPPER"}), ::testing::HasSubstr("--id"));
  EXPECT_THAT(msg({.id = "a", .nodes = 0}), ::testing::HasSubstr("--nodes"));
  EXPECT_THAT(msg({.id = "a", .nodes = 2, .racks = 3}), ::testing::HasSubstr("--racks"));
  EXPECT_THAT(msg({.id = "a", .pod_cidr = "192.168.0.0/20"}), ::testing::HasSubstr("--pod-cidr"));
  EXPECT_THAT(msg({.id = "a", .pod_cidr = "10.0.0.1/16"}), ::testing::HasSubstr("--pod-cidr"));
  EXPECT_THAT(msg({.id = "a", .block_mask = 31}), ::testing::HasSubstr("--block-mask"));
}

}  // namespace
}  // namespace romana::lab
