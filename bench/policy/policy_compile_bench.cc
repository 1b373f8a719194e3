// policy_compile_bench: how long the pure policy compiler takes for one node's plan, printed as
// a table. No nftables here (the agent's policy_bench measures rendering and applying).
//
//   A realistic mix: N namespaces (label team=<ns>, plus "monitoring"), pods spread over the
//   namespaces with labels app=<one of 5> and tier=<one of 3> and a named port "metrics"
//   (9100 + i % 3, so it differs per pod), policies per namespace in rotation: default deny,
//   allow from the same namespace, allow from the monitoring namespace on the named port, a port
//   list with a range, an ipBlock with except, an egress policy to DNS and the namespace, and
//   app-to-app allows. All pods on one node (the worst case for one node's plan) or spread over
//   --nodes nodes.
//
//   Usage: policy_compile_bench [--pods N] [--policies N] [--namespaces N] [--nodes N] [--runs N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "policy/cluster.h"
#include "policy/node_plan_compiler.h"

namespace romana::policy {
namespace {

using Clock = std::chrono::steady_clock;

NetworkPolicy Make(const std::string& ns, int i) {
  NetworkPolicy p;
  p.namespace_name = ns;
  p.name = absl::StrCat("p", i);
  p.affects_ingress = true;
  const std::string app = absl::StrCat("app", i % 5);
  switch (i % 7) {
    case 0:  // default deny
      break;
    case 1: {  // same namespace
      NetworkPolicyRule r;
      r.peers.push_back({LabelSelector{}, std::nullopt, std::nullopt});
      p.ingress.push_back(r);
      break;
    }
    case 2: {  // from monitoring on the named port
      NetworkPolicyRule r;
      r.peers.push_back({std::nullopt, LabelSelector{{{"team", "monitoring"}}, {}}, std::nullopt});
      r.ports.push_back({Protocol::kTcp, 0, "metrics", 0});
      p.ingress.push_back(r);
      break;
    }
    case 3: {  // a port list for one app
      p.pod_selector.match_labels["app"] = app;
      NetworkPolicyRule r;
      r.ports = {{Protocol::kTcp, 80, "", 0}, {Protocol::kTcp, 443, "", 0}, {Protocol::kTcp, 8000, "", 8100}};
      p.ingress.push_back(r);
      break;
    }
    case 4: {  // ipBlock
      NetworkPolicyRule r;
      IpBlock b{*net::Ipv4Cidr::Parse("10.0.0.0/8"), {*net::Ipv4Cidr::Parse("10.1.0.0/16"), *net::Ipv4Cidr::Parse("10.2.0.0/16")}};
      r.peers.push_back({std::nullopt, std::nullopt, b});
      p.ingress.push_back(r);
      break;
    }
    case 5: {  // egress: DNS anywhere and the own namespace
      p.affects_ingress = false;
      p.affects_egress = true;
      NetworkPolicyRule dns;
      dns.ports = {{Protocol::kUdp, 53, "", 0}, {Protocol::kTcp, 53, "", 0}};
      NetworkPolicyRule same;
      same.peers.push_back({LabelSelector{}, std::nullopt, std::nullopt});
      p.egress = {dns, same};
      break;
    }
    default: {  // app to app, tier selector with an expression
      p.pod_selector.match_labels["app"] = app;
      NetworkPolicyRule r;
      LabelSelector from;
      from.match_expressions.push_back({"tier", SelectorOperator::kIn, {"tier0", "tier1"}});
      r.peers.push_back({from, std::nullopt, std::nullopt});
      r.ports.push_back({Protocol::kTcp, 8080, "", 0});
      p.ingress.push_back(r);
      break;
    }
  }
  return p;
}

int Flag(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return def;
}

double Ms(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

int Main(int argc, char** argv) {
  const int pods = Flag(argc, argv, "--pods", 10000);
  const int policies = Flag(argc, argv, "--policies", 1000);
  const int namespaces = Flag(argc, argv, "--namespaces", 100);
  const int nodes = Flag(argc, argv, "--nodes", 1);
  const int runs = Flag(argc, argv, "--runs", 3);

  Cluster cluster;
  cluster.namespaces.push_back({"monitoring", {{"team", "monitoring"}}, false});
  for (int n = 0; n < namespaces; ++n) {
    const std::string ns = absl::StrCat("ns", n);
    cluster.namespaces.push_back({ns, {{"team", ns}}, false});
  }
  for (int i = 0; i < pods; ++i) {
    Pod p;
    p.namespace_name = i % 50 == 0 ? "monitoring" : absl::StrCat("ns", i % namespaces);
    p.name = absl::StrCat("pod", i);
    p.ip = 0x0a400000u + static_cast<uint32_t>(i);
    p.node = absl::StrCat("node", (i / 7) % nodes);  // not i % nodes: that would align with namespaces
    p.labels = {{"app", absl::StrCat("app", i % 5)}, {"tier", absl::StrCat("tier", i % 3)}};
    p.ports = {{"metrics", Protocol::kTcp, static_cast<uint16_t>(9100 + i % 3)}};
    cluster.pods.push_back(std::move(p));
  }
  PolicySet set;
  for (int i = 0; i < policies; ++i) set.network_policies.push_back(Make(absl::StrCat("ns", i % namespaces), i / namespaces * 7 + i % 7));

  std::printf("policy_compile_bench: %d pods, %d namespaces, %d policies, %d node(s); plan of node0\n", pods,
              namespaces, policies, nodes);
  double best = 1e18;
  NodePlan plan;
  for (int r = 0; r < runs; ++r) {
    const Clock::time_point start = Clock::now();
    plan = CompileNodePlan(cluster, set, "node0");
    best = std::min(best, Ms(start));
  }
  size_t elements = 0, port_elements = 0, rules = 0;
  for (const AddressSet& s : plan.address_sets) elements += s.members.size();
  for (const AddressPortSet& s : plan.address_port_sets) port_elements += s.members.size();
  for (const RuleChain& c : plan.chains) rules += c.rules.size();
  std::printf("%-36s %12s\n", "measure", "value");
  std::printf("%-36s %12.1f\n", "full compile, best of runs (ms)", best);
  std::printf("%-36s %12zu\n", "local pods", plan.pods.size());
  std::printf("%-36s %12zu\n", "chains", plan.chains.size());
  std::printf("%-36s %12zu\n", "allow rules", rules);
  std::printf("%-36s %12zu\n", "address sets", plan.address_sets.size());
  std::printf("%-36s %12zu\n", "address set ranges", elements);
  std::printf("%-36s %12zu\n", "address-port sets", plan.address_port_sets.size());
  std::printf("%-36s %12zu\n", "address-port elements", port_elements);
  std::printf("%-36s %12zu\n", "compile errors", plan.errors.size());
  // One label change, recompiled in full (the compiler has no incremental path yet).
  cluster.pods[1].labels["tier"] = "tier9";
  const Clock::time_point start = Clock::now();
  NodePlan changed = CompileNodePlan(cluster, set, "node0");
  std::printf("%-36s %12.1f\n", "recompile after a label change (ms)", Ms(start));
  std::printf("%-36s %12s\n", "chains unchanged by it", changed.chains == plan.chains ? "yes" : "NO");
  return 0;
}

}  // namespace
}  // namespace romana::policy

int main(int argc, char** argv) { return romana::policy::Main(argc, argv); }
