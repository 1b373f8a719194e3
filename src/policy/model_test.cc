#include "policy/model.h"

#include "gtest/gtest.h"

namespace romana::policy {
namespace {

using nlohmann::json;

NetworkPolicy Np(const char* spec) {
  json j = {{"metadata", {{"name", "p"}, {"namespace", "x"}}}, {"spec", json::parse(spec)}};
  absl::StatusOr<NetworkPolicy> p = ParseNetworkPolicy(j);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.value_or(NetworkPolicy{});
}

Policy Native(const char* text) {
  absl::StatusOr<Policy> p = api::ParsePolicy(json::parse(text));
  EXPECT_TRUE(p.ok()) << p.status();
  return p.value_or(Policy{});
}

TEST(ModelTest, NetworkPolicyTargetsItsNamespace) {
  ModelPolicy m = FromNetworkPolicy(Np(R"({"podSelector": {"matchLabels": {"app": "web"}}})"));
  EXPECT_EQ(m.id, "networkpolicy:x/p");
  ASSERT_EQ(m.targets.size(), 1u);
  EXPECT_EQ(m.targets[0].namespace_name, "x");
  EXPECT_EQ(m.targets[0].pods.match_labels, (Labels{{"app", "web"}}));
  EXPECT_TRUE(m.ingress);
  EXPECT_FALSE(m.egress);
  EXPECT_TRUE(m.ingress_rules.empty());
}

TEST(ModelTest, PeerNamespaceScope) {
  ModelPolicy m = FromNetworkPolicy(Np(R"({"ingress": [{"from": [
      {"podSelector": {"matchLabels": {"a": "1"}}},
      {"namespaceSelector": {}},
      {"namespaceSelector": {"matchLabels": {"t": "1"}}, "podSelector": {"matchLabels": {"a": "1"}}},
      {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}]})"));
  const std::vector<ModelPeer>& peers = m.ingress_rules.at(0).peers;
  ASSERT_EQ(peers.size(), 4u);
  EXPECT_EQ(peers[0].pods->namespace_name, "x");  // nil namespaceSelector: the policy's namespace
  EXPECT_FALSE(peers[1].pods->namespace_name.has_value());  // {}: every namespace
  EXPECT_TRUE(peers[1].pods->namespaces.empty());
  EXPECT_TRUE(peers[1].pods->pods.empty());
  EXPECT_EQ(peers[2].pods->namespaces.match_labels, (Labels{{"t", "1"}}));
  EXPECT_EQ(peers[2].pods->pods.match_labels, (Labels{{"a", "1"}}));
  ASSERT_TRUE(peers[3].block.has_value());
  EXPECT_EQ(peers[3].block->except.size(), 1u);
}

TEST(ModelTest, Ports) {
  ModelPolicy m = FromNetworkPolicy(Np(R"({"ingress": [{"ports": [{"port": 80}, {"protocol": "UDP"},
      {"port": 8000, "endPort": 9000}, {"protocol": "SCTP", "port": "web"}]}]})"));
  const std::vector<ModelPort>& ports = m.ingress_rules.at(0).ports;
  EXPECT_EQ(ports.at(0), (ModelPort{Protocol::kTcp, 80, 80, ""}));
  EXPECT_EQ(ports.at(1), (ModelPort{Protocol::kUdp, 0, 65535, ""}));
  EXPECT_EQ(ports.at(2), (ModelPort{Protocol::kTcp, 8000, 9000, ""}));
  EXPECT_EQ(ports.at(3), (ModelPort{Protocol::kSctp, 0, 65535, "web"}));
}

TEST(ModelTest, RulesOfAnUnaffectedDirectionAreDropped) {
  ModelPolicy m = FromNetworkPolicy(Np(R"({"policyTypes": ["Egress"], "ingress": [{}], "egress": [{}, {}]})"));
  EXPECT_FALSE(m.ingress);
  EXPECT_TRUE(m.ingress_rules.empty());
  EXPECT_EQ(m.egress_rules.size(), 2u);
}

