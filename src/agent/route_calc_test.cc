#include "agent/route_calc.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

NodeView Node(std::string name) { return {std::move(name), {"192.168.99.0/24"}}; }

TEST(RouteCalcTest, OneRoutePerRemoteBlockOfAdjacentNodes) {
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}, {"b", "192.168.99.11"}, {"c", "192.168.99.12"}};
  c.blocks = {{"10.112.0.0/29", "a"}, {"10.114.0.0/29", "b"}, {"10.116.0.8/29", "c"}};
  RouteCalcResult r = ComputeRoutes(c, Node("a"));
  EXPECT_THAT(r.routes, ElementsAre(Pair("10.114.0.0/29", Route::Via("10.114.0.0/29", "192.168.99.11")),
                                    Pair("10.116.0.8/29", Route::Via("10.116.0.8/29", "192.168.99.12")),
                                    Pair("unreachable 10.112.0.0/29", Route::Unreachable("10.112.0.0/29"))));
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(RouteCalcTest, AdjacentBlocksOfOneNodeMergeIntoCoveringPrefixes) {
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}, {"b", "192.168.99.11"}};
  c.blocks = {{"10.114.0.0/29", "b"},  {"10.114.0.8/29", "b"}, {"10.114.0.16/29", "b"},
              {"10.114.0.24/29", "b"}, {"10.114.0.40/29", "b"}};
  RouteCalcResult r = ComputeRoutes(c, Node("a"));
  EXPECT_THAT(r.routes, ElementsAre(Pair("10.114.0.0/27", Route::Via("10.114.0.0/27", "192.168.99.11")),
                                    Pair("10.114.0.40/29", Route::Via("10.114.0.40/29", "192.168.99.11"))));
}

TEST(RouteCalcTest, BlocksOfDifferentNodesAreNeverMerged) {
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}, {"b", "192.168.99.11"}, {"c", "192.168.99.12"}};
  c.blocks = {{"10.114.0.0/29", "b"}, {"10.114.0.8/29", "c"}};
  RouteCalcResult r = ComputeRoutes(c, Node("a"));
  EXPECT_THAT(r.routes, ElementsAre(Pair("10.114.0.0/29", Route::Via("10.114.0.0/29", "192.168.99.11")),
                                    Pair("10.114.0.8/29", Route::Via("10.114.0.8/29", "192.168.99.12"))));
}

TEST(RouteCalcTest, NoViaRouteForOwnUnknownOwnerlessAndNonAdjacent) {
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}, {"far", "192.168.100.20"}};
  c.blocks = {{"10.112.0.0/29", "a"},        // own
              {"10.112.0.8/29", ""},         // reusable, no host
              {"10.118.0.0/29", "ghost"},    // host not in the snapshot
              {"10.120.0.0/29", "far"}};     // another rack: through the router
  RouteCalcResult r = ComputeRoutes(c, Node("a"));
  EXPECT_THAT(r.routes, ElementsAre(Pair("unreachable 10.112.0.0/29", Route::Unreachable("10.112.0.0/29"))));
  EXPECT_EQ(r.skipped_non_adjacent_blocks, 1);
}

TEST(RouteCalcTest, OwnBlocksAreUnreachableMergedLikeRemoteOnes) {
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}};
  c.blocks = {{"10.112.0.0/29", "a"}, {"10.112.0.8/29", "a"}, {"10.112.0.32/29", "a"}};
  EXPECT_THAT(ComputeRoutes(c, Node("a")).routes,
              ElementsAre(Pair("unreachable 10.112.0.0/28", Route::Unreachable("10.112.0.0/28")),
                          Pair("unreachable 10.112.0.32/29", Route::Unreachable("10.112.0.32/29"))));
}

