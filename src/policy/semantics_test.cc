// Every semantic point of the policy model, each checked twice: by the reference evaluator and
// by the compiled per-node plans (interpreted as the nftables table behaves).
#include <string>

#include "gtest/gtest.h"
#include "policy/testing/world.h"

namespace romana::policy {
namespace {

constexpr Protocol kTcp = Protocol::kTcp;
constexpr Protocol kUdp = Protocol::kUdp;
constexpr Protocol kSctp = Protocol::kSctp;
constexpr Protocol kIcmp = Protocol::kIcmp;

// Namespaces x, y, z (label ns=<name>); pods a, b, c in each (label pod=<name>), 10.1.<n>.<p>.
// x's pods run on node1, y's on node2, z/a on node1 and z/b, z/c on node3. Every pod serves the
// named ports serve-80-tcp (80), serve-81-udp (81), serve-80-sctp (80); each pod's "http" is a
// different number: x/a 8080, x/b 8081, x/c 8082, y/a 8090, ...
class SemanticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* names[] = {"x", "y", "z"};
    for (int n = 0; n < 3; ++n) {
      w.AddNamespace(names[n], {{"ns", names[n]}});
      for (int p = 0; p < 3; ++p) {
        const std::string pod(1, static_cast<char>('a' + p));
        std::string node = n == 0 ? "node1" : n == 1 ? "node2" : (p == 0 ? "node1" : "node3");
        w.AddPod(names[n], pod, node, "10.1." + std::to_string(n) + "." + std::to_string(p + 1), {{"pod", pod}},
                 {{"serve-80-tcp", kTcp, 80},
                  {"serve-81-udp", kUdp, 81},
                  {"serve-80-sctp", kSctp, 80},
                  {"http", kTcp, static_cast<uint16_t>(8080 + 10 * n + p)}});
      }
    }
  }

  // A NetworkPolicy in `ns` with the given spec (JSON text).
  void Np(const std::string& ns, const std::string& name, const std::string& spec) {
    w.AddNetworkPolicy(R"({"metadata": {"name": ")" + name + R"(", "namespace": ")" + ns + R"("}, "spec": )" + spec +
                       "}");
  }

  World w;
};

TEST_F(SemanticsTest, WithoutPoliciesEverythingIsAllowed) {
  w.Expect("x/a", "y/b", kTcp, 80, true);
  w.Expect("8.8.8.8", "x/a", kUdp, 53, true);
  w.Expect("x/a", "8.8.8.8", kIcmp, 0, true);
  EXPECT_FALSE(w.Plan("node1").pods.at(0).ingress_isolated);
  EXPECT_TRUE(w.Plan("node1").chains.empty());
}

TEST_F(SemanticsTest, DefaultDenyIngressIsolatesOnlyIngressOfTheSelectedPods) {
  Np("x", "deny", R"({"podSelector": {}, "policyTypes": ["Ingress"]})");
  w.Expect("y/a", "x/a", kTcp, 80, false);
  w.Expect("x/b", "x/a", kTcp, 80, false);
  w.Expect("8.8.8.8", "x/c", kTcp, 80, false);
  w.Expect("x/a", "y/a", kTcp, 80, true);  // egress untouched
  w.Expect("y/a", "z/a", kTcp, 80, true);  // other namespaces untouched
}

TEST_F(SemanticsTest, PodSelectorIsolatesOnlyMatchingPods) {
  Np("x", "deny-a", R"({"podSelector": {"matchLabels": {"pod": "a"}}})");
  w.Expect("y/a", "x/a", kTcp, 80, false);
  w.Expect("y/a", "x/b", kTcp, 80, true);
}

TEST_F(SemanticsTest, BarePodSelectorPeerMeansThePolicysNamespace) {
  Np("x", "allow-b", R"({"podSelector": {"matchLabels": {"pod": "a"}}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"pod": "b"}}}]}]})");
  w.Expect("x/b", "x/a", kTcp, 80, true);
  w.Expect("y/b", "x/a", kTcp, 80, false);
  w.Expect("x/c", "x/a", kTcp, 80, false);
}

