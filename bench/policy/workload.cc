#include "bench/policy/workload.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "net/ipv4.h"

namespace romana::policy::bench {
namespace {

NetworkPolicy MakePolicy(const std::string& ns, int i) {
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
    case 4: {  // ipBlock with except
      NetworkPolicyRule r;
      IpBlock b{*net::Ipv4Cidr::Parse("10.0.0.0/8"),
                {*net::Ipv4Cidr::Parse("10.1.0.0/16"), *net::Ipv4Cidr::Parse("10.2.0.0/16")}};
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

}  // namespace

Workload MakeWorkload(const WorkloadShape& shape) {
  Workload w;
  w.cluster.namespaces.push_back({"monitoring", {{"team", "monitoring"}}, false});
  for (int n = 0; n < shape.namespaces; ++n) {
    const std::string ns = absl::StrCat("ns", n);
    w.cluster.namespaces.push_back({ns, {{"team", ns}}, false});
  }
  for (int i = 0; i < shape.pods; ++i) {
    Pod p;
    p.namespace_name = i % 50 == 0 ? "monitoring" : absl::StrCat("ns", i % shape.namespaces);
    p.name = absl::StrCat("pod", i);
    p.ip = 0x0a400000u + static_cast<uint32_t>(i);  // 10.64.0.0 onwards
    p.node = absl::StrCat("node", (i / 7) % shape.nodes);  // not i % nodes: that would align with namespaces
    p.labels = {{"app", absl::StrCat("app", i % 5)}, {"tier", absl::StrCat("tier", i % 3)}};
    p.ports = {{"metrics", Protocol::kTcp, static_cast<uint16_t>(9100 + i % 3)}};
    w.cluster.pods.push_back(std::move(p));
  }
  for (int i = 0; i < shape.policies; ++i) {
    w.policies.network_policies.push_back(
        MakePolicy(absl::StrCat("ns", i % shape.namespaces), i / shape.namespaces * 7 + i % 7));
  }
  return w;
}

}  // namespace romana::policy::bench
