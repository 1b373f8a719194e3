// The shape of the compiled plan: names, sets, chains, and what changes (and what does not) when
// the cluster or the policies change. What the plan *allows* is tested in semantics_test.cc and
// policy_property_test.cc.
#include "policy/node_plan_compiler.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "policy/testing/plan_interpreter.h"
#include "policy/testing/world.h"

namespace romana::policy {
namespace {

uint32_t Ip(const char* text) { return *ParseIpv4(text, "ip"); }

const AddressSet* FindSet(const NodePlan& plan, const std::string& name) {
  for (const AddressSet& s : plan.address_sets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const AddressPortSet* FindPortSet(const NodePlan& plan, const std::string& name) {
  for (const AddressPortSet& s : plan.address_port_sets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// x/a (node1, web), x/b (node2, web), y/c (node2, db) with named ports.
World Base() {
  World w;
  w.AddNamespace("x", {{"team", "x"}});
  w.AddNamespace("y", {{"team", "y"}});
  w.AddPod("x", "a", "node1", "10.0.0.1", {{"app", "web"}}, {{"http", Protocol::kTcp, 8080}});
  w.AddPod("x", "b", "node2", "10.0.0.2", {{"app", "web"}}, {{"http", Protocol::kTcp, 9090}});
  w.AddPod("y", "c", "node2", "10.0.1.3", {{"app", "db"}}, {{"sql", Protocol::kTcp, 5432}});
  return w;
}

constexpr char kAllowFromDb[] = R"({"metadata": {"name": "from-db", "namespace": "x"}, "spec": {
    "podSelector": {"matchLabels": {"app": "web"}},
    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "y"}}, "podSelector": {"matchLabels": {"app": "db"}}},
                          {"ipBlock": {"cidr": "192.168.0.0/16", "except": ["192.168.1.0/24"]}}],
                 "ports": [{"port": 80}, {"protocol": "UDP", "port": 53, "endPort": 54}, {"port": "http"}]}]}})";

TEST(NodePlanCompilerTest, StableHashIsFnv1a64) {
  EXPECT_EQ(StableHash(""), "cbf29ce484222325");
  EXPECT_EQ(StableHash("a"), "af63dc4c8601ec8c");
}

TEST(NodePlanCompilerTest, PlanShape) {
  World w = Base();
  w.AddNetworkPolicy(kAllowFromDb);
  const NodePlan& plan = w.Plan("node1");
  EXPECT_EQ(plan.node, "node1");
  ASSERT_EQ(plan.pods.size(), 1u);
  EXPECT_EQ(plan.pods[0].ip, Ip("10.0.0.1"));
  EXPECT_TRUE(plan.pods[0].ingress_isolated);
  EXPECT_FALSE(plan.pods[0].egress_isolated);
  const std::string chain_name = "in-" + StableHash("networkpolicy:x/from-db");
  EXPECT_EQ(plan.pods[0].ingress_chains, std::vector<std::string>{chain_name});
  EXPECT_TRUE(plan.pods[0].egress_chains.empty());

  ASSERT_EQ(plan.chains.size(), 1u);
  const RuleChain& chain = plan.chains[0];
  EXPECT_EQ(chain.name, chain_name);
  EXPECT_EQ(chain.policy_id, "networkpolicy:x/from-db");
  EXPECT_EQ(chain.direction, Direction::kIngress);
  // Two peers x (numeric ports, named port) = four rules.
  ASSERT_EQ(chain.rules.size(), 4u);
  const std::string db_set = chain.rules[0].remote_set;
  const std::string block_set = chain.rules[1].remote_set;
  EXPECT_EQ(chain.rules[0].ports, (std::vector<PortRange>{{Protocol::kTcp, 80, 80}, {Protocol::kUdp, 53, 54}}));
  EXPECT_EQ(chain.rules[1].ports, chain.rules[0].ports);
  EXPECT_EQ(chain.rules[2].remote_set, db_set);
  EXPECT_EQ(chain.rules[3].remote_set, block_set);
  EXPECT_TRUE(chain.rules[2].ports.empty());
  EXPECT_EQ(chain.rules[2].destination_port_set, chain.rules[3].destination_port_set);

  const AddressSet* db = FindSet(plan, db_set);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->members, (std::vector<Ipv4Range>{{Ip("10.0.1.3"), Ip("10.0.1.3")}}));
  EXPECT_EQ(db->definition, "namespaces {team In (y)} pods {app In (db)}");
  const AddressSet* block = FindSet(plan, block_set);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block->definition, "cidr 192.168.0.0/16 except 192.168.1.0/24");
  EXPECT_EQ(block->members, (std::vector<Ipv4Range>{{Ip("192.168.0.0"), Ip("192.168.0.255")},
                                                    {Ip("192.168.2.0"), Ip("192.168.255.255")}}));
  // The named port resolves on the selected pods of this node only (x/b is on node2).
  const AddressPortSet* http = FindPortSet(plan, chain.rules[2].destination_port_set);
  ASSERT_NE(http, nullptr);
  EXPECT_EQ(http->members, (std::vector<AddressPort>{{Ip("10.0.0.1"), Protocol::kTcp, 8080}}));
  EXPECT_TRUE(plan.errors.empty());
  // And node2 resolves the same set name to its own pod's number.
  const NodePlan& plan2 = w.Plan("node2");
  const AddressPortSet* http2 = FindPortSet(plan2, chain.rules[2].destination_port_set);
  ASSERT_NE(http2, nullptr);
  EXPECT_EQ(http2->members, (std::vector<AddressPort>{{Ip("10.0.0.2"), Protocol::kTcp, 9090}}));
}