TEST_F(SemanticsTest, BareNamespaceSelectorMeansEveryPodOfMatchingNamespaces) {
  Np("x", "from-y", R"({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]}]})");
  w.Expect("y/a", "x/a", kTcp, 80, true);
  w.Expect("y/c", "x/b", kUdp, 81, true);
  w.Expect("x/b", "x/a", kTcp, 80, false);  // own namespace not included
  w.Expect("z/a", "x/a", kTcp, 80, false);
}

TEST_F(SemanticsTest, EmptyNamespaceSelectorMeansEveryNamespaceButOnlyPods) {
  Np("x", "from-all-ns", R"({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}}]}]})");
  w.Expect("z/c", "x/a", kTcp, 80, true);
  w.Expect("x/b", "x/a", kTcp, 80, true);
  w.Expect("8.8.8.8", "x/a", kTcp, 80, false);  // not a pod
}

TEST_F(SemanticsTest, PodAndNamespaceSelectorInOnePeerAreAnded) {
  Np("x", "and", R"({"podSelector": {}, "ingress": [{"from": [
      {"namespaceSelector": {"matchLabels": {"ns": "y"}}, "podSelector": {"matchLabels": {"pod": "b"}}}]}]})");
  w.Expect("y/b", "x/a", kTcp, 80, true);
  w.Expect("y/a", "x/a", kTcp, 80, false);
  w.Expect("x/b", "x/a", kTcp, 80, false);
  w.Expect("z/b", "x/a", kTcp, 80, false);
}

TEST_F(SemanticsTest, SeparatePeersAreOred) {
  Np("x", "or", R"({"podSelector": {}, "ingress": [{"from": [
      {"namespaceSelector": {"matchLabels": {"ns": "y"}}}, {"podSelector": {"matchLabels": {"pod": "b"}}}]}]})");
  w.Expect("y/a", "x/a", kTcp, 80, true);
  w.Expect("x/b", "x/a", kTcp, 80, true);
  w.Expect("x/c", "x/a", kTcp, 80, false);
  w.Expect("z/b", "x/a", kTcp, 80, false);
}

TEST_F(SemanticsTest, EmptyRuleAllowsEveryPeerPortAndProtocol) {
  Np("x", "allow-all", R"({"podSelector": {}, "ingress": [{}]})");
  w.Expect("8.8.8.8", "x/a", kTcp, 80, true);
  w.Expect("z/c", "x/a", kSctp, 9, true);
  w.Expect("z/c", "x/a", kIcmp, 0, true);
}

TEST_F(SemanticsTest, PortsOnlyRuleAllowsEveryPeerOnThosePorts) {
  Np("x", "ports-only", R"({"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}]})");
  w.Expect("8.8.8.8", "x/a", kTcp, 80, true);
  w.Expect("y/a", "x/a", kTcp, 81, false);
  w.Expect("y/a", "x/a", kUdp, 80, false);  // TCP by default
}

TEST_F(SemanticsTest, MatchExpressionsOnTheImplicitNamespaceNameLabel) {
  Np("x", "not-y", R"({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchExpressions": [
      {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["y"]}]}}]}]})");
  w.Expect("y/a", "x/a", kTcp, 80, false);
  w.Expect("z/a", "x/a", kTcp, 80, true);
  w.Expect("x/b", "x/a", kTcp, 80, true);
}

TEST_F(SemanticsTest, PodMatchExpressions) {
  Np("x", "in", R"({"podSelector": {"matchExpressions": [{"key": "pod", "operator": "In", "values": ["a", "b"]}]},
      "ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "pod", "operator": "DoesNotExist"}]}}]}]})");
  w.Expect("x/c", "x/a", kTcp, 80, false);  // every pod has "pod"
  w.Expect("x/a", "x/c", kTcp, 80, true);   // x/c not selected
  w.AddPod("x", "unlabelled", "node2", "10.1.0.99");
  w.Expect("x/unlabelled", "x/b", kTcp, 80, true);
}

