#include "aws/vpcrouter/route_planner.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::vpcrouter {
namespace {

using aws::Instance;
using aws::NetworkInterface;
using aws::Route;
using aws::RouteTable;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Kind = RouteOp::Kind;

// A VPC with subnets s1 (10.0.1.0/24), s2 (10.0.2.0/24), s3 (10.0.3.0/24, no cluster hosts);
// instances i-1..i-3 in s1 (10.0.1.1..3), i-4..i-6 in s2 (10.0.2.4..6); eni-N is i-N's
// primary ENI. Tables: rtb-main (main), rtb-1 -> s1, rtb-2 -> s2, rtb-3 -> s3.
class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vpc_.vpc_id = "vpc-1";
    vpc_.subnets = {{"s1", "vpc-1", "10.0.1.0/24", "az-a"}, {"s2", "vpc-1", "10.0.2.0/24", "az-b"},
                    {"s3", "vpc-1", "10.0.3.0/24", "az-a"}};
    for (int n = 1; n <= 6; ++n) {
      const std::string subnet = n <= 3 ? "s1" : "s2";
      const std::string ip = absl::StrCat("10.0.", n <= 3 ? 1 : 2, ".", n);
      Instance i{.id = absl::StrCat("i-", n), .state = "running", .subnet_id = subnet, .vpc_id = "vpc-1",
                 .private_ip = ip};
      i.interfaces.push_back(NetworkInterface{.id = absl::StrCat("eni-", n), .subnet_id = subnet, .vpc_id = "vpc-1",
                                              .private_ip = ip, .private_ips = {{ip, true}}, .device_index = 0});
      vpc_.instances.push_back(i);
    }
    vpc_.route_tables = {Table("rtb-main", "", true), Table("rtb-1", "s1"), Table("rtb-2", "s2"),
                         Table("rtb-3", "s3")};
    options_.managed_networks = {"100.96.0.0/16"};
  }
  static RouteTable Table(const std::string& id, const std::string& subnet, bool main = false) {
    RouteTable rt{.id = id, .vpc_id = "vpc-1"};
    if (main) rt.associations.push_back({"a-" + id, "", true});
    if (!subnet.empty()) rt.associations.push_back({"a-" + id, subnet, false});
    rt.routes.push_back(Route{.destination_cidr = "10.0.0.0/16", .gateway_id = "local", .state = "active"});
    rt.routes.push_back(Route{.destination_cidr = "0.0.0.0/0", .gateway_id = "igw-1", .state = "active"});
    return rt;
  }
  RouteTable& Rt(const std::string& id) {
    for (auto& rt : vpc_.route_tables) {
      if (rt.id == id) return rt;
    }
    throw std::runtime_error("no table");
  }
  void AddRoute(const std::string& rt, const std::string& cidr, const std::string& eni,
                const std::string& instance = "", const std::string& state = "active") {
    Rt(rt).routes.push_back(Route{.destination_cidr = cidr, .instance_id = instance, .network_interface_id = eni,
                                  .state = state, .origin = "CreateRoute"});
  }
  RoutePlan Plan() { return PlanRoutes(spec_, health_, vpc_, options_); }

  VpcSnapshot vpc_;
  RouteSpec spec_;
  HealthState health_;
  PlannerOptions options_;
};

TEST_F(PlannerTest, NothingToDoWithAnEmptySpecAndNoInstanceRoutes) {
  RoutePlan p = Plan();
  EXPECT_THAT(p.ops, IsEmpty());
  EXPECT_THAT(p.selected_tables, IsEmpty());  // no cluster subnets -> no tables
}

