#include "cli/topology_plan.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace romana::cli {
namespace {

TEST(TopologyPlanTest, KubeadmBuiltinHasEightGroupRoutes) {
  absl::StatusOr<std::string> r = TopologyPlan("", "kubeadm", "", true);
  ASSERT_TRUE(r.ok()) << r.status();
  nlohmann::json j = nlohmann::json::parse(*r);
  ASSERT_EQ(j["networks"].size(), 1u);
  EXPECT_EQ(j["networks"][0]["cidr"], "10.112.0.0/12");
  EXPECT_EQ(j["networks"][0]["upstream_routes"], 8);
  absl::StatusOr<std::string> text = TopologyPlan("", "kubeadm", "", false);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("10.112.0.0/15"), std::string::npos);
}

TEST(TopologyPlanTest, OverridesAndErrors) {
  absl::StatusOr<std::string> r = TopologyPlan("", "kubeadm", "romana-network=10.64.0.0/12", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(nlohmann::json::parse(*r)["networks"][0]["cidr"], "10.64.0.0/12");
  EXPECT_FALSE(TopologyPlan("", "kubeadm", "nope=10.64.0.0/12", true).ok());
  EXPECT_FALSE(TopologyPlan("", "no-such-builtin", "", true).ok());
  EXPECT_EQ(TopologyPlan(R"({"networks": 1})", "", "", true).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romana::cli