TEST(ModelTest, RomanaPolicyMapping) {
  absl::StatusOr<ModelPolicy> m = FromRomanaPolicy(Native(R"({"id": "p1", "direction": "egress",
      "applied_to": [{"tenant_id": "t1", "segment_id": "s1"}, {"tenant_id": "t2"}],
      "ingress": [{"peers": [{"cidr": "10.0.0.0/8"}, {"tenant_id": "t3", "segment_id": "s3"}],
                   "rules": [{"protocol": "TCP", "ports": [80, 443], "port_ranges": [[8000, 8080]]}, {"protocol": "icmp", "icmp_type": 8}]},
                  {"peers": [{"peer": "any"}, {"tenant_id": "t4"}], "rules": [{"protocol": "udp"}, {"protocol": "any"}]}]})"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->id, "romana:p1");
  EXPECT_TRUE(m->egress);
  EXPECT_FALSE(m->ingress);
  ASSERT_EQ(m->targets.size(), 2u);
  EXPECT_EQ(m->targets[0].namespace_name, "t1");
  EXPECT_EQ(m->targets[0].pods.match_labels, (Labels{{"romana.io/segment", "s1"}}));
  EXPECT_TRUE(m->targets[1].pods.empty());
  ASSERT_EQ(m->egress_rules.size(), 2u);
  const ModelRule& r0 = m->egress_rules[0];
  ASSERT_EQ(r0.peers.size(), 2u);
  EXPECT_EQ(r0.peers[0].block->cidr.ToString(), "10.0.0.0/8");
  EXPECT_EQ(r0.peers[1].pods->namespace_name, "t3");
  EXPECT_EQ(r0.peers[1].pods->pods.match_labels, (Labels{{"romana.io/segment", "s3"}}));
  EXPECT_EQ(r0.ports, (std::vector<ModelPort>{{Protocol::kTcp, 80, 80, ""},
                                              {Protocol::kTcp, 443, 443, ""},
                                              {Protocol::kTcp, 8000, 8080, ""},
                                              {Protocol::kIcmp, 0, 65535, ""}}));
  const ModelRule& r1 = m->egress_rules[1];
  EXPECT_TRUE(r1.peers.empty());  // "any" among the peers: everyone
  EXPECT_TRUE(r1.ports.empty());  // "any" among the rules: everything
}

TEST(ModelTest, RomanaHostTargetSelectsNothing) {
  absl::StatusOr<ModelPolicy> m = FromRomanaPolicy(Native(R"({"id": "dhcp", "direction": "ingress",
      "applied_to": [{"dest": "host"}], "ingress": [{"peers": [{"peer": "local"}], "rules": [{"protocol": "udp", "ports": [67]}]}]})"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->targets.empty());
}

TEST(ModelTest, InvalidRomanaPolicyIsAnError) {
  absl::StatusOr<ModelPolicy> m = FromRomanaPolicy(Native(R"({"id": "p", "direction": "ingress",
      "applied_to": [{"tenant_id": "t"}], "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "tcp", "ports": [70000]}]}]})"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ModelTest, NamespaceIsolation) {
  ModelPolicy m = NamespaceIsolation("x");
  EXPECT_EQ(m.id, "isolation:x");
  EXPECT_TRUE(m.ingress);
  EXPECT_FALSE(m.egress);
  EXPECT_TRUE(m.ingress_rules.empty());
  ASSERT_EQ(m.targets.size(), 1u);
  EXPECT_EQ(m.targets[0].namespace_name, "x");
  EXPECT_TRUE(m.targets[0].pods.empty());
}

TEST(ModelTest, BuildModelOrderAndErrors) {
  Cluster cluster;
  cluster.namespaces = {{"a", {}, false}, {"b", {}, true}};
  PolicySet policies;
  policies.network_policies = {Np("{}")};
  policies.romana_policies = {Native(R"({"id": "bad", "direction": "ingress"})")};
  std::vector<CompileError> errors;
  std::vector<ModelPolicy> model = BuildModel(cluster, policies, &errors);
  ASSERT_EQ(model.size(), 2u);
  EXPECT_EQ(model[0].id, "networkpolicy:x/p");
  EXPECT_EQ(model[1].id, "isolation:b");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].policy_id, "romana:bad");
}

TEST(ModelTest, EffectiveNamespaceLabelsCarryTheName) {
  EXPECT_EQ(EffectiveNamespaceLabels("x", {{"a", "1"}}), (Labels{{"a", "1"}, {"kubernetes.io/metadata.name", "x"}}));
  // The API server's value wins over anything the snapshot claims.
  EXPECT_EQ(EffectiveNamespaceLabels("x", {{"kubernetes.io/metadata.name", "y"}}).at("kubernetes.io/metadata.name"), "x");
}

}  // namespace
}  // namespace romana::policy