TEST_F(PlannerTest, CreatesOneRoutePerCidrInEveryClusterTableWithTheSameRouter) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1", "10.0.1.2"}}, {"100.96.1.0/24", {"10.0.2.4"}}};
  RoutePlan p = Plan();
  EXPECT_THAT(p.selected_tables, ElementsAre("rtb-1", "rtb-2"));
  ASSERT_EQ(p.ops.size(), 4u);
  std::map<std::string, std::set<std::string>> targets;
  for (const RouteOp& op : p.ops) {
    EXPECT_EQ(op.kind, Kind::kCreate);
    EXPECT_NE(op.route_table_id, "rtb-main");
    EXPECT_NE(op.route_table_id, "rtb-3");
    EXPECT_TRUE(op.target.instance_id.empty());
    targets[op.cidr].insert(op.target.network_interface_id);
  }
  EXPECT_EQ(targets["100.96.0.0/24"].size(), 1u);
  EXPECT_EQ(targets["100.96.1.0/24"], (std::set<std::string>{"eni-4"}));
  EXPECT_EQ(p.chosen["100.96.1.0/24"], "10.0.2.4");
}

TEST_F(PlannerTest, MainTableOnlyWhenAskedAndTableSelectionModes) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1"}}};
  options_.include_main = true;
  EXPECT_THAT(Plan().selected_tables, ElementsAre("rtb-1", "rtb-main"));
  options_.include_main = false;
  options_.all_tables = true;
  EXPECT_THAT(Plan().selected_tables, ElementsAre("rtb-1", "rtb-2", "rtb-3"));
  options_.named_tables = {"rtb-3", "rtb-main", "rtb-nope"};
  RoutePlan p = Plan();
  EXPECT_THAT(p.selected_tables, ElementsAre("rtb-3", "rtb-main"));
  EXPECT_THAT(p.warnings, ::testing::Contains(::testing::HasSubstr("rtb-nope")));
}

TEST_F(PlannerTest, NoChangeWhileTheCurrentRouterIsHealthy) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1", "10.0.1.2", "10.0.1.3"}}};
  AddRoute("rtb-1", "100.96.0.0/24", "eni-3");
  RoutePlan p = Plan();
  EXPECT_THAT(p.ops, IsEmpty());
  EXPECT_EQ(p.chosen["100.96.0.0/24"], "10.0.1.3");
  EXPECT_EQ(p.tables["rtb-1"]["100.96.0.0/24"].note, "kept");
  // Another host failing does not matter either.
  health_.failed = {"10.0.1.1", "10.0.1.2"};
  EXPECT_THAT(Plan().ops, IsEmpty());
}

TEST_F(PlannerTest, FailsOverWhenTheCurrentRouterFailsAndUsesOneRouterEverywhere) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1", "10.0.2.4"}}};
  AddRoute("rtb-1", "100.96.0.0/24", "eni-1");
  AddRoute("rtb-2", "100.96.0.0/24", "eni-1");
  health_.failed = {"10.0.1.1"};
  RoutePlan p = Plan();
  ASSERT_EQ(p.ops.size(), 2u);
  for (const RouteOp& op : p.ops) {
    EXPECT_EQ(op.kind, Kind::kReplace);
    EXPECT_EQ(op.router_ip, "10.0.2.4");
    EXPECT_EQ(op.target.network_interface_id, "eni-4");
    EXPECT_THAT(op.reason, ::testing::HasSubstr("failed health checks"));
  }
  // No fail-back once the old router recovers.
  AddRoute("rtb-3", "x", "");  // unrelated noise in an unselected table
  Rt("rtb-1").routes.back().network_interface_id = "eni-4";
  Rt("rtb-2").routes.back().network_interface_id = "eni-4";
  health_.failed.clear();
  EXPECT_THAT(Plan().ops, IsEmpty());
}

TEST_F(PlannerTest, TablesThatDisagreeAreAligned) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1", "10.0.2.4"}}};
  AddRoute("rtb-1", "100.96.0.0/24", "eni-1");
  AddRoute("rtb-2", "100.96.0.0/24", "eni-4");
  RoutePlan p = Plan();
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(p.ops[0].route_table_id, "rtb-2");
  EXPECT_EQ(p.ops[0].router_ip, "10.0.1.1");
}