TEST_F(SemanticsTest, IpBlockWithExcept) {
  Np("x", "block", R"({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.1.0/24", "10.9.0.0/16"]}}]}]})");
  w.Expect("10.200.0.1", "x/a", kTcp, 80, true);
  w.Expect("10.9.3.4", "x/a", kTcp, 80, false);
  w.Expect("11.0.0.1", "x/a", kTcp, 80, false);
  w.Expect("z/a", "x/a", kTcp, 80, true);   // pod IPs inside the block match
  w.Expect("y/a", "x/a", kTcp, 80, false);  // 10.1.1.1 is excepted
}

TEST_F(SemanticsTest, EgressIpBlock) {
  Np("x", "egress-block", R"({"podSelector": {"matchLabels": {"pod": "a"}}, "policyTypes": ["Egress"],
      "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.1.2.0/24"]}}]}]})");
  w.Expect("x/a", "8.8.8.8", kUdp, 53, true);
  w.Expect("x/a", "y/a", kTcp, 80, true);
  w.Expect("x/a", "z/b", kTcp, 80, false);
  w.Expect("x/b", "z/b", kTcp, 80, true);
}

TEST_F(SemanticsTest, NumericPortsAndEndPortRanges) {
  Np("x", "ranges", R"({"podSelector": {}, "ingress": [{"ports": [{"port": 80}, {"port": 8000, "endPort": 8010}, {"protocol": "UDP", "port": 53}]}]})");
  w.Expect("y/a", "x/a", kTcp, 80, true);
  w.Expect("y/a", "x/a", kTcp, 8000, true);
  w.Expect("y/a", "x/a", kTcp, 8010, true);
  w.Expect("y/a", "x/a", kTcp, 8011, false);
  w.Expect("y/a", "x/a", kTcp, 7999, false);
  w.Expect("y/a", "x/a", kUdp, 53, true);
  w.Expect("y/a", "x/a", kTcp, 53, false);
  w.Expect("y/a", "x/a", kIcmp, 0, false);
}

TEST_F(SemanticsTest, ProtocolWithoutPortMeansEveryPortOfThatProtocol) {
  Np("x", "tcp", R"({"podSelector": {}, "ingress": [{"ports": [{"protocol": "TCP"}]}]})");
  w.Expect("y/a", "x/a", kTcp, 1, true);
  w.Expect("y/a", "x/a", kTcp, 65535, true);
  w.Expect("y/a", "x/a", kUdp, 80, false);
}

TEST_F(SemanticsTest, SctpOnlyRulesStillIsolateTcpAndUdp) {
  Np("x", "sctp", R"({"podSelector": {}, "ingress": [{"ports": [{"protocol": "SCTP", "port": 80}]}]})");
  w.Expect("y/a", "x/a", kSctp, 80, true);
  w.Expect("y/a", "x/a", kTcp, 80, false);
  w.Expect("y/a", "x/a", kUdp, 80, false);
}

TEST_F(SemanticsTest, IngressNamedPortResolvesOnEachSelectedPod) {
  Np("x", "http", R"({"podSelector": {}, "ingress": [{"ports": [{"port": "http"}]}]})");
  w.Expect("y/a", "x/a", kTcp, 8080, true);
  w.Expect("y/a", "x/b", kTcp, 8081, true);
  w.Expect("y/a", "x/a", kTcp, 8081, false);  // x/b's number, not x/a's
  w.Expect("y/a", "x/b", kTcp, 8080, false);
  w.Expect("y/a", "x/c", kUdp, 8082, false);  // the name is TCP
}

TEST_F(SemanticsTest, NamedPortWithProtocolMustMatchTheContainerPortProtocol) {
  Np("x", "udp-name", R"({"podSelector": {}, "ingress": [{"ports": [{"protocol": "UDP", "port": "serve-81-udp"}, {"port": "serve-81-udp"}]}]})");
  w.Expect("y/a", "x/a", kUdp, 81, true);
  w.Expect("y/a", "x/a", kTcp, 81, false);  // TCP "serve-81-udp" exists on no pod
}

