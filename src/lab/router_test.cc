#include "lab/router.h"

#include "gtest/gtest.h"

namespace romana::lab {
namespace {

const std::vector<RouterGroup> kGroups = {{"10.112.0.0/17", {"192.168.100.11", "192.168.100.13"}},
                                          {"10.112.128.0/17", {"192.168.101.12", "192.168.101.14"}},
                                          {"10.113.0.0/17", {}}};

TEST(PlanRouterRoutesTest, OneRoutePerGroupViaItsFirstLiveMember) {
  EXPECT_EQ(PlanRouterRoutes(kGroups, {}, {}),
            (RouterTable{{"10.112.0.0/17", "192.168.100.11"}, {"10.112.128.0/17", "192.168.101.12"}}));
  EXPECT_EQ(PlanRouterRoutes(kGroups, {"192.168.100.11"}, {}),
            (RouterTable{{"10.112.0.0/17", "192.168.100.13"}, {"10.112.128.0/17", "192.168.101.12"}}));
}

TEST(PlanRouterRoutesTest, KeepsALiveGatewayAndMovesOffAFailedOne) {
  const RouterTable current = {{"10.112.0.0/17", "192.168.100.13"}, {"10.112.128.0/17", "192.168.101.14"}};
  // Live and still a member: kept, even though it is not the first member (no fail-back).
  EXPECT_EQ(PlanRouterRoutes(kGroups, {}, current), current);
  // Failed: the next live member.
  EXPECT_EQ(PlanRouterRoutes(kGroups, {"192.168.101.14"}, current),
            (RouterTable{{"10.112.0.0/17", "192.168.100.13"}, {"10.112.128.0/17", "192.168.101.12"}}));
}

TEST(PlanRouterRoutesTest, DropsRoutesOfGroupsWithoutLiveMembersAndOfGoneGroups) {
  const RouterTable current = {{"10.112.0.0/17", "192.168.100.11"}, {"10.99.0.0/16", "192.168.100.11"}};
  EXPECT_EQ(PlanRouterRoutes(kGroups, {"192.168.100.11", "192.168.100.13", "192.168.101.12", "192.168.101.14"}, current),
            RouterTable{});
  // A gateway that left the group is replaced even when it still answers.
  EXPECT_EQ(PlanRouterRoutes({{"10.112.0.0/17", {"192.168.100.13"}}}, {}, current),
            (RouterTable{{"10.112.0.0/17", "192.168.100.13"}}));
}

}  // namespace
}  // namespace romana::lab