TEST_F(PlannerTest, NoHealthyHostLeavesRoutesAloneAndCreatesNothing) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1", "10.0.2.4"}}, {"100.96.1.0/24", {"10.0.1.2"}}};
  AddRoute("rtb-1", "100.96.0.0/24", "eni-1");
  health_.failed = {"10.0.1.1", "10.0.2.4", "10.0.1.2"};
  RoutePlan p = Plan();
  EXPECT_THAT(p.ops, IsEmpty());
  EXPECT_EQ(p.chosen["100.96.0.0/24"], "");
  EXPECT_EQ(p.chosen["100.96.1.0/24"], "");
  EXPECT_GE(p.warnings.size(), 2u);
}

TEST_F(PlannerTest, QuestionableHostsAreALastResort) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1", "10.0.1.2"}}};
  AddRoute("rtb-1", "100.96.0.0/24", "eni-1");
  health_.failed = {"10.0.1.1"};
  health_.questionable = {"10.0.1.2"};
  RoutePlan p = Plan();
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(p.ops[0].router_ip, "10.0.1.2");
  // A questionable current router is not swapped for another questionable one.
  Rt("rtb-1").routes.back().network_interface_id = "eni-2";
  health_ = {.failed = {"10.0.1.1"}, .questionable = {"10.0.1.2", "10.0.1.3"}};
  spec_ = {{"100.96.0.0/24", {"10.0.1.1", "10.0.1.2", "10.0.1.3"}}};
  EXPECT_THAT(Plan().ops, IsEmpty());
  // But a healthy one is preferred.
  health_.questionable = {"10.0.1.2"};
  p = Plan();
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(p.ops[0].router_ip, "10.0.1.3");
}

TEST_F(PlannerTest, DeletesRoutesThatLeftTheSpecOrHaveNoHosts) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1"}}, {"100.96.2.0/24", {}}};
  AddRoute("rtb-1", "100.96.0.0/24", "eni-1");
  AddRoute("rtb-1", "100.96.1.0/24", "eni-2");
  AddRoute("rtb-1", "100.96.2.0/24", "", "i-3");
  RoutePlan p = Plan();
  ASSERT_EQ(p.ops.size(), 2u);
  EXPECT_EQ(p.ops[0], (RouteOp{Kind::kDelete, "rtb-1", "100.96.1.0/24", "", {}, "not in the route spec"}));
  EXPECT_EQ(p.ops[1], (RouteOp{Kind::kDelete, "rtb-1", "100.96.2.0/24", "", {}, "no candidate hosts"}));
}

TEST_F(PlannerTest, TablesManagedBeforeAreCleanedOfRoutesThatLeftTheSpec) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1"}}};
  AddRoute("rtb-2", "100.96.0.0/24", "eni-1");   // still in the spec: left alone
  AddRoute("rtb-2", "100.96.1.0/24", "eni-4");   // left the spec
  AddRoute("rtb-2", "192.168.0.0/16", "eni-4");  // ignored
  AddRoute("rtb-3", "100.96.1.0/24", "eni-4");   // never managed: untouched
  options_.ignore_routes = {"192.168.0.0/16"};
  EXPECT_THAT(Plan().ops, ElementsAre(RouteOp{Kind::kCreate, "rtb-1", "100.96.0.0/24", "10.0.1.1",
                                              {.network_interface_id = "eni-1"}, "missing"}));
  options_.cleanup_tables = {"rtb-1", "rtb-2"};
  RoutePlan p = Plan();
  ASSERT_EQ(p.ops.size(), 2u);
  EXPECT_EQ(p.ops[0].kind, Kind::kDelete);
  EXPECT_EQ(p.ops[0].route_table_id, "rtb-2");
  EXPECT_EQ(p.ops[0].cidr, "100.96.1.0/24");
  EXPECT_EQ(p.ops[1].kind, Kind::kCreate);
}

