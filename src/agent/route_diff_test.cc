#include "agent/route_diff.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RouteDiffTest, EqualGivesNothing) {
  RouteMap m = ToRouteMap({{"10.0.0.0/29", "1.1.1.1"}, {"10.0.0.8/29", "1.1.1.2"}});
  EXPECT_THAT(DiffRoutes(m, m), IsEmpty());
  EXPECT_THAT(DiffRoutes({}, {}), IsEmpty());
}

TEST(RouteDiffTest, DeletesThenAddsThenReplaces) {
  RouteMap actual = ToRouteMap({{"10.0.0.0/29", "1.1.1.1"}, {"10.0.0.8/29", "1.1.1.2"},
                                {"10.0.0.16/29", "1.1.1.3"}});
  RouteMap desired = ToRouteMap({{"10.0.0.8/29", "1.1.1.9"}, {"10.0.0.16/29", "1.1.1.3"},
                                 {"10.0.0.24/29", "1.1.1.4"}});
  std::vector<RouteOp> ops = DiffRoutes(desired, actual);
  EXPECT_THAT(ops, ElementsAre(RouteOp{RouteOp::Kind::kDelete, {"10.0.0.0/29", "1.1.1.1"}},
                               RouteOp{RouteOp::Kind::kAdd, {"10.0.0.24/29", "1.1.1.4"}},
                               RouteOp{RouteOp::Kind::kReplace, {"10.0.0.8/29", "1.1.1.9"}}));
  ApplyOpsToMap(ops, actual);
  EXPECT_EQ(actual, desired);
}

TEST(RouteDiffTest, ApplyingTheDiffAlwaysConverges) {
  // All pairs of subsets of a small universe with two possible gateways.
  const std::vector<std::string> dsts = {"10.0.0.0/29", "10.0.0.8/29", "10.0.0.16/28"};
  auto make = [&](int code) {
    RouteMap m;
    for (size_t i = 0; i < dsts.size(); ++i) {
      int v = (code / static_cast<int>(std::pow(3, i))) % 3;  // 0 absent, 1 gw A, 2 gw B
      if (v) m[dsts[i]] = Route::Via(dsts[i], v == 1 ? "1.1.1.1" : "2.2.2.2");
    }
    return m;
  };
  for (int a = 0; a < 27; ++a) {
    for (int d = 0; d < 27; ++d) {
      RouteMap actual = make(a), desired = make(d);
      std::vector<RouteOp> ops = DiffRoutes(desired, actual);
      ApplyOpsToMap(ops, actual);
      EXPECT_EQ(actual, desired);
      EXPECT_TRUE(DiffRoutes(desired, actual).empty());
      if (a == d) {
        EXPECT_TRUE(ops.empty());
      }
    }
  }
}

TEST(RouteDiffTest, ToStringNamesTheOperation) {
  EXPECT_EQ(ToString(RouteOp{RouteOp::Kind::kAdd, {"10.0.0.0/29", "1.1.1.1"}}),
            "add 10.0.0.0/29 via 1.1.1.1");
  EXPECT_EQ(ToString(RouteOp{RouteOp::Kind::kDelete, {"10.0.0.0/29", ""}}), "delete 10.0.0.0/29");
}

}  // namespace
}  // namespace romana::agent