TEST_F(SemanticsTest, EgressNamedPortResolvesOnEachDestinationPod) {
  Np("x", "egress-http", R"({"podSelector": {"matchLabels": {"pod": "a"}}, "policyTypes": ["Egress"],
      "egress": [{"to": [{"namespaceSelector": {}}], "ports": [{"port": "http"}]}]})");
  w.Expect("x/a", "y/a", kTcp, 8090, true);
  w.Expect("x/a", "y/b", kTcp, 8091, true);
  w.Expect("x/a", "y/b", kTcp, 8090, false);
  w.Expect("x/a", "z/c", kTcp, 8102, true);
  w.Expect("x/a", "8.8.8.8", kTcp, 8090, false);
}

TEST_F(SemanticsTest, EgressNamedPortWithoutPeersResolvesOnEveryPodOnly) {
  Np("x", "egress-http", R"({"podSelector": {"matchLabels": {"pod": "a"}}, "egress": [{"ports": [{"port": "http"}]}]})");
  w.Expect("x/a", "y/c", kTcp, 8092, true);
  w.Expect("x/a", "y/c", kTcp, 8091, false);
  w.Expect("x/a", "8.8.8.8", kTcp, 8092, false);  // not a pod: a named port cannot resolve
}

TEST_F(SemanticsTest, EgressNamedPortWithIpBlockPeerResolvesOnPodsInsideTheBlock) {
  Np("x", "egress-http", R"({"podSelector": {"matchLabels": {"pod": "a"}}, "egress": [
      {"to": [{"ipBlock": {"cidr": "10.1.1.0/24", "except": ["10.1.1.3/32"]}}], "ports": [{"port": "http"}]}]})");
  w.Expect("x/a", "y/a", kTcp, 8090, true);
  w.Expect("x/a", "y/c", kTcp, 8092, false);  // excepted
  w.Expect("x/a", "z/a", kTcp, 8100, false);  // outside the block
  w.Expect("x/a", "10.1.1.200", kTcp, 8090, false);
}

TEST_F(SemanticsTest, PolicyTypesDefaultingAddsEgressWhenEgressRulesExist) {
  Np("x", "egress-rules", R"({"podSelector": {"matchLabels": {"pod": "a"}}, "egress": [{"to": [{"podSelector": {}}]}]})");
  w.Expect("x/a", "x/b", kTcp, 80, true);
  w.Expect("x/a", "y/b", kTcp, 80, false);  // egress isolated
  w.Expect("y/b", "x/a", kTcp, 80, false);  // and ingress too (Ingress always defaulted, no rules)
}

TEST_F(SemanticsTest, EgressOnlyPolicyLeavesIngressAlone) {
  Np("x", "egress-deny", R"({"podSelector": {}, "policyTypes": ["Egress"]})");
  w.Expect("x/a", "y/a", kTcp, 80, false);
  w.Expect("x/a", "8.8.8.8", kUdp, 53, false);
  w.Expect("y/a", "x/a", kTcp, 80, true);
}

TEST_F(SemanticsTest, IngressRulesAreIgnoredWhenPolicyTypesOmitsIngress) {
  Np("x", "egress-only", R"({"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{"from": [{"podSelector": {}}]}], "egress": [{}]})");
  w.Expect("y/a", "x/a", kTcp, 80, true);
  w.Expect("x/a", "y/a", kTcp, 80, true);
}

TEST_F(SemanticsTest, BothSidesMustAllow) {
  Np("x", "egress-to-y", R"({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]}]})");
  Np("y", "ingress-from-z", R"({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "z"}}}]}]})");
  w.Expect("x/a", "y/a", kTcp, 80, false);  // egress ok, ingress not
  w.Expect("z/a", "y/a", kTcp, 80, true);
  w.Expect("x/a", "z/a", kTcp, 80, false);  // ingress ok (z open), egress not
}

