#include "agent/nat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nft/testing/fake_runner.h"

namespace romana::agent {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

TEST(NatRenderTest, OurTableOnlyWithSetChainAndMasqueradeRule) {
  absl::StatusOr<NatRender> r =
      RenderNatTable({.enabled = true, .networks = {"10.112.0.0/12"}, .interface = "eth0"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->table.has_value());
  const nft::Table& t = *r->table;
  EXPECT_EQ(t.family, "ip");
  EXPECT_EQ(t.name, "romana-nat");
  ASSERT_TRUE(t.sets.contains("romana-networks"));
  EXPECT_EQ(t.sets.at("romana-networks").flags, std::vector<std::string>{"interval"});
  EXPECT_EQ(t.sets.at("romana-networks").elements.begin()->first.dump(),
            R"({"prefix":{"addr":"10.112.0.0","len":12}})");
  const nft::Chain& c = t.chains.at("postrouting");
  EXPECT_EQ(c.base, (nft::BaseChain{"nat", "postrouting", 100, "accept"}));
  ASSERT_EQ(c.rules.size(), 1u);
  const std::string rule = c.rules[0].dump();
  EXPECT_THAT(rule, HasSubstr(R"({"match":{"left":{"payload":{"field":"saddr","protocol":"ip"}},"op":"==","right":"@romana-networks"}})"));
  EXPECT_THAT(rule, HasSubstr(R"({"match":{"left":{"payload":{"field":"daddr","protocol":"ip"}},"op":"!=","right":"@romana-networks"}})"));
  EXPECT_THAT(rule, HasSubstr(R"("right":"eth0")"));
  EXPECT_THAT(rule, HasSubstr(R"({"masquerade":null})"));
}

TEST(NatRenderTest, NoInterfaceMeansAnyOutputAndNetworksAreMerged) {
  absl::StatusOr<NatRender> r =
      RenderNatTable({.enabled = true, .networks = {"10.112.0.0/12", "10.200.0.0/16", "10.200.0.0/17"}});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->table->chains.at("postrouting").rules[0].dump(), ::testing::Not(HasSubstr("oifname")));
  EXPECT_EQ(r->table->sets.at("romana-networks").elements.size(), 2u);
}

TEST(NatRenderTest, DisabledOrNoNetworksMeansNoTable) {
  for (NatConfig c : {NatConfig{.enabled = false, .networks = {"10.0.0.0/8"}}, NatConfig{.enabled = true}}) {
    absl::StatusOr<NatRender> r = RenderNatTable(c);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->table.has_value());
  }
}

TEST(NatRenderTest, BadNetworkIsSkippedAndNamed) {
  absl::StatusOr<NatRender> r = RenderNatTable({.networks = {"10.0.0.0/8", "10.0.0.1/8", "nonsense"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->table->sets.at("romana-networks").elements.size(), 1u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_THAT(r->errors[0], HasSubstr("10.0.0.1/8"));
}

TEST(NatRenderTest, BadInterfaceIsRejectedNamingTheFlag) {
  for (std::string bad : {"eth0\"; flush ruleset", "averyveryverylongname", "a b", "", "eth/0"}) {
    if (bad.empty()) continue;  // empty means "any interface"
    absl::StatusOr<NatRender> r = RenderNatTable({.networks = {"10.0.0.0/8"}, .interface = bad});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("--nat-interface"));
  }
}

TEST(NatSyncerTest, NoOpSyncWritesNothingAndOutOfBandDeleteIsRepaired) {
  nft::testing::FakeRunner nft;
  base::FakeClock clock;
  NatSyncer syncer(nft, clock, std::chrono::seconds(60));
  NatConfig c{.enabled = true, .networks = {"10.112.0.0/12"}, .interface = "eth0"};
  ASSERT_TRUE(syncer.Sync(c).ok());
  EXPECT_EQ(nft.writes(), 1);
  ASSERT_TRUE(nft.HasTable("ip", "romana-nat"));
  const int reads = nft.reads();
  for (int i = 0; i < 3; ++i) {
    clock.Advance(std::chrono::seconds(10));
    ASSERT_TRUE(syncer.Sync(c).ok());
  }
  EXPECT_EQ(nft.writes(), 1);
  EXPECT_EQ(nft.reads(), reads);  // not even a read before the resync interval
  ASSERT_TRUE(nft.Run(nft::Document(json::array(
      {json{{"delete", {{"table", {{"family", "ip"}, {"name", "romana-nat"}}}}}}}))).ok());
  clock.Advance(std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync(c).ok());
  EXPECT_EQ(nft.writes(), 3);
  EXPECT_TRUE(nft.HasTable("ip", "romana-nat"));
  clock.Advance(std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync(c).ok());  // resync finds it intact: no write
  EXPECT_EQ(nft.writes(), 3);
}

TEST(NatSyncerTest, ChangedNetworksAreElementUpdatesAndDisableRemoves) {
  nft::testing::FakeRunner nft;
  base::FakeClock clock;
  NatSyncer syncer(nft, clock, std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync({.networks = {"10.112.0.0/12"}}).ok());
  ASSERT_TRUE(syncer.Sync({.networks = {"10.112.0.0/12", "10.200.0.0/16"}}).ok());
  EXPECT_EQ(nft.writes(), 2);
  EXPECT_EQ(syncer.last_stats().elements_added, 1);
  EXPECT_EQ(syncer.last_stats().chains_written, 0);
  ASSERT_TRUE(syncer.Sync({.networks = {"10.112.0.0/12", "10.200.0.0/16"}, .interface = "eth1"}).ok());
  EXPECT_EQ(syncer.last_stats().chains_written, 1);
  EXPECT_EQ(syncer.last_stats().elements_added, 0);
  ASSERT_TRUE(syncer.Sync({.enabled = false, .networks = {"10.112.0.0/12"}}).ok());
  EXPECT_FALSE(nft.HasTable("ip", "romana-nat"));
}

}  // namespace
}  // namespace romana::agent