TEST_F(PlannerTest, IgnoredAndNonInstanceRoutesAreNeverTouched) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1"}}};
  AddRoute("rtb-1", "192.168.5.0/24", "eni-2");      // not in spec, but ignored below
  AddRoute("rtb-1", "192.168.7.7/32", "eni-2");      // inside an ignored /16
  AddRoute("rtb-1", "100.96.9.0/24", "eni-2");       // ours, not in the spec: deleted
  AddRoute("rtb-1", "100.96.8.0/24", "eni-2");       // ours but ignored
  Rt("rtb-1").routes.push_back(Route{.destination_cidr = "10.99.0.0/16", .nat_gateway_id = "nat-1"});
  options_.ignore_routes = {"192.168.5.0/24", "192.168.0.0/16", "0.0.0.0/0", "100.96.8.0/24"};
  RoutePlan p = Plan();
  std::vector<std::string> touched;
  for (const RouteOp& op : p.ops) touched.push_back(OpKindName(op.kind) + " " + op.cidr);
  EXPECT_THAT(touched, ElementsAre("delete 100.96.9.0/24", "create 100.96.0.0/24"));
}

// Routes outside the managed networks (and outside every spec CIDR) belong to someone else: a
// NAT instance's default route, a VPN prefix via an instance, another cluster's pod prefix.
// No spec -- adding, replacing, deleting or routing nothing -- ever changes them.
TEST_F(PlannerTest, ForeignInstanceRoutesSurviveEveryAction) {
  auto add_foreign = [&] {
    for (const char* rt : {"rtb-1", "rtb-2"}) {
      std::erase_if(Rt(rt).routes, [](const Route& r) { return r.destination_cidr == "0.0.0.0/0"; });
      AddRoute(rt, "0.0.0.0/0", "eni-3", "i-3");      // NAT instance default
      AddRoute(rt, "172.16.0.0/12", "eni-5");         // VPN prefix via an instance
      AddRoute(rt, "100.64.0.0/16", "eni-6");         // another cluster's pods
      AddRoute(rt, "100.0.0.0/8", "eni-6");           // contains our network: still not ours
    }
  };
  add_foreign();
  AddRoute("rtb-1", "100.96.1.0/24", "eni-1");       // ours, leaves the spec below
  health_.failed = {"10.0.1.3", "10.0.2.5", "10.0.2.6"};  // foreign targets "failed": still untouched
  const std::vector<RouteSpec> specs = {
      {{"100.96.0.0/24", {"10.0.1.1", "10.0.2.4"}}},            // add + delete
      {{"100.96.0.0/24", {"10.0.1.2"}}, {"100.96.1.0/24", {}}},  // replace + empty host list
      {{"100.96.0.0/24", {}}},                                   // routes nothing
      {},                                                        // empty
  };
  for (const RouteSpec& spec : specs) {
    spec_ = spec;
    for (bool all : {false, true}) {
      options_.all_tables = all;
      options_.cleanup_tables = {"rtb-1", "rtb-2", "rtb-3"};
      for (const RouteOp& op : Plan().ops) {
        EXPECT_TRUE(op.cidr.starts_with("100.96.")) << OpKindName(op.kind) << " " << op.route_table_id << " " << op.cidr;
      }
    }
  }
}

TEST_F(PlannerTest, InsideAnyIsContainmentNotOverlap) {
  EXPECT_TRUE(IsInsideAny("100.96.1.0/24", {"100.96.0.0/16"}));
  EXPECT_TRUE(IsInsideAny("100.96.0.0/16", {"100.96.0.0/16"}));
  EXPECT_FALSE(IsInsideAny("100.0.0.0/8", {"100.96.0.0/16"}));
  EXPECT_FALSE(IsInsideAny("0.0.0.0/0", {"100.96.0.0/16"}));
  EXPECT_FALSE(IsInsideAny("100.97.0.0/24", {"100.96.0.0/16"}));
  EXPECT_FALSE(IsInsideAny("100.96.1.0/24", {}));
}