TEST_F(SemanticsTest, AllowedTrafficIsTheUnionOfAllPolicies) {
  Np("x", "deny", R"({"podSelector": {}})");
  Np("x", "from-y-a", R"({"podSelector": {"matchLabels": {"pod": "a"}}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}, "podSelector": {"matchLabels": {"pod": "a"}}}]}]})");
  Np("x", "from-z", R"({"podSelector": {"matchLabels": {"pod": "a"}}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "z"}}}], "ports": [{"port": 80}]}]})");
  w.Expect("y/a", "x/a", kTcp, 80, true);
  w.Expect("z/c", "x/a", kTcp, 80, true);
  w.Expect("z/c", "x/a", kTcp, 81, false);
  w.Expect("y/b", "x/a", kTcp, 80, false);
  w.Expect("y/a", "x/b", kTcp, 80, false);  // x/b only has the deny policy
  const NodePlan& plan = w.Plan("node1");
  const LocalPod& xa = plan.pods.at(0);
  ASSERT_EQ(xa.name, "a");
  EXPECT_EQ(xa.ingress_chains.size(), 2u);  // the deny policy has no rules and no chain
}

TEST_F(SemanticsTest, APodAlwaysReachesItselfAndItsHost) {
  Np("x", "deny-both", R"({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})");
  w.Expect("x/a", "x/a", kTcp, 80, true);
  w.Expect("host:node1@192.168.0.1", "x/a", kTcp, 80, true);  // kubelet probes
  w.Expect("x/a", "host:node1@192.168.0.1", kTcp, 10250, true);
  w.Expect("host:node2@192.168.0.2", "x/a", kTcp, 80, false);  // another node's host is just an address
  w.Expect("x/a", "x/b", kTcp, 80, false);
}

TEST_F(SemanticsTest, NamespaceIsolationAnnotationIsolatesIngressOfEveryPod) {
  w.cluster.namespaces[0].isolated = true;  // x
  w.Expect("y/a", "x/a", kTcp, 80, false);
  w.Expect("x/b", "x/a", kTcp, 80, false);
  w.Expect("x/a", "y/a", kTcp, 80, true);  // egress untouched
  Np("x", "from-y", R"({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]}]})");
  w.Expect("y/a", "x/a", kTcp, 80, true);  // union with policies
  w.Expect("z/a", "x/a", kTcp, 80, false);
}

// --- Native Romana policies ---

TEST_F(SemanticsTest, RomanaTenantAndSegmentMapToNamespaceAndSegmentLabel) {
  w.AddPod("x", "backend", "node1", "10.1.0.10", {{"romana.io/segment", "backend"}}, {});
  w.AddPod("x", "frontend", "node2", "10.1.0.11", {{"romana.io/segment", "frontend"}}, {});
  w.AddPod("y", "frontend", "node2", "10.1.1.11", {{"romana.io/segment", "frontend"}}, {});
  w.AddRomanaPolicy(R"({"id": "demo", "direction": "ingress",
      "applied_to": [{"tenant_id": "x", "segment_id": "backend"}],
      "ingress": [{"peers": [{"tenant_id": "x", "segment_id": "frontend"}], "rules": [{"protocol": "tcp", "ports": [80]}]}]})");
  w.Expect("x/frontend", "x/backend", kTcp, 80, true);
  w.Expect("x/frontend", "x/backend", kTcp, 81, false);
  w.Expect("y/frontend", "x/backend", kTcp, 80, false);  // other tenant
  w.Expect("x/a", "x/backend", kTcp, 80, false);         // no segment label
  w.Expect("y/a", "x/a", kTcp, 80, true);                // x/a not targeted
}

