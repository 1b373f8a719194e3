// `topology plan`: the report's groups, block capacities and route counts, and both output forms.
#include "ipam/plan_report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/errors.h"
#include "nlohmann/json.hpp"

namespace romana::ipam {
namespace {

using ::testing::HasSubstr;

TEST(PlanReportTest, KubeadmTableAndJson) {
  absl::StatusOr<PlanReport> r = BuildPlanReportFor(std::nullopt, "kubeadm", "");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->networks.size(), 1u);
  const PlanReportNetwork& n = r->networks[0];
  EXPECT_EQ(n.leaf_groups, 8);
  EXPECT_EQ(n.upstream_routes, 8);
  EXPECT_EQ(n.block_size, 8u);
  ASSERT_EQ(n.groups.size(), 8u);
  EXPECT_EQ(n.groups[3].cidr.ToString(), "10.118.0.0/15");
  EXPECT_EQ(n.groups[3].blocks, 16384u);
  EXPECT_EQ(n.groups[3].addresses, 131072u);
  std::string table = FormatPlanTable(*r);
  EXPECT_THAT(table, HasSubstr("network romana-network 10.112.0.0/12  blocks /29 (8 addresses)"));
  EXPECT_THAT(table, HasSubstr("host-group-04"));
  EXPECT_THAT(table, HasSubstr("10.118.0.0/15"));
  EXPECT_THAT(table, HasSubstr("16,384"));
  EXPECT_THAT(table, HasSubstr("an upstream router needs 8 routes"));
  nlohmann::json j = nlohmann::json::parse(PlanReportToJson(*r));
  EXPECT_EQ(j["source"], "kubeadm");
  EXPECT_EQ(j["networks"][0]["groups"][7]["cidr"], "10.126.0.0/15");
  EXPECT_EQ(j["networks"][0]["groups"][7]["blocks"], 16384);
  EXPECT_EQ(j["networks"][0]["upstream_routes"], 8);
}

TEST(PlanReportTest, UsEast1ShowsPaddingAndNestedRoutes) {
  absl::StatusOr<PlanReport> r = BuildPlanReportFor(std::nullopt, "aws-us-east-1", "");
  ASSERT_TRUE(r.ok()) << r.status();
  const PlanReportNetwork& n = r->networks[0];
  EXPECT_EQ(n.leaf_groups, 24);
  EXPECT_EQ(n.padding_groups, 2);
  EXPECT_EQ(n.upstream_routes, 24);
  const PlanReportGroup& az = n.groups[0];
  EXPECT_EQ(az.name, "failure-domain: us-east-1a");
  EXPECT_FALSE(az.leaf);
  EXPECT_EQ(az.routes, 4);  // its four sub-groups
  EXPECT_EQ(n.groups[1].depth, 1);
  EXPECT_EQ(n.groups[1].blocks, 8192u);  // /16 with /29 blocks
  const PlanReportGroup& pad = n.groups.back();
  EXPECT_TRUE(pad.padding);
  EXPECT_EQ(pad.cidr.ToString(), "100.124.0.0/14");
  EXPECT_EQ(pad.blocks, 0u);
  EXPECT_EQ(pad.routes, 0);
  std::string table = FormatPlanTable(*r);
  EXPECT_THAT(table, HasSubstr("(padding)"));
  EXPECT_THAT(table, HasSubstr("never receives hosts"));
  EXPECT_THAT(table, HasSubstr("24 host groups, 2 padding"));
}

TEST(PlanReportTest, FileWithOverridesAndStaticHosts) {
  std::string file = R"({"networks":[{"name":"n","cidr":"10.0.0.0/16","block_mask":28,"tenants":["a"]}],
    "topologies":[{"networks":["n"],"map":[{"name":"r1","assignment":{"rack":"1"}},
      {"name":"static","groups":[{"name":"h1","ip":"192.168.0.1"}]},{"name":"r3"}]}]})";
  absl::StatusOr<PlanReport> r = BuildPlanReportFor(file, "", "n=10.5.0.0/20");
  ASSERT_TRUE(r.ok()) << r.status();
  const PlanReportNetwork& n = r->networks[0];
  EXPECT_EQ(n.cidr.ToString(), "10.5.0.0/20");
  EXPECT_EQ(n.groups[0].cidr.ToString(), "10.5.0.0/22");
  EXPECT_EQ(n.groups[0].blocks, 64u);  // 2^(28-22)
  EXPECT_EQ(n.groups[1].static_hosts, std::vector<std::string>{"h1=192.168.0.1"});
  EXPECT_TRUE(n.groups[3].padding);
  EXPECT_EQ(n.upstream_routes, 3);
  std::string table = FormatPlanTable(*r);
  EXPECT_THAT(table, HasSubstr("namespaces: a"));
  EXPECT_THAT(table, HasSubstr("rack=1"));
  EXPECT_THAT(table, HasSubstr("static hosts: h1=192.168.0.1"));
}

TEST(PlanReportTest, ErrorsAreClear) {
  EXPECT_EQ(BuildPlanReportFor(std::nullopt, "", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildPlanReportFor("{}", "kubeadm", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(BuildPlanReportFor(std::nullopt, "aws-mars-1", "").status().message(), HasSubstr("unknown built-in"));
  absl::StatusOr<PlanReport> bad = BuildPlanReportFor(R"({"networks":[{"name":"n","cidr":"10.0.0.1/16"}],
      "topologies":[{"networks":["n"],"map":[{}]}]})", "", "");
  EXPECT_EQ(ErrorField(bad.status()), "networks[0].cidr");
  EXPECT_THAT(BuildPlanReportFor(std::nullopt, "kubeadm", "x=10.0.0.0/8").status().message(),
              HasSubstr("no network named \"x\""));
}

}  // namespace
}  // namespace romana::ipam