TEST_F(PlannerTest, IgnoreRoutesSemantics) {
  EXPECT_TRUE(IsIgnored("0.0.0.0/0", {"0.0.0.0/0"}));
  EXPECT_FALSE(IsIgnored("10.1.0.0/16", {"0.0.0.0/0"}));  // the default route protects only itself
  EXPECT_TRUE(IsIgnored("10.1.2.0/24", {"10.1.0.0/16"}));
  EXPECT_TRUE(IsIgnored("10.1.0.0/16", {"10.1.0.0/16"}));
  EXPECT_FALSE(IsIgnored("10.0.0.0/8", {"10.1.0.0/16"}));
  EXPECT_TRUE(IsIgnored("10.1.1.1/32", {"10.9.0.0/16", "10.1.1.1/32"}));
  EXPECT_FALSE(IsIgnored("10.1.1.1/32", {}));
}

TEST_F(PlannerTest, UntrustworthyCurrentTargetsAreReplaced) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1"}}, {"100.96.1.0/24", {"10.0.1.1"}},
           {"100.96.2.0/24", {"10.0.1.1"}}, {"100.96.3.0/24", {"10.0.1.1"}},
           {"100.96.4.0/24", {"10.0.1.1"}}};
  AddRoute("rtb-1", "100.96.0.0/24", "", "i-gone");           // unknown instance
  AddRoute("rtb-1", "100.96.1.0/24", "eni-1", "i-2");         // ENI of another instance
  AddRoute("rtb-1", "100.96.2.0/24", "eni-1", "", "blackhole");
  AddRoute("rtb-1", "100.96.3.0/24", "", "i-1");              // instance only: fine (AWS style)
  AddRoute("rtb-1", "100.96.4.0/24", "eni-1", "i-1");         // both, matching: fine
  vpc_.instances[5].state = "terminated";
  RoutePlan p = Plan();
  std::vector<std::string> replaced;
  for (const RouteOp& op : p.ops) {
    EXPECT_EQ(op.kind, Kind::kReplace);
    EXPECT_EQ(op.target.network_interface_id, "eni-1");
    replaced.push_back(op.cidr);
  }
  EXPECT_THAT(replaced, ElementsAre("100.96.0.0/24", "100.96.1.0/24", "100.96.2.0/24"));
}

TEST_F(PlannerTest, SecondaryIpsAndExtraEnis) {
  vpc_.instances[0].interfaces[0].private_ips.push_back({"10.0.1.100", false});
  vpc_.instances[1].interfaces.push_back(NetworkInterface{.id = "eni-2b", .subnet_id = "s1", .private_ip = "10.0.1.200",
                                                          .private_ips = {{"10.0.1.200", true}}, .device_index = 1});
  spec_ = {{"100.96.0.0/24", {"10.0.1.100"}}, {"100.96.1.0/24", {"10.0.1.200"}}};
  RoutePlan p = Plan();
  ASSERT_EQ(p.ops.size(), 2u);
  EXPECT_EQ(p.ops[0].target.network_interface_id, "eni-1");
  EXPECT_EQ(p.ops[1].target.network_interface_id, "eni-2b");
  // Already routed via those ENIs: kept.
  AddRoute("rtb-1", "100.96.0.0/24", "eni-1");
  AddRoute("rtb-1", "100.96.1.0/24", "eni-2b");
  EXPECT_THAT(Plan().ops, IsEmpty());
}

TEST_F(PlannerTest, HostsOutsideTheVpcAreWarnedAboutAndNeverChosen) {
  spec_ = {{"100.96.0.0/24", {"10.0.1.1", "192.168.1.1"}}, {"100.96.1.0/24", {"192.168.1.2"}}};
  RoutePlan p = Plan();
  ASSERT_EQ(p.ops.size(), 1u);
  EXPECT_EQ(p.ops[0].router_ip, "10.0.1.1");
  EXPECT_EQ(p.warnings.size(), 3u);  // two foreign hosts + no host for 100.96.1.0/24
}