TEST_F(SemanticsTest, RomanaPeersAndRules) {
  w.AddRomanaPolicy(R"({"id": "p", "direction": "ingress", "applied_to": [{"tenant_id": "x"}],
      "ingress": [{"peers": [{"cidr": "192.168.0.0/16"}, {"tenant_id": "z"}],
                   "rules": [{"protocol": "udp", "port_ranges": [[5000, 5010]]}, {"protocol": "ICMP"}, {"protocol": "tcp"}]}]})");
  w.Expect("192.168.3.4", "x/a", kUdp, 5005, true);
  w.Expect("192.168.3.4", "x/a", kUdp, 5011, false);
  w.Expect("z/b", "x/a", kIcmp, 0, true);
  w.Expect("z/b", "x/a", kTcp, 12345, true);  // tcp without ports: every TCP port
  w.Expect("z/b", "x/a", kSctp, 80, false);
  w.Expect("y/b", "x/a", kTcp, 80, false);
  w.Expect("10.0.0.1", "x/a", kUdp, 5005, false);
}

TEST_F(SemanticsTest, RomanaPeerAnyAndProtocolAny) {
  w.AddRomanaPolicy(R"({"id": "open", "direction": "ingress", "applied_to": [{"tenant_id": "x"}],
      "ingress": [{"peers": [{"peer": "any"}, {"tenant_id": "y"}], "rules": [{"protocol": "tcp", "ports": [80]}]},
                  {"peers": [{"tenant_id": "z"}], "rules": [{"protocol": "any"}]}]})");
  w.Expect("8.8.8.8", "x/a", kTcp, 80, true);
  w.Expect("8.8.8.8", "x/a", kTcp, 81, false);
  w.Expect("z/a", "x/a", kSctp, 1, true);
}

TEST_F(SemanticsTest, RomanaEgressPolicyIsAnAllowList) {
  w.AddRomanaPolicy(R"({"id": "out", "direction": "egress", "applied_to": [{"tenant_id": "x"}],
      "ingress": [{"peers": [{"cidr": "10.1.1.0/24"}], "rules": [{"protocol": "tcp", "ports": [80]}]}]})");
  w.Expect("x/a", "y/a", kTcp, 80, true);
  w.Expect("x/a", "y/a", kTcp, 81, false);
  w.Expect("x/a", "z/a", kTcp, 80, false);
  w.Expect("y/a", "x/a", kTcp, 81, true);  // ingress untouched
}

TEST_F(SemanticsTest, RomanaHostTargetSelectsNoPod) {
  w.AddRomanaPolicy(R"({"id": "dhcp", "direction": "ingress", "applied_to": [{"dest": "host"}],
      "ingress": [{"peers": [{"peer": "local"}], "rules": [{"protocol": "udp", "ports": [67]}]}]})");
  w.Expect("y/a", "x/a", kTcp, 80, true);
  EXPECT_TRUE(w.Plan("node1").chains.empty());
  EXPECT_TRUE(w.Plan("node1").errors.empty());
}

TEST_F(SemanticsTest, AnInvalidPolicyIsSkippedAndReportedAndBlocksNothingElse) {
  w.AddRomanaPolicy(R"({"id": "bad", "direction": "sideways", "applied_to": [{"tenant_id": "x"}],
      "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "any"}]}]})");
  Np("y", "deny", R"({"podSelector": {}})");
  w.Expect("x/a", "y/a", kTcp, 80, false);  // the good policy is enforced
  w.Expect("y/a", "x/a", kTcp, 80, true);   // the bad one isolates nothing
  const NodePlan& plan = w.Plan("node1");
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].policy_id, "romana:bad");
  EXPECT_NE(plan.errors[0].message.find("direction"), std::string::npos) << plan.errors[0].message;
}

TEST_F(SemanticsTest, ARepeatedIdIsEnforcedOnceAndReported) {
  Np("x", "same", R"({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]}]})");
  Np("x", "same", R"({"podSelector": {}})");
  w.Expect("y/a", "x/a", kTcp, 80, true);
  ASSERT_EQ(w.Plan("node1").errors.size(), 1u);
  EXPECT_EQ(w.Plan("node1").errors[0].policy_id, "networkpolicy:x/same");
}

}  // namespace
}  // namespace romana::policy
