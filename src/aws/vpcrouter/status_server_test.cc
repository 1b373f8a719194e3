#include "aws/vpcrouter/status_server.h"

#include "gtest/gtest.h"

namespace romana::vpcrouter {
namespace {

TEST(StatusJsonTest, DocumentsCarrySpecHealthAndRoutes) {
  RouterStatus s;
  s.spec = RouteSpec{{"100.96.0.0/24", {"10.0.1.4", "10.0.1.5"}}};
  s.working_set = {"10.0.1.4", "10.0.1.5"};
  s.health.failed = {"10.0.1.4"};
  s.last_plan.tables["rtb-1"]["100.96.0.0/24"] = RouteInfo{"10.0.1.5", "i-2", "eni-2", "replaced: 10.0.1.4 failed health checks"};
  s.last_plan.limit_violations.push_back({"rtb-2", 51, 50, {"100.96.9.0/24"}});
  s.passes = 3;
  VpcRouterOptions o{.region = "us-east-1", .vpc_id = "vpc-1"};
  o.planner.ignore_routes = {"0.0.0.0/0"};
  nlohmann::json ips = IpsJson(s);
  EXPECT_EQ(ips["failed_ips"], nlohmann::json::array({"10.0.1.4"}));
  EXPECT_EQ(ips["working_set"].size(), 2u);
  nlohmann::json ri = RouteInfoJson(s, o);
  EXPECT_EQ(ri["routes"]["100.96.0.0/24"], nlohmann::json::array({"10.0.1.5", "i-2", "eni-2"}));
  EXPECT_EQ(ri["route_spec"]["100.96.0.0/24"].size(), 2u);
  EXPECT_EQ(ri["ignore_routes"][0], "0.0.0.0/0");
  nlohmann::json vpc = VpcJson(s);
  EXPECT_EQ(vpc["route_tables"]["rtb-1"]["100.96.0.0/24"]["eni_id"], "eni-2");
  EXPECT_EQ(vpc["limit_violations"][0]["routes_needed"], 51);
  nlohmann::json o_json = OverviewJson(s, o, std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)));
  EXPECT_EQ(o_json["SERVER"]["current_time"], "2027-01-15T08:00:00+00:00");
  EXPECT_EQ(o_json["params"]["vpc"], "vpc-1");
  EXPECT_EQ(o_json["last_pass"]["passes"], 3);
}

}  // namespace
}  // namespace romana::vpcrouter
