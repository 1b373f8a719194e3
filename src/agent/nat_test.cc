#include "agent/nat.h"

#include "agent/testing/fake_nftables.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(NatRenderTest, ReplacesOnlyOurTableAtomically) {
  absl::StatusOr<std::string> b =
      RenderNatRuleset({.enabled = true, .networks = {"10.112.0.0/12"}, .interface = "eth0"});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(*b, ::testing::StartsWith("add table ip romana-nat\ndelete table ip romana-nat\ntable ip romana-nat {"));
  EXPECT_THAT(*b, HasSubstr("elements = { 10.112.0.0/12 }"));
  EXPECT_THAT(*b, HasSubstr("ip saddr @romana-networks ip daddr != @romana-networks oifname \"eth0\" counter masquerade"));
  // Never names another table or flushes the ruleset.
  EXPECT_THAT(*b, Not(HasSubstr("flush ruleset")));
  EXPECT_THAT(*b, Not(HasSubstr("table ip nat")));
}

TEST(NatRenderTest, NoInterfaceMeansAnyOutput) {
  absl::StatusOr<std::string> b =
      RenderNatRuleset({.enabled = true, .networks = {"10.112.0.0/12", "10.200.0.0/16"}});
  ASSERT_TRUE(b.ok());
  EXPECT_THAT(*b, Not(HasSubstr("oifname")));
  EXPECT_THAT(*b, HasSubstr("elements = { 10.112.0.0/12, 10.200.0.0/16 }"));
}

TEST(NatRenderTest, DisabledOrNoNetworksRemovesTheTable) {
  for (NatConfig c : {NatConfig{.enabled = false, .networks = {"10.0.0.0/8"}}, NatConfig{.enabled = true}}) {
    absl::StatusOr<std::string> b = RenderNatRuleset(c);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(*b, "add table ip romana-nat\ndelete table ip romana-nat\n");
  }
}

TEST(NatRenderTest, BadInterfaceIsRejectedNamingTheFlag) {
  for (std::string bad : {"eth0\"; flush ruleset", "averyveryverylongname", "a b"}) {
    absl::StatusOr<std::string> b = RenderNatRuleset({.networks = {"10.0.0.0/8"}, .interface = bad});
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(b.status().message(), HasSubstr("--nat-interface"));
  }
}

TEST(NatSyncerTest, NoOpSyncWritesNothingAndOutOfBandDeleteIsRepaired) {
  testing::FakeNftables nft;
  base::FakeClock clock;
  NatSyncer syncer(nft, clock, std::chrono::seconds(60));
  NatConfig c{.enabled = true, .networks = {"10.112.0.0/12"}, .interface = "eth0"};
  ASSERT_TRUE(syncer.Sync(c).ok());
  EXPECT_EQ(nft.writes(), 1);
  ASSERT_TRUE(nft.table().has_value());
  const int reads = nft.reads();
  for (int i = 0; i < 3; ++i) {
    clock.Advance(std::chrono::seconds(10));
    ASSERT_TRUE(syncer.Sync(c).ok());
  }
  EXPECT_EQ(nft.writes(), 1);
  EXPECT_EQ(nft.reads(), reads);  // not even a read before the resync interval
  nft.DeleteTableBehindOurBack();
  clock.Advance(std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync(c).ok());
  EXPECT_EQ(nft.writes(), 2);
  EXPECT_TRUE(nft.table().has_value());
  clock.Advance(std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync(c).ok());  // resync finds it intact: no write
  EXPECT_EQ(nft.writes(), 2);
}

TEST(NatSyncerTest, ChangedNetworksRewriteAndDisableRemoves) {
  testing::FakeNftables nft;
  base::FakeClock clock;
  NatSyncer syncer(nft, clock, std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync({.networks = {"10.112.0.0/12"}}).ok());
  ASSERT_TRUE(syncer.Sync({.networks = {"10.112.0.0/12", "10.200.0.0/16"}}).ok());
  EXPECT_EQ(nft.writes(), 2);
  EXPECT_THAT(*nft.table(), HasSubstr("10.200.0.0/16"));
  ASSERT_TRUE(syncer.Sync({.enabled = false, .networks = {"10.112.0.0/12"}}).ok());
  EXPECT_FALSE(nft.table().has_value());
}

}  // namespace
}  // namespace romana::agent
