#include "policy/network_policy.h"

#include <functional>
#include <string>
#include <vector>

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::policy {
namespace {

using nlohmann::json;

// A policy that uses every feature once.
json Good() {
  return json::parse(R"({
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "allow-web", "namespace": "x", "uid": "3a2c", "resourceVersion": "7",
                 "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"team": "a"},
                 "annotations": {"note": "anything at all"}, "generation": 2},
    "spec": {
      "podSelector": {"matchLabels": {"pod": "a"}},
      "policyTypes": ["Ingress", "Egress"],
      "ingress": [{
        "from": [{"podSelector": {"matchLabels": {"pod": "b"}}},
                 {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
                 {"namespaceSelector": {"matchExpressions": [{"key": "ns", "operator": "In", "values": ["y"]}]},
                  "podSelector": {}}],
        "ports": [{"port": 80}, {"protocol": "UDP", "port": "serve-81-udp"},
                  {"protocol": "TCP", "port": 8000, "endPort": 8080}, {"protocol": "SCTP"}]}],
      "egress": [{"to": [{"namespaceSelector": {}}], "ports": [{"port": 53, "protocol": "UDP"}]}, {}]
    }})");
}

// Returns `Good()` with `patch` applied (a JSON merge patch; null deletes a key).
json Patched(const char* patch) {
  json j = Good();
  j.merge_patch(json::parse(patch));
  return j;
}

std::string FieldOfError(const json& j) {
  absl::Status s = ValidateNetworkPolicy(j);
  if (s.ok()) return "OK";
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  return api::FieldOf(s).value_or("<none: " + std::string(s.message()) + ">");
}

TEST(NetworkPolicyTest, GoodPolicyDecodes) {
  absl::StatusOr<NetworkPolicy> p = ParseNetworkPolicy(Good());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "allow-web");
  EXPECT_EQ(p->namespace_name, "x");
  EXPECT_EQ(p->pod_selector.match_labels, (Labels{{"pod", "a"}}));
  EXPECT_TRUE(p->affects_ingress);
  EXPECT_TRUE(p->affects_egress);
  ASSERT_EQ(p->ingress.size(), 1u);
  const NetworkPolicyRule& in = p->ingress[0];
  ASSERT_EQ(in.peers.size(), 3u);
  EXPECT_TRUE(in.peers[0].pod_selector.has_value());
  EXPECT_FALSE(in.peers[0].namespace_selector.has_value());
  ASSERT_TRUE(in.peers[1].ip_block.has_value());
  EXPECT_EQ(in.peers[1].ip_block->cidr.ToString(), "10.0.0.0/8");
  EXPECT_EQ(in.peers[1].ip_block->except.at(0).ToString(), "10.1.0.0/16");
  EXPECT_TRUE(in.peers[2].namespace_selector.has_value());
  EXPECT_TRUE(in.peers[2].pod_selector->empty());
  ASSERT_EQ(in.ports.size(), 4u);
  EXPECT_EQ(in.ports[0], (NetworkPolicyPort{Protocol::kTcp, 80, "", 0}));  // TCP by default
  EXPECT_EQ(in.ports[1], (NetworkPolicyPort{Protocol::kUdp, 0, "serve-81-udp", 0}));
  EXPECT_EQ(in.ports[2], (NetworkPolicyPort{Protocol::kTcp, 8000, "", 8080}));
  EXPECT_EQ(in.ports[3], (NetworkPolicyPort{Protocol::kSctp, 0, "", 0}));
  ASSERT_EQ(p->egress.size(), 2u);
  EXPECT_TRUE(p->egress[0].peers[0].namespace_selector->empty());
  EXPECT_EQ(p->egress[1], NetworkPolicyRule{});  // {} = everything
}