TEST_F(PlannerTest, RefusesToExceedTheRouteLimitPerTableInsteadOfFailingHalfway) {
  options_.route_limit = 6;
  spec_ = {{"100.96.0.0/24", {"10.0.1.1"}}, {"100.96.1.0/24", {"10.0.1.1"}}, {"100.96.2.0/24", {"10.0.1.1"}}};
  AddRoute("rtb-1", "100.96.9.0/24", "eni-2");   // left the spec: deleted, frees a slot
  AddRoute("rtb-1", "192.168.0.0/16", "eni-2");  // ignored: stays, counts
  AddRoute("rtb-1", "192.168.9.0/24", "eni-2");
  options_.ignore_routes = {"192.168.0.0/16"};
  // rtb-1: 2 base + 3 existing - 1 delete + 3 creates = 7 > 6: refused. rtb-2: 2 + 3 = 5: fine.
  spec_["100.96.3.0/24"] = {"10.0.2.4"};  // makes s2 a cluster subnet
  RoutePlan p = Plan();
  ASSERT_EQ(p.limit_violations.size(), 1u);
  EXPECT_EQ(p.limit_violations[0].route_table_id, "rtb-1");
  EXPECT_EQ(p.limit_violations[0].routes_needed, 8);
  EXPECT_EQ(p.limit_violations[0].limit, 6);
  EXPECT_EQ(p.limit_violations[0].refused_cidrs.size(), 4u);
  int creates_rtb1 = 0, creates_rtb2 = 0, deletes = 0;
  for (const RouteOp& op : p.ops) {
    if (op.kind == Kind::kDelete) ++deletes;
    if (op.kind == Kind::kCreate) ++(op.route_table_id == "rtb-1" ? creates_rtb1 : creates_rtb2);
  }
  EXPECT_EQ(deletes, 1);
  EXPECT_EQ(creates_rtb1, 0);
  EXPECT_EQ(creates_rtb2, 4);
  options_.route_limit = 8;
  EXPECT_THAT(Plan().limit_violations, IsEmpty());
}

TEST_F(PlannerTest, ChoiceIsStableAndSpreadsCidrsOverHosts) {
  std::vector<std::string> hosts = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
  std::set<std::string> used;
  for (int i = 0; i < 24; ++i) {
    const std::string cidr = absl::StrCat("100.96.", i, ".0/24");
    spec_[cidr] = hosts;
    EXPECT_EQ(StableChoice(cidr, hosts), StableChoice(cidr, hosts));
  }
  RoutePlan a = Plan(), b = Plan();
  EXPECT_EQ(a.ops, b.ops);
  for (const auto& [cidr, ip] : a.chosen) used.insert(ip);
  EXPECT_EQ(used.size(), 3u);
}

// Applies a plan to the snapshot the way EC2 would.
void Apply(const RoutePlan& plan, VpcSnapshot& vpc) {
  for (const RouteOp& op : plan.ops) {
    for (RouteTable& rt : vpc.route_tables) {
      if (rt.id != op.route_table_id) continue;
      auto it = std::find_if(rt.routes.begin(), rt.routes.end(), [&](const Route& r) { return r.destination_cidr == op.cidr; });
      switch (op.kind) {
        case Kind::kDelete: ASSERT_NE(it, rt.routes.end()); rt.routes.erase(it); break;
        case Kind::kReplace: ASSERT_NE(it, rt.routes.end()); *it = Route{.destination_cidr = op.cidr, .network_interface_id = op.target.network_interface_id, .state = "active"}; break;
        case Kind::kCreate: ASSERT_EQ(it, rt.routes.end()); rt.routes.push_back(Route{.destination_cidr = op.cidr, .network_interface_id = op.target.network_interface_id, .state = "active"}); break;
      }
    }
  }
}

