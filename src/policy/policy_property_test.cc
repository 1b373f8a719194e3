// The compiler against the reference evaluator on random clusters and policies: for every
// ordered pair of ends (pods, outside addresses, node hosts) and a spread of protocols and
// ports, the compiled per-node plans (interpreted as the nftables table behaves) must give the
// reference evaluator's answer. Seeds are fixed, so a failure reproduces; the failing seed,
// pair and policies are printed.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "policy/node_plan_compiler.h"
#include "policy/reference_evaluator.h"
#include "policy/testing/plan_interpreter.h"

namespace romana::policy {
namespace {

constexpr Protocol kProtocols[] = {Protocol::kTcp, Protocol::kUdp, Protocol::kSctp, Protocol::kIcmp};
constexpr uint16_t kPorts[] = {1, 2, 3, 4, 5, 80};
const char* const kNamespaces[] = {"n0", "n1", "n2", "n3"};
const char* const kKeys[] = {"k1", "k2", "k3"};
const char* const kValues[] = {"v1", "v2"};
const char* const kPortNames[] = {"http", "dns", "metrics"};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) { return a[Int(0, N - 1)]; }

  Labels RandomLabels() {
    Labels l;
    for (const char* k : kKeys) {
      if (Chance(50)) l[k] = Pick(kValues);
    }
    return l;
  }

  LabelSelector RandomSelector() {
    LabelSelector s;
    if (Chance(30)) return s;  // empty: everything
    if (Chance(60)) s.match_labels[Pick(kKeys)] = Pick(kValues);
    if (Chance(50)) {
      LabelSelectorRequirement r;
      r.key = Pick(kKeys);
      r.op = static_cast<SelectorOperator>(Int(0, 3));
      if (r.op == SelectorOperator::kIn || r.op == SelectorOperator::kNotIn) {
        r.values.push_back(Pick(kValues));
        if (Chance(30)) r.values.push_back(Pick(kValues));
      }
      s.match_expressions.push_back(std::move(r));
    }
    return s;
  }

  // An address in 10.0.0.0/26 (where pods live) or, rarely, outside.
  uint32_t RandomAddress() { return Chance(85) ? 0x0a000000u + Int(0, 63) : 0x0b000000u + Int(0, 3); }

  IpBlock RandomBlock() {
    IpBlock b;
    b.cidr = Chance(20) ? net::Ipv4Cidr() : net::Ipv4Cidr::Containing(net::Ipv4Address(0x0a000000u + Int(0, 63)), Int(24, 28));
    for (int i = Int(0, 2); i > 0; --i) {
      const int len = Int(std::max(b.cidr.length() + 1, 26), 32);
      // Inside the block, and for 0.0.0.0/0 among the pods (10.0.0.0/26).
      const uint32_t inside = b.cidr.length() == 0 ? RandomAddress()
                                                   : b.cidr.first().value() + static_cast<uint32_t>(Int(0, 63) % b.cidr.size());
      b.except.push_back(net::Ipv4Cidr::Containing(net::Ipv4Address(inside), len));
    }
    return b;
  }

  NetworkPolicyPort RandomPort() {
    NetworkPolicyPort p;
    constexpr Protocol kPortProtocols[] = {Protocol::kTcp, Protocol::kUdp, Protocol::kSctp};
    p.protocol = Pick(kPortProtocols);
    const int kind = Int(0, 3);
    if (kind == 1) p.port = Pick(kPorts);
    if (kind == 2) {
      p.port = Int(1, 4);
      p.end_port = p.port + Int(0, 2);
    }
    if (kind == 3) p.named_port = Pick(kPortNames);
    return p;
  }

  NetworkPolicyPeer RandomPeer() {
    NetworkPolicyPeer p;
    const int kind = Int(0, 3);
    if (kind == 0) p.pod_selector = RandomSelector();
    if (kind == 1) p.namespace_selector = RandomSelector();
    if (kind == 2) {
      p.pod_selector = RandomSelector();
      p.namespace_selector = RandomSelector();
    }
    if (kind == 3) p.ip_block = RandomBlock();
    return p;
  }

  std::vector<NetworkPolicyRule> RandomRules() {
    std::vector<NetworkPolicyRule> rules(Int(0, 2));
    for (NetworkPolicyRule& r : rules) {
      for (int i = Chance(30) ? 0 : Int(1, 2); i > 0; --i) r.peers.push_back(RandomPeer());
      for (int i = Chance(30) ? 0 : Int(1, 3); i > 0; --i) r.ports.push_back(RandomPort());
    }
    return rules;
  }