TEST(NodePlanCompilerTest, EgressNamedPortSetsCarryThePeerPods) {
  World w = Base();
  w.AddNetworkPolicy(R"({"metadata": {"name": "to-db", "namespace": "x"}, "spec": {"podSelector": {},
      "policyTypes": ["Egress"], "egress": [{"to": [{"namespaceSelector": {}}], "ports": [{"port": "sql"}]}]}})");
  const NodePlan& plan = w.Plan("node1");
  ASSERT_EQ(plan.chains.size(), 1u);
  ASSERT_EQ(plan.chains[0].rules.size(), 1u);
  const AllowRule& rule = plan.chains[0].rules[0];
  EXPECT_EQ(rule.remote_set, "");  // the port set is the peer
  const AddressPortSet* sql = FindPortSet(plan, rule.destination_port_set);
  ASSERT_NE(sql, nullptr);
  EXPECT_EQ(sql->members, (std::vector<AddressPort>{{Ip("10.0.1.3"), Protocol::kTcp, 5432}}));
  EXPECT_TRUE(plan.address_sets.empty());
}

// Everything but set members, for comparing plans.
NodePlan WithoutMembers(NodePlan plan) {
  for (AddressSet& s : plan.address_sets) s.members.clear();
  for (AddressPortSet& s : plan.address_port_sets) s.members.clear();
  return plan;
}

TEST(NodePlanCompilerTest, AMembershipChangeChangesOnlySetElements) {
  World w = Base();
  w.AddNetworkPolicy(kAllowFromDb);
  const NodePlan before = w.Plan("node1");
  w.AddPod("y", "d", "node3", "10.0.1.4", {{"app", "db"}});
  w.cluster.pods[2].labels["app"] = "cache";  // y/c leaves the selection
  const NodePlan after = w.Plan("node1");
  EXPECT_EQ(WithoutMembers(after), WithoutMembers(before));
  EXPECT_NE(after, before);
  const AddressSet* db = FindSet(after, after.chains[0].rules[0].remote_set);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->members, (std::vector<Ipv4Range>{{Ip("10.0.1.4"), Ip("10.0.1.4")}}));
}