// Random scenarios: after applying a plan, every spec CIDR with a healthy candidate is routed in
// every selected table to one healthy candidate, nothing else was touched, and planning again
// changes nothing.
TEST_F(PlannerTest, PropertyConvergesInOnePlanAndTouchesOnlyWhatItOwns) {
  std::mt19937 rng(12345);
  const std::vector<std::string> ips = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.2.4", "10.0.2.5", "10.0.2.6"};
  const std::vector<std::string> enis = {"eni-1", "eni-2", "eni-3", "eni-4", "eni-5", "eni-6", "eni-x"};
  for (int round = 0; round < 400; ++round) {
    SetUp();
    spec_.clear();
    health_ = {};
    options_ = {};
    options_.ignore_routes = {"100.96.7.0/24"};
    const int cidrs = rng() % 6;
    for (int c = 0; c < cidrs; ++c) {
      std::vector<std::string> hosts;
      for (const auto& ip : ips) {
        if (rng() % 3 == 0) hosts.push_back(ip);
      }
      spec_[absl::StrCat("100.96.", c, ".0/24")] = hosts;
    }
    for (const auto& ip : ips) {
      if (rng() % 4 == 0) health_.failed.insert(ip);
    }
    for (const char* rt : {"rtb-1", "rtb-2", "rtb-3", "rtb-main"}) {
      for (int c = 0; c < 9; ++c) {
        if (rng() % 3 == 0) AddRoute(rt, absl::StrCat("100.96.", c, ".0/24"), enis[rng() % enis.size()]);
      }
    }
    const VpcSnapshot before = vpc_;
    RoutePlan plan = Plan();
    Apply(plan, vpc_);
    // Untouched: main table, unselected tables, ignored and non-instance routes.
    for (size_t t = 0; t < before.route_tables.size(); ++t) {
      const RouteTable& b = before.route_tables[t];
      const RouteTable& a = vpc_.route_tables[t];
      if (std::find(plan.selected_tables.begin(), plan.selected_tables.end(), b.id) == plan.selected_tables.end()) {
        EXPECT_EQ(a, b) << "round " << round << " touched unselected " << b.id;
        continue;
      }
      for (const Route& r : b.routes) {
        if (r.destination_cidr == "100.96.7.0/24" || (r.instance_id.empty() && r.network_interface_id.empty())) {
          EXPECT_NE(std::find(a.routes.begin(), a.routes.end(), r), a.routes.end()) << "round " << round;
        }
      }
    }
    // Every routable CIDR points at one healthy candidate everywhere.
    for (const auto& [cidr, hosts] : spec_) {
      std::vector<std::string> healthy;
      for (const auto& h : hosts) {
        if (!health_.failed.count(h)) healthy.push_back(h);
      }
      std::set<std::string> targets;
      for (const std::string& id : plan.selected_tables) {
        for (const RouteTable& rt : vpc_.route_tables) {
          if (rt.id != id) continue;
          auto it = std::find_if(rt.routes.begin(), rt.routes.end(), [&](const Route& r) { return r.destination_cidr == cidr; });
          if (hosts.empty()) {
            EXPECT_EQ(it, rt.routes.end()) << "round " << round << " " << cidr;
            continue;
          }
          if (healthy.empty()) continue;
          ASSERT_NE(it, rt.routes.end()) << "round " << round << " " << cidr << " missing in " << id;
          targets.insert(it->network_interface_id);
        }
      }
      if (!healthy.empty() && !targets.empty()) {
        ASSERT_EQ(targets.size(), 1u) << "round " << round << " " << cidr;
        const std::string eni = *targets.begin();
        const std::string ip = ips[std::stoi(eni.substr(4)) - 1];
        EXPECT_TRUE(std::find(healthy.begin(), healthy.end(), ip) != healthy.end()) << "round " << round;
      }
    }
    EXPECT_THAT(Plan().ops, IsEmpty()) << "round " << round << " did not converge";
  }
}

}  // namespace
}  // namespace romana::vpcrouter