  NetworkPolicy RandomNetworkPolicy(int i) {
    NetworkPolicy p;
    p.namespace_name = Pick(kNamespaces);
    p.name = absl::StrCat("np", i);
    p.pod_selector = RandomSelector();
    p.ingress = RandomRules();
    p.egress = RandomRules();
    const int types = Int(0, 3);  // defaulted, Ingress, Egress, both
    p.affects_ingress = types != 2;
    p.affects_egress = types == 0 ? !p.egress.empty() : types >= 2;
    if (!p.affects_ingress) p.ingress.clear();  // as the decoder leaves it either way
    return p;
  }

  Endpoint RandomNativePeer() {
    Endpoint e;
    const int kind = Int(0, 2);
    if (kind == 0) e.peer = "any";
    if (kind == 1) e.cidr = RandomBlock().cidr.ToString();
    if (kind == 2) {
      e.tenant_id = Pick(kNamespaces);
      if (Chance(50)) e.segment_id = Pick(kValues);
    }
    return e;
  }

  Rule RandomNativeRule() {
    Rule r;
    const char* protocols[] = {"tcp", "udp", "icmp", "any", "TCP"};
    r.protocol = Pick(protocols);
    if (r.protocol == "tcp" || r.protocol == "udp" || r.protocol == "TCP") {
      if (Chance(50)) r.ports.push_back(Pick(kPorts));
      if (Chance(30)) r.port_ranges.push_back({2, 4});
    }
    return r;
  }

  Policy RandomNativePolicy(int i) {
    Policy p;
    p.id = absl::StrCat("rp", i);
    p.direction = Chance(50) ? "ingress" : "egress";
    if (Chance(5)) p.direction = "bogus";  // invalid: skipped by both sides
    for (int n = Int(1, 2); n > 0; --n) {
      Endpoint t;
      t.tenant_id = Pick(kNamespaces);
      if (Chance(50)) t.segment_id = Pick(kValues);
      p.applied_to.push_back(t);
    }
    for (int g = Int(1, 2); g > 0; --g) {
      IngressGroup group;
      for (int n = Int(1, 2); n > 0; --n) group.peers.push_back(RandomNativePeer());
      for (int n = Int(1, 2); n > 0; --n) group.rules.push_back(RandomNativeRule());
      p.ingress.push_back(std::move(group));
    }
    return p;
  }

  Cluster RandomCluster() {
    Cluster c;
    for (const char* ns : kNamespaces) {
      if (Chance(90)) c.namespaces.push_back({ns, RandomLabels(), Chance(15)});
    }
    std::vector<uint32_t> ips;
    for (uint32_t a = 0x0a000000u; a < 0x0a000040u; ++a) ips.push_back(a);
    std::shuffle(ips.begin(), ips.end(), rng_);
    const int pods = Int(4, 14);
    for (int i = 0; i < pods; ++i) {
      Pod p;
      p.namespace_name = Pick(kNamespaces);
      p.name = absl::StrCat("p", i);
      p.ip = ips[i];
      p.node = absl::StrCat("node", Int(1, 3));
      p.labels = RandomLabels();
      if (Chance(50)) p.labels["romana.io/segment"] = Pick(kValues);
      for (const char* name : kPortNames) {
        if (Chance(50)) {
          p.ports.push_back({name, Pick(kProtocols) == Protocol::kUdp ? Protocol::kUdp : Protocol::kTcp,
                             static_cast<uint16_t>(Int(1, 5))});
        }
      }
      c.pods.push_back(std::move(p));
    }
    return c;
  }

  PolicySet RandomPolicies() {
    PolicySet s;
    for (int i = Int(0, 4); i > 0; --i) s.network_policies.push_back(RandomNetworkPolicy(i));
    for (int i = Int(0, 2); i > 0; --i) s.romana_policies.push_back(RandomNativePolicy(i));
    return s;
  }

 private:
  std::mt19937 rng_;
};

std::string DescribeSelector(const LabelSelector& s) { return "{" + CanonicalSelector(s) + "}"; }