TEST(RouteCalcTest, LeafGroupIsUnreachableOnlyWhenEveryMemberIsAdjacent) {
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}, {"b", "192.168.99.11"}, {"far", "192.168.100.20"}};
  c.groups = {{"10.112.0.0/24", true, {"a", "b"}},      // a's rack: b is adjacent
              {"10.113.0.0/24", true, {"b"}},           // not a's group
              {"10.114.0.0/23", false, {"a"}},          // not a leaf
              {"10.115.0.0/24", true, {"a", "far"}},    // a member behind the router
              {"10.116.0.0/24", true, {"a", "ghost"}}}; // a member not (yet) known
  EXPECT_THAT(ComputeRoutes(c, Node("a")).routes,
              ElementsAre(Pair("unreachable 10.112.0.0/24", Route::Unreachable("10.112.0.0/24"))));
}

TEST(RouteCalcTest, GroupRouteAndViaRouteOfTheSamePrefixCoexist) {
  // b owns every block of the group a has just joined: b's summary equals the group's CIDR.
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}, {"b", "192.168.99.11"}};
  c.groups = {{"10.112.0.0/28", true, {"a", "b"}}};
  c.blocks = {{"10.112.0.0/29", "b"}, {"10.112.0.8/29", "b"}};
  EXPECT_THAT(ComputeRoutes(c, Node("a")).routes,
              ElementsAre(Pair("10.112.0.0/28", Route::Via("10.112.0.0/28", "192.168.99.11")),
                          Pair("unreachable 10.112.0.0/28", Route::Unreachable("10.112.0.0/28"))));
}

TEST(RouteCalcTest, AdjacencyUsesEveryConnectedSubnet) {
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}, {"b", "172.16.0.5"}};
  c.blocks = {{"10.114.0.0/29", "b"}};
  EXPECT_THAT(ComputeRoutes(c, Node("a")).routes, IsEmpty());
  NodeView two = {"a", {"192.168.99.0/24", "172.16.0.0/16"}};
  EXPECT_THAT(ComputeRoutes(c, two).routes,
              ElementsAre(Pair("10.114.0.0/29", Route::Via("10.114.0.0/29", "172.16.0.5"))));
}

TEST(RouteCalcTest, BadInputIsReportedAndSkipped) {
  ClusterSnapshot c;
  c.hosts = {{"a", "192.168.99.10"}, {"b", "192.168.99.300"}, {"c", "192.168.99.12"}};
  c.blocks = {{"10.114.0.1/29", "c"}, {"10.116.0.0/29", "c"}, {"10.118.0.0/29", "b"}};
  RouteCalcResult r = ComputeRoutes(c, Node("a"));
  EXPECT_THAT(r.routes, ElementsAre(Pair("10.116.0.0/29", Route::Via("10.116.0.0/29", "192.168.99.12"))));
  EXPECT_EQ(r.errors.size(), 2u);
}

TEST(RouteCalcTest, MergedRoutesCoverExactlyTheBlocks) {
  // Exhaustive-ish: every subset of 8 consecutive /29 blocks of one node; the routes must cover
  // exactly the chosen blocks' addresses.
  for (int mask = 0; mask < 256; ++mask) {
    ClusterSnapshot c;
    c.hosts = {{"a", "192.168.99.10"}, {"b", "192.168.99.11"}};
    std::set<int> chosen;
    for (int i = 0; i < 8; ++i) {
      if (mask & (1 << i)) {
        c.blocks.push_back({"10.0.0." + std::to_string(i * 8) + "/29", "b"});
        chosen.insert(i);
      }
    }
    RouteCalcResult r = ComputeRoutes(c, Node("a"));
    std::set<int> covered;
    for (const auto& [key, route] : r.routes) {
      const std::string& dst = route.dst;
      EXPECT_EQ(route.gateway, "192.168.99.11");
      int start = std::stoi(dst.substr(dst.rfind('.') + 1));
      int len = std::stoi(dst.substr(dst.find('/') + 1));
      for (int a = start; a < start + (1 << (32 - len)); a += 8) {
        EXPECT_TRUE(covered.insert(a / 8).second) << "overlap at mask " << mask;
      }
    }
    EXPECT_EQ(covered, chosen) << "mask " << mask;
    EXPECT_LE(r.routes.size(), chosen.size());
  }
}

}  // namespace
}  // namespace romana::agent