TEST(NodePlanCompilerTest, ANewTargetPodDoesNotRewriteTheChain) {
  World w = Base();
  w.AddNetworkPolicy(kAllowFromDb);
  const NodePlan before = w.Plan("node1");
  w.AddPod("x", "e", "node1", "10.0.0.5", {{"app", "web"}}, {{"http", Protocol::kTcp, 7070}});
  const NodePlan after = w.Plan("node1");
  EXPECT_EQ(after.chains, before.chains);
  ASSERT_EQ(after.pods.size(), 2u);
  EXPECT_EQ(after.pods[1].ingress_chains, before.pods[0].ingress_chains);
  const AddressPortSet* http = FindPortSet(after, after.chains[0].rules[2].destination_port_set);
  ASSERT_NE(http, nullptr);
  EXPECT_EQ(http->members.size(), 2u);
}

TEST(NodePlanCompilerTest, EditingAPolicyTouchesOnlyItsOwnChain) {
  World w = Base();
  w.AddNetworkPolicy(kAllowFromDb);
  w.AddNetworkPolicy(R"({"metadata": {"name": "other", "namespace": "x"}, "spec": {"podSelector": {},
      "ingress": [{"ports": [{"port": 443}]}]}})");
  const NodePlan before = w.Plan("node1");
  ASSERT_EQ(before.chains.size(), 2u);
  w.policies.network_policies[1].ingress[0].ports[0].port = 444;
  w.AddNamespace("unrelated");  // marks the world as changed
  const NodePlan after = w.Plan("node1");
  ASSERT_EQ(after.chains.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(after.chains[i].name, before.chains[i].name);
    EXPECT_EQ(after.chains[i] == before.chains[i], after.chains[i].policy_id != "networkpolicy:x/other");
  }
}

TEST(NodePlanCompilerTest, OnlyPoliciesSelectingLocalPodsGetChains) {
  World w = Base();
  w.AddNetworkPolicy(R"({"metadata": {"name": "db", "namespace": "y"}, "spec": {"podSelector": {}, "ingress": [{}]}})");
  EXPECT_TRUE(w.Plan("node1").chains.empty());
  EXPECT_FALSE(w.Plan("node1").pods[0].ingress_isolated);
  EXPECT_EQ(w.Plan("node2").chains.size(), 1u);
}

TEST(NodePlanCompilerTest, EquivalentSelectorsShareOneSet) {
  World w = Base();
  w.AddNetworkPolicy(R"({"metadata": {"name": "p1", "namespace": "x"}, "spec": {"podSelector": {},
      "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]}})");
  w.AddNetworkPolicy(R"({"metadata": {"name": "p2", "namespace": "x"}, "spec": {"podSelector": {},
      "ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}}],
                   "ports": [{"port": 1}]}]}})");
  const NodePlan& plan = w.Plan("node1");
  ASSERT_EQ(plan.chains.size(), 2u);
  EXPECT_EQ(plan.address_sets.size(), 1u);
  EXPECT_EQ(plan.chains[0].rules[0].remote_set, plan.chains[1].rules[0].remote_set);
}

TEST(NodePlanCompilerTest, DeterministicAndIndependentOfPolicyOrder) {
  World w = Base();
  w.AddNetworkPolicy(kAllowFromDb);
  w.AddNetworkPolicy(R"({"metadata": {"name": "other", "namespace": "x"}, "spec": {"podSelector": {}, "ingress": [{}]}})");
  const NodePlan a = CompileNodePlan(w.cluster, w.policies, "node1");
  EXPECT_EQ(CompileNodePlan(w.cluster, w.policies, "node1"), a);
  std::reverse(w.policies.network_policies.begin(), w.policies.network_policies.end());
  std::reverse(w.cluster.pods.begin(), w.cluster.pods.end());
  EXPECT_EQ(CompileNodePlan(w.cluster, w.policies, "node1"), a);
  EXPECT_EQ(PlanDefects(a), "");
}

TEST(NodePlanCompilerTest, UnknownNodeGetsAnEmptyPlan) {
  World w = Base();
  w.AddNetworkPolicy(kAllowFromDb);
  NodePlan plan = CompileNodePlan(w.cluster, w.policies, "node9");
  EXPECT_TRUE(plan.pods.empty());
  EXPECT_TRUE(plan.chains.empty());
  EXPECT_TRUE(plan.address_sets.empty());
}

}  // namespace
}  // namespace romana::policy
