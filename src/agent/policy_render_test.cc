#include "agent/policy_render.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nft/table_diff.h"

namespace romana::agent {
namespace {

using json = nlohmann::json;
using policy::Direction;
using policy::Protocol;

policy::NodePlan Sample() {
  policy::NodePlan p{.node = "n"};
  p.address_sets = {{.name = "a-1", .definition = "ns x", .members = {{0x0a000002, 0x0a000004}, {0x0a000009, 0x0a000009}}}};
  p.address_port_sets = {{.name = "n-1", .definition = "serve", .members = {{0x0a000005, Protocol::kTcp, 8080}}}};
  p.chains = {{.name = "in-1", .policy_id = "networkpolicy:x/p", .direction = Direction::kIngress,
               .rules = {{.remote_set = "a-1", .ports = {{Protocol::kTcp, 80, 80}, {Protocol::kUdp, 1000, 2000},
                                                         {Protocol::kSctp, 0, 65535}}},
                         {.destination_port_set = "n-1"},
                         {}}},
              {.name = "out-1", .policy_id = "romana:r", .direction = Direction::kEgress,
               .rules = {{.remote_set = "a-1"}}}};
  p.pods = {{.namespace_name = "x", .name = "p1", .ip = 0x0a000005, .ingress_isolated = true, .egress_isolated = true,
             .ingress_chains = {"in-1"}, .egress_chains = {"out-1"}},
            {.namespace_name = "x", .name = "p2", .ip = 0x0a000006, .ingress_isolated = true},
            {.namespace_name = "x", .name = "p3", .ip = 0x0a000007, .ingress_isolated = true, .ingress_chains = {"in-1"}},
            {.namespace_name = "x", .name = "p4", .ip = 0x0a000008}};
  return p;
}

TEST(PolicyRenderTest, LayoutSetsMapsAndChains) {
  nft::Table t = RenderPolicyTable(Sample());
  EXPECT_EQ(t.family, "inet");
  EXPECT_EQ(t.name, "romana");
  EXPECT_THAT(t.sets.at("a-1").elements,
              ::testing::ElementsAre(::testing::Pair(json{{"range", {"10.0.0.2", "10.0.0.4"}}}, nullptr),
                                     ::testing::Pair(json("10.0.0.9"), nullptr)));
  EXPECT_EQ(t.sets.at("n-1").elements.begin()->first, (json{{"concat", {"10.0.0.5", "tcp", 8080}}}));
  EXPECT_EQ(t.sets.at("self").elements.size(), 4u);  // every local pod reaches itself
  // Pods with the same policy chains share one dispatch chain; non-isolated pods have no entry.
  const auto& in = t.sets.at("ingress-pods").elements;
  ASSERT_EQ(in.size(), 3u);
  EXPECT_EQ(in.at(json("10.0.0.5")), in.at(json("10.0.0.7")));
  EXPECT_NE(in.at(json("10.0.0.5")), in.at(json("10.0.0.6")));
  EXPECT_FALSE(in.contains(json("10.0.0.8")));
  EXPECT_EQ(t.sets.at("egress-pods").elements.size(), 1u);
  const std::string dispatch = in.at(json("10.0.0.5"))["jump"]["target"];
  EXPECT_THAT(t.chains.at(dispatch).rules,
              ::testing::ElementsAre(json::array({json{{"jump", {{"target", "in-1"}}}}}), json::array({json{{"drop", nullptr}}})));
  const std::string deny = in.at(json("10.0.0.6"))["jump"]["target"];
  EXPECT_THAT(t.chains.at(deny).rules, ::testing::ElementsAre(json::array({json{{"drop", nullptr}}})));
  // Base chains: conntrack first, on the forward hook (after prerouting DNAT).
  const nft::Chain& fwd = t.chains.at("forward-ingress");
  EXPECT_EQ(fwd.base->hook, "forward");
  EXPECT_THAT(fwd.rules[0].dump(), ::testing::HasSubstr(R"("right":["established","related"])"));
  // No rule drops conntrack-invalid packets: a gateway node forwards replies of flows it never saw start.
  EXPECT_THAT(fwd.rules[1].dump(), ::testing::HasSubstr(R"("right":"@self")"));
  EXPECT_THAT(fwd.rules.back().dump(), ::testing::HasSubstr(R"({"vmap":{"data":"@ingress-pods")"));
  EXPECT_THAT(t.chains.at("forward-egress").rules.back().dump(), ::testing::HasSubstr(R"("field":"saddr")"));
  // in-1: three port rules + named port + allow-all = 5; the SCTP rule has no port match.
  const nft::Chain& in1 = t.chains.at("in-1");
  ASSERT_EQ(in1.rules.size(), 5u);
  EXPECT_THAT(in1.rules[1].dump(), ::testing::HasSubstr(R"({"range":[1000,2000]})"));
  EXPECT_THAT(in1.rules[2].dump(), ::testing::Not(::testing::HasSubstr("dport")));
  EXPECT_THAT(in1.rules[3].dump(), ::testing::HasSubstr(R"("right":"@n-1")"));
  EXPECT_EQ(in1.rules[4], json::array({json{{"accept", nullptr}}}));
  EXPECT_THAT(t.chains.at("out-1").rules[0].dump(), ::testing::HasSubstr(R"("field":"daddr")"));
}

TEST(PolicyRenderTest, MembershipChangeIsElementsOnlyAndPolicyEditTouchesOnlyItsChain) {
  const nft::Table before = RenderPolicyTable(Sample());
  policy::NodePlan members = Sample();
  members.address_sets[0].members.push_back({0x0a000020, 0x0a000020});
  members.pods.push_back({.namespace_name = "x", .name = "p5", .ip = 0x0a000010, .ingress_isolated = true,
                          .ingress_chains = {"in-1"}});
  nft::DiffStats st;
  nlohmann::json c = nft::DiffTable(RenderPolicyTable(members), nft::StateOf(before), &st);
  EXPECT_EQ(st.chains_written, 0);
  EXPECT_EQ(st.elements_added, 3);  // peer, self pair, ingress map entry
  EXPECT_EQ(st.elements_deleted, 0);

  policy::NodePlan edit = Sample();
  edit.chains[1].rules[0].ports = {{Protocol::kTcp, 443, 443}};
  c = nft::DiffTable(RenderPolicyTable(edit), nft::StateOf(before), &st);
  EXPECT_EQ(st.chains_written, 1);
  EXPECT_EQ(st.elements_added + st.elements_deleted, 0);
  EXPECT_EQ(c[0]["flush"]["chain"]["name"], "out-1");
}

}  // namespace
}  // namespace romana::agent