TEST(NetworkPolicyTest, MinimalPolicyIsDefaultDenyIngressForTheNamespace) {
  absl::StatusOr<NetworkPolicy> p =
      ParseNetworkPolicy(json::parse(R"({"metadata": {"name": "deny", "namespace": "x"}, "spec": {"podSelector": {}}})"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->pod_selector.empty());
  EXPECT_TRUE(p->affects_ingress);
  EXPECT_FALSE(p->affects_egress);
  EXPECT_TRUE(p->ingress.empty());
  // A missing spec (and podSelector) means the same.
  EXPECT_EQ(*ParseNetworkPolicy(json::parse(R"({"metadata": {"name": "deny", "namespace": "x"}})")), *p);
}

TEST(NetworkPolicyTest, PolicyTypesDefaulting) {
  struct Case {
    const char* spec;
    bool ingress, egress;
  };
  const std::vector<Case> cases = {
      {R"({})", true, false},
      {R"({"policyTypes": []})", true, false},
      {R"({"egress": []})", true, false},
      {R"({"egress": [{}]})", true, true},  // non-empty egress adds Egress
      {R"({"ingress": [{}], "egress": [{"to": [{"ipBlock": {"cidr": "1.0.0.0/8"}}]}]})", true, true},
      {R"({"policyTypes": ["Egress"]})", false, true},
      {R"({"policyTypes": ["Egress"], "ingress": [{}]})", false, true},  // explicit list wins
      {R"({"policyTypes": ["Ingress"], "egress": [{}]})", true, false},
      {R"({"policyTypes": ["Egress", "Ingress"]})", true, true},
      {R"({"policyTypes": ["Ingress", "Ingress"]})", true, false},  // duplicates: allowed, like the API server
  };
  for (const Case& c : cases) {
    json j = {{"metadata", {{"name", "p"}, {"namespace", "x"}}}, {"spec", json::parse(c.spec)}};
    absl::StatusOr<NetworkPolicy> p = ParseNetworkPolicy(j);
    ASSERT_TRUE(p.ok()) << c.spec << ": " << p.status();
    EXPECT_EQ(p->affects_ingress, c.ingress) << c.spec;
    EXPECT_EQ(p->affects_egress, c.egress) << c.spec;
  }
}

struct ValidationCase {
  const char* patch;  // merge patch on Good()
  const char* field;  // the field the error names, or "OK"
};

TEST(NetworkPolicyTest, EveryRuleFailsWithItsFieldAndPassesWhenFixed) {
  const std::vector<ValidationCase> cases = {
      // Top level.
      {R"({"apiVersion": null, "kind": null})", "OK"},
      {R"({"apiVersion": "extensions/v1beta1"})", "apiVersion"},
      {R"({"apiVersion": "networking.k8s.io/v1beta1"})", "apiVersion"},
      {R"({"kind": "Pod"})", "kind"},
      {R"({"status": {}})", "status"},
      {R"({"spec": null})", "OK"},
      {R"({"spec": []})", "spec"},
      // Metadata.
      {R"({"metadata": null})", "metadata"},
      {R"({"metadata": {"name": null}})", "metadata.name"},
      {R"({"metadata": {"name": "Allow"}})", "metadata.name"},
      {R"({"metadata": {"name": "allow.web-1"}})", "OK"},
      {R"({"metadata": {"name": 7}})", "metadata.name"},
      {R"({"metadata": {"namespace": null}})", "metadata.namespace"},
      {R"({"metadata": {"namespace": "a.b"}})", "metadata.namespace"},
      {R"({"metadata": {"labels": {"a b": "c"}}})", "metadata.labels"},
      {R"({"metadata": {"labels": {"team": "a b"}}})", "metadata.labels.team"},
      {R"({"metadata": {"annotations": {"x": 1}}})", "metadata.annotations.x"},
      {R"({"metadata": {"finalizers": ["x"], "managedFields": [], "ownerReferences": [], "generateName": "a-"}})", "OK"},
      {R"({"metadata": {"colour": "red"}})", "metadata.colour"},
      // Spec: unknown fields and types.
      {R"({"spec": {"podselector": {}}})", "spec.podselector"},
      {R"({"spec": {"podSelector": {"matchLabels": {"pod": "a b"}}}})", "spec.podSelector.matchLabels.pod"},
      {R"({"spec": {"podSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}})",
       "spec.podSelector.matchExpressions[0].values"},
      {R"({"spec": {"ingress": {}}})", "spec.ingress"},
      {R"({"spec": {"egress": [{"from": []}]}})", "spec.egress[0].from"},
      {R"({"spec": {"ingress": [{"to": []}]}})", "spec.ingress[0].to"},
      // policyTypes.
      {R"({"spec": {"policyTypes": ["ingress"]}})", "spec.policyTypes[0]"},
      {R"({"spec": {"policyTypes": ["Ingress", "Both"]}})", "spec.policyTypes[1]"},
      {R"({"spec": {"policyTypes": ["Ingress", "Egress", "Ingress"]}})", "spec.policyTypes"},
      {R"({"spec": {"policyTypes": "Ingress"}})", "spec.policyTypes"},
      // Ports.
      {R"({"spec": {"egress": [{"ports": [{"protocol": "ICMP"}]}]}})", "spec.egress[0].ports[0].protocol"},
      {R"({"spec": {"egress": [{"ports": [{"protocol": "tcp"}]}]}})", "spec.egress[0].ports[0].protocol"},
      {R"({"spec": {"egress": [{"ports": [{"protocol": 6}]}]}})", "spec.egress[0].ports[0].protocol"},
      {R"({"spec": {"egress": [{"ports": [{"port": 0}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": 65536}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": 65535}, {"port": 1}]}]}})", "OK"},
      {R"({"spec": {"egress": [{"ports": [{"port": -1}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": 1.5}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": "80"}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": "Http"}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": "a-very-long-name"}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": "my--port"}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": "-http"}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": "http-"}]}]}})", "spec.egress[0].ports[0].port"},
      {R"({"spec": {"egress": [{"ports": [{"port": "http-2"}]}]}})", "OK"},
      {R"({"spec": {"egress": [{"ports": [{"port": 80, "endPort": 79}]}]}})", "spec.egress[0].ports[0].endPort"},
      {R"({"spec": {"egress": [{"ports": [{"port": 80, "endPort": 80}]}]}})", "OK"},
      {R"({"spec": {"egress": [{"ports": [{"port": 80, "endPort": 65536}]}]}})", "spec.egress[0].ports[0].endPort"},
      {R"({"spec": {"egress": [{"ports": [{"port": "http", "endPort": 90}]}]}})", "spec.egress[0].ports[0].endPort"},
      {R"({"spec": {"egress": [{"ports": [{"endPort": 90}]}]}})", "spec.egress[0].ports[0].endPort"},
      {R"({"spec": {"egress": [{"ports": [{"port": 80, "endport": 90}]}]}})", "spec.egress[0].ports[0].endport"},
      // Peers.
      {R"({"spec": {"ingress": [{"from": [{}]}]}})", "spec.ingress[0].from[0]"},
      {R"({"spec": {"ingress": [{"from": [{"podSelector": {}}, {"ipBlock": {"cidr": "1.0.0.0/8"}, "podSelector": {}}]}]}})",
       "spec.ingress[0].from[1]"},
      {R"({"spec": {"ingress": [{"from": [{"ipBlock": {"cidr": "1.0.0.0/8"}, "namespaceSelector": {}}]}]}})",
       "spec.ingress[0].from[0]"},
      {R"({"spec": {"ingress": [{"from": [{"podSelector": {}, "namespaceSelector": {}}]}]}})", "OK"},
      {R"({"spec": {"ingress": [{"from": [{"podSelector": {}, "serviceAccount": "x"}]}]}})",
       "spec.ingress[0].from[0].serviceAccount"},
      {R"({"spec": {"ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"-x": "y"}}}]}]}})",
       "spec.ingress[0].from[0].namespaceSelector.matchLabels"},
      {R"({"spec": {"egress": [{"to": [{"podSelector": {"matchExpressions": [{"key": "k", "operator": "Exists", "values": ["v"]}]}}]}]}})",
       "spec.egress[0].to[0].podSelector.matchExpressions[0].values"},
      // ipBlock.
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {}}]}]}})", "spec.egress[0].to[0].ipBlock.cidr"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}]}})", "spec.egress[0].to[0].ipBlock.cidr"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0"}}]}]}})", "spec.egress[0].to[0].ipBlock.cidr"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "fd00::/8"}}]}]}})", "spec.egress[0].to[0].ipBlock.cidr"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "fd00::/8"]}}]}]}})",
       "spec.egress[0].to[0].ipBlock.except[1]"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}}]}]}})",
       "spec.egress[0].to[0].ipBlock.except[0]"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/8"]}}]}]}})",
       "spec.egress[0].to[0].ipBlock.except[0]"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}}]}]}})",
       "spec.egress[0].to[0].ipBlock.except[0]"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.1/16"]}}]}]}})",
       "spec.egress[0].to[0].ipBlock.except[0]"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": [7]}}]}]}})",
       "spec.egress[0].to[0].ipBlock.except[0]"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/9", "10.255.255.255/32"]}}]}]}})",
       "OK"},
      {R"({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "exclude": []}}]}]}})",
       "spec.egress[0].to[0].ipBlock.exclude"},
  };
  for (const ValidationCase& c : cases) {
    EXPECT_EQ(FieldOfError(Patched(c.patch)), c.field) << c.patch;
  }
}

TEST(NetworkPolicyTest, ErrorsNameTheDeepestPath) {
  json j = Good();
  j["spec"]["ingress"][0]["from"][1]["ipBlock"]["except"][0] = "192.168.0.0/16";
  absl::Status s = ValidateNetworkPolicy(j);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(api::FieldOf(s), "spec.ingress[0].from[1].ipBlock.except[0]");
  EXPECT_EQ(s.message().rfind("spec.ingress[0].from[1].ipBlock.except[0]: ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("strict subset"), absl::string_view::npos) << s.message();
}

TEST(NetworkPolicyTest, NonObjectBodyIsRejected) {
  EXPECT_FALSE(ValidateNetworkPolicy(json::array()).ok());
  EXPECT_FALSE(ValidateNetworkPolicy(json("x")).ok());
}

}  // namespace
}  // namespace romana::policy
