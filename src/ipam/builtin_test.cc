// Built-in topologies, the initial-topology selection rules and --network-cidr-overrides.
#include "ipam/builtin.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/plan.h"

namespace romana::ipam {
namespace {

using ::testing::HasSubstr;

TEST(BuiltinTest, EveryBuiltinValidatesAndHasTheReferenceShape) {
  for (const std::string& name : BuiltinTopologyNames()) {
    absl::StatusOr<TopologySpec> spec = BuiltinTopology(name);
    ASSERT_TRUE(spec.ok()) << name << ": " << spec.status();
    ASSERT_TRUE(ValidateTopology(*spec).ok()) << name;
    absl::StatusOr<std::vector<NetworkPlan>> plans = BuildPlans(*spec);
    ASSERT_TRUE(plans.ok());
    if (name == "kubeadm") continue;
    EXPECT_EQ(spec->networks[0].cidr.ToString(), "100.96.0.0/11") << name;
    std::string region = name.substr(4);
    size_t zones = AwsRegionZones(region)->size();
    size_t leaves = 0;
    for (const GroupPlan& g : (*plans)[0].groups) leaves += g.leaf && !g.padding;
    EXPECT_EQ(leaves, zones * (zones == 6 ? 4 : 8)) << name;
  }
  EXPECT_EQ(BuiltinTopologyNames().size(), 15u);  // kubeadm + 14 regions
  EXPECT_EQ(BuiltinTopology("aws-mars-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(BuiltinTopology("nope").status().message(), HasSubstr("aws-us-east-1"));
}

TEST(BuiltinTest, GeneratorFromZoneList) {
  absl::StatusOr<TopologySpec> spec = AwsTopologyForZones("eu-north-1", {"eu-north-1a", "eu-north-1b", "eu-north-1c"});
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->topologies[0].map[2].name, "failure-domain: eu-north-1c");
  EXPECT_EQ(spec->topologies[0].map[2].groups[7].name, "eu-north-1c-group-08");
  EXPECT_EQ(spec->topologies[0].map[2].groups[0].assignment.at(kBetaRegionLabel), "eu-north-1");
  EXPECT_FALSE(AwsTopologyForZones("eu-north-1", {"us-east-1a"}).ok());
  EXPECT_FALSE(AwsTopologyForZones("eu-north-1", {}).ok());
  // One zone with one sub-group owns the whole /11; a negative count is refused.
  absl::StatusOr<TopologySpec> one = AwsTopologyForZones("r", {"ra"}, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ((*BuildPlans(*one))[0].groups.back().cidr.ToString(), "100.96.0.0/11");
  EXPECT_EQ(AwsTopologyForZones("r", {"ra", "rb"}, -1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BuiltinTest, SelectionRules) {
  int zone_calls = 0;
  auto zone = [&]() -> absl::StatusOr<std::string> {
    ++zone_calls;
    return std::string("us-west-2b");
  };
  // 1. A file wins over everything.
  TopologySelection sel{R"({"networks":[{"name":"x","cidr":"10.1.0.0/16"}],"topologies":[{"networks":["x"],"map":[{}]}]})",
                        "aws", "10.96.0.1", zone, ""};
  absl::StatusOr<SelectedTopology> s = SelectInitialTopology(sel);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->source, "file");
  EXPECT_EQ(zone_calls, 0);
  // 2. --cloud=aws: the region of the instance's zone.
  sel.initial_network_json.reset();
  s = SelectInitialTopology(sel);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->source, "aws-us-west-2");
  EXPECT_EQ(zone_calls, 1);
  // 3. The Kubernetes service IP.
  sel.cloud = "";
  s = SelectInitialTopology(sel);
  EXPECT_EQ(s->source, "kubeadm");
  sel.kubernetes_service_host = "100.64.0.1";
  s = SelectInitialTopology(sel);
  EXPECT_EQ(s->source, "aws-us-west-2");
  sel.kubernetes_service_host = "10.0.0.1";
  s = SelectInitialTopology(sel);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("--initial-network"));
  // Failures to read the zone or an unknown region are clear errors.
  sel.cloud = "aws";
  sel.availability_zone = [] { return absl::StatusOr<std::string>(absl::UnavailableError("no IMDS")); };
  EXPECT_THAT(SelectInitialTopology(sel).status().message(), HasSubstr("instance metadata"));
  sel.availability_zone = [] { return absl::StatusOr<std::string>("mars-1a"); };
  EXPECT_EQ(SelectInitialTopology(sel).status().code(), absl::StatusCode::kNotFound);
  sel.cloud = "gcp";
  EXPECT_EQ(SelectInitialTopology(sel).status().code(), absl::StatusCode::kInvalidArgument);
  // A bad file names the field.
  sel = TopologySelection{R"({"networks":[]})", "", "", nullptr, ""};
  EXPECT_THAT(SelectInitialTopology(sel).status().message(), HasSubstr("--initial-network: topologies"));
}

TEST(BuiltinTest, OverridesAreAppliedAndValidated) {
  TopologySelection sel{std::nullopt, "", "10.96.0.1", nullptr, "romana-network=10.200.0.0/16"};
  absl::StatusOr<SelectedTopology> s = SelectInitialTopology(sel);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->spec.networks[0].cidr.ToString(), "10.200.0.0/16");
  // The original silently ignored unknown names; we refuse them.
  sel.network_cidr_overrides = "romana-netwrk=10.200.0.0/16";
  EXPECT_THAT(SelectInitialTopology(sel).status().message(), HasSubstr("no network named \"romana-netwrk\""));
  // A CIDR too small for the tree is caught by validation.
  sel.network_cidr_overrides = "romana-network=10.200.0.0/28";
  EXPECT_THAT(SelectInitialTopology(sel).status().message(), HasSubstr("make the topology invalid"));
}

TEST(BuiltinTest, ParseOverrides) {
  auto ok = ParseNetworkCidrOverrides("a=10.0.0.0/8,b=192.168.0.0/16");
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].first, "b");
  EXPECT_EQ((*ok)[1].second.ToString(), "192.168.0.0/16");
  EXPECT_TRUE(ParseNetworkCidrOverrides("")->empty());
  struct Bad { const char* text; const char* why; } bad[] = {
      {"=10.0.0.0/8", "name is empty"},
      {"a", "expected name=cidr"},
      {"a=10.0.0.0/8=x", "more than one '='"},
      {"a=10.0.0.1/8", "not a network address"},
      {"a=10.0.0.0/33", "out of range"},
      {"a=10.0.0.0/8 ", "not a decimal number"},
      {"a=10.0.0.0/8,", "expected name=cidr"},
      {"a=10.0.0.0/8,a=11.0.0.0/8", "given twice"},
      {"a=300.0.0.0/8", "greater than 255"},
  };
  for (const Bad& b : bad) {
    auto r = ParseNetworkCidrOverrides(b.text);
    ASSERT_FALSE(r.ok()) << b.text;
    EXPECT_THAT(r.status().message(), HasSubstr(b.why)) << b.text;
  }
}

}  // namespace
}  // namespace romana::ipam
