#include "agent/lifecycle.h"

#include "absl/strings/match.h"
#include "agent/nat.h"
#include "agent/policy_render.h"
#include "agent/testing/fake_route_programmer.h"
#include "agent/testing/fake_vip_programmer.h"
#include "gtest/gtest.h"
#include "nft/testing/fake_runner.h"

namespace romana::agent {
namespace {

TEST(NodeLabelsTest, ParsesPairsAndNamesTheFlagOnError) {
  absl::StatusOr<api::Labels> none = ParseNodeLabels("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  absl::StatusOr<api::Labels> two = ParseNodeLabels("rack=r1,zone=a=b");
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(*two, (api::Labels{{"rack", "r1"}, {"zone", "a=b"}}));
  for (const char* bad : {"rack", "=r1", "rack=r1,"}) {
    absl::StatusOr<api::Labels> l = ParseNodeLabels(bad);
    ASSERT_FALSE(l.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(l.status()));
    EXPECT_TRUE(absl::StartsWith(l.status().message(), "--node-labels: ")) << l.status();
  }
}

class RemoveAgentStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(vips_.Add("192.168.99.200").ok());
    vips_.AddForeign("192.168.99.201");
    kernel_.AddRouteBehindOurBack(Route::Via("10.112.0.8/29", "192.168.99.11"));
    ASSERT_TRUE(kernel_.AddRule(options_.rule).ok());
    for (auto [family, name] : {std::pair{kNatFamily, kNatTable}, std::pair{kPolicyFamily, kPolicyTable}}) {
      ASSERT_TRUE(nft_.Run({{"nftables", {{{"add", {{"table", {{"family", family}, {"name", name}}}}}}}}}).ok());
      ASSERT_TRUE(nft_.HasTable(family, name));
    }
  }

  testing::FakeVipProgrammer vips_;
  testing::FakeRouteProgrammer kernel_;
  nft::testing::FakeRunner nft_;
  base::FakeClock clock_;
  RouteSyncerOptions options_;
};

TEST_F(RemoveAgentStateTest, RemovesVipsRoutesRuleAndBothTablesAndCanRunAgain) {
  ASSERT_TRUE(RemoveAgentState(&vips_, kernel_, nft_, clock_, options_).ok());
  EXPECT_TRUE(vips_.owned().empty());
  EXPECT_EQ(vips_.foreign().size(), 1u);  // not ours: left alone
  EXPECT_TRUE(kernel_.routes().empty());
  EXPECT_TRUE(kernel_.rules().empty());
  EXPECT_FALSE(nft_.HasTable(kNatFamily, kNatTable));
  EXPECT_FALSE(nft_.HasTable(kPolicyFamily, kPolicyTable));
  EXPECT_TRUE(RemoveAgentState(&vips_, kernel_, nft_, clock_, options_).ok());  // idempotent
}

TEST_F(RemoveAgentStateTest, WithoutAVipLinkTheRestIsStillRemoved) {
  vips_.FailNextCall(absl::NotFoundError("no link eth9"));
  ASSERT_TRUE(RemoveAgentState(&vips_, kernel_, nft_, clock_, options_).ok());
  EXPECT_TRUE(kernel_.routes().empty());
  ASSERT_TRUE(RemoveAgentState(nullptr, kernel_, nft_, clock_, options_).ok());  // VIPs off
}

TEST_F(RemoveAgentStateTest, AFailedStepKeepsItsCodeAndIsNamed) {
  kernel_.FailNextCall(absl::UnavailableError("netlink busy"));
  absl::Status s = RemoveAgentState(&vips_, kernel_, nft_, clock_, options_);
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), "cleanup routes: ")) << s;
  EXPECT_TRUE(nft_.HasTable(kNatFamily, kNatTable));  // later steps did not run
}

}  // namespace
}  // namespace romana::agent