// The whole world as text, printed with a failure.
std::string DescribeWorld(const Cluster& cluster, const PolicySet& policies) {
  std::string out;
  for (const Namespace& ns : cluster.namespaces) {
    absl::StrAppend(&out, "namespace ", ns.name, ns.isolated ? " isolated" : "", " labels");
    for (const auto& [k, v] : ns.labels) absl::StrAppend(&out, " ", k, "=", v);
    out += "\n";
  }
  for (const Pod& p : cluster.pods) {
    absl::StrAppend(&out, "pod ", p.namespace_name, "/", p.name, " ", net::Ipv4Address(p.ip).ToString(), " ", p.node, " labels");
    for (const auto& [k, v] : p.labels) absl::StrAppend(&out, " ", k, "=", v);
    for (const NamedPort& np : p.ports) absl::StrAppend(&out, " port ", np.name, "=", ProtocolName(np.protocol), "/", np.port);
    out += "\n";
  }
  auto rules = [&](const char* what, const std::vector<NetworkPolicyRule>& rs) {
    for (const NetworkPolicyRule& r : rs) {
      absl::StrAppend(&out, "  ", what, " rule: peers");
      for (const NetworkPolicyPeer& p : r.peers) {
        out += " [";
        if (p.namespace_selector) absl::StrAppend(&out, "ns", DescribeSelector(*p.namespace_selector), " ");
        if (p.pod_selector) absl::StrAppend(&out, "pod", DescribeSelector(*p.pod_selector), " ");
        if (p.ip_block) {
          absl::StrAppend(&out, "block ", p.ip_block->cidr.ToString());
          for (const net::Ipv4Cidr& e : p.ip_block->except) absl::StrAppend(&out, " except ", e.ToString());
        }
        out += "]";
      }
      out += " ports";
      for (const NetworkPolicyPort& p : r.ports) {
        absl::StrAppend(&out, " ", ProtocolName(p.protocol), "/", p.named_port.empty() ? absl::StrCat(p.port) : p.named_port);
        if (p.end_port != 0) absl::StrAppend(&out, "-", p.end_port);
      }
      out += "\n";
    }
  };
  for (const NetworkPolicy& p : policies.network_policies) {
    absl::StrAppend(&out, "networkpolicy ", p.namespace_name, "/", p.name, " pods", DescribeSelector(p.pod_selector),
                    p.affects_ingress ? " Ingress" : "", p.affects_egress ? " Egress" : "", "\n");
    rules("ingress", p.ingress);
    rules("egress", p.egress);
  }
  for (const Policy& p : policies.romana_policies) absl::StrAppend(&out, "romana ", ToJson(p).dump(), "\n");
  return out;
}

std::string Describe(const TrafficEnd& e) {
  if (!e.pod_name.empty()) return e.namespace_name + "/" + e.pod_name;
  return (e.host_of_node.empty() ? "" : "host:" + e.host_of_node + "@") + net::Ipv4Address(e.address).ToString();
}

TEST(PolicyPropertyTest, CompiledPlansAgreeWithTheReferenceEvaluator) {
  int64_t allowed = 0;
  int64_t denied = 0;
  for (uint32_t seed = 1; seed <= 100; ++seed) {
    Generator gen(seed);
    const Cluster cluster = gen.RandomCluster();
    const PolicySet policies = gen.RandomPolicies();
    const std::map<std::string, NodePlan> plans = CompileAllNodes(cluster, policies);
    for (const auto& [node, plan] : plans) ASSERT_EQ(PlanDefects(plan), "") << "seed " << seed << " node " << node;

    std::vector<TrafficEnd> ends;
    for (const Pod& p : cluster.pods) ends.push_back(TrafficEnd::ForPod(p.namespace_name, p.name));
    ends.push_back(TrafficEnd::ForAddress(0x0a00003fu));  // inside the pod range, not a pod (usually)
    ends.push_back(TrafficEnd::ForAddress(0x0b000001u));  // outside
    ends.push_back(TrafficEnd::ForHost("node1", 0xc0a80001u));
    for (const TrafficEnd& src : ends) {
      for (const TrafficEnd& dst : ends) {
        for (Protocol proto : kProtocols) {
          for (uint16_t port : kPorts) {
            if (proto == Protocol::kIcmp && port != kPorts[0]) continue;
            const bool want = Allowed(cluster, policies, src, dst, proto, port);
            const bool got = PlanAllows(cluster, plans, src, dst, proto, port);
            (want ? allowed : denied)++;
            ASSERT_EQ(got, want) << "seed " << seed << ": " << Describe(src) << " -> " << Describe(dst) << " "
                                 << ProtocolName(proto) << "/" << port << " (reference says "
                                 << (want ? "allowed" : "denied") << ")\n"
                                 << DescribeWorld(cluster, policies);
          }
        }
      }
    }
  }
  // The random worlds must exercise both outcomes substantially, or this test proves little.
  std::printf("questions: %lld allowed, %lld denied\n", static_cast<long long>(allowed), static_cast<long long>(denied));
  EXPECT_GT(denied, allowed / 10);
  EXPECT_GT(allowed, denied / 10);
}

}  // namespace
}  // namespace romana::policy
