// Compiles each kind of policy into the one model (model.h).
#include "policy/model.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace romana::policy {
namespace {

ModelPort PortFrom(const NetworkPolicyPort& p) {
  ModelPort m;
  m.protocol = p.protocol;
  if (!p.named_port.empty()) {
    m.named_port = p.named_port;
  } else if (p.port != 0) {
    m.first = static_cast<uint16_t>(p.port);
    m.last = static_cast<uint16_t>(p.end_port != 0 ? p.end_port : p.port);
  }
  return m;
}

ModelPeer PeerFrom(const NetworkPolicyPeer& p, const std::string& policy_namespace) {
  ModelPeer m;
  if (p.ip_block.has_value()) {
    m.block = p.ip_block;
    return m;
  }
  PodSelection s;
  if (p.namespace_selector.has_value()) {
    s.namespaces = *p.namespace_selector;
  } else {
    s.namespace_name = policy_namespace;  // nil namespaceSelector: the policy's namespace
  }
  if (p.pod_selector.has_value()) s.pods = *p.pod_selector;  // nil podSelector: every pod
  m.pods = std::move(s);
  return m;
}

std::vector<ModelRule> RulesFrom(const std::vector<NetworkPolicyRule>& rules, const std::string& ns) {
  std::vector<ModelRule> out;
  for (const NetworkPolicyRule& r : rules) {
    ModelRule m;
    for (const NetworkPolicyPeer& p : r.peers) m.peers.push_back(PeerFrom(p, ns));
    for (const NetworkPolicyPort& p : r.ports) m.ports.push_back(PortFrom(p));
    out.push_back(std::move(m));
  }
  return out;
}

PodSelection TenantSelection(const std::string& tenant, const std::string& segment) {
  PodSelection s;
  s.namespace_name = tenant;
  if (!segment.empty()) s.pods.match_labels[kSegmentLabel] = segment;
  return s;
}

// One native {peers, rules} group.
ModelRule GroupRule(const IngressGroup& group) {
  ModelRule rule;
  bool any_peer = false;
  for (const Endpoint& e : group.peers) {
    if (e.peer == "any") {
      any_peer = true;
    } else if (!e.cidr.empty()) {
      ModelPeer p;
      // Valid by Validate(); the block never has excepts.
      p.block = IpBlock{*ParseIpv4Cidr(e.cidr, "cidr"), {}};
      rule.peers.push_back(std::move(p));
    } else if (!e.tenant_id.empty()) {
      ModelPeer p;
      p.pods = TenantSelection(e.tenant_id, e.segment_id);
      rule.peers.push_back(std::move(p));
    }
    // "local" only appears with a host target, which selects no pod.
  }
  if (any_peer) rule.peers.clear();
  bool any_traffic = false;
  for (const Rule& r : group.rules) {
    const std::string proto = absl::AsciiStrToLower(r.protocol);
    if (proto == "any") {
      any_traffic = true;
      continue;
    }
    if (proto == "icmp") {
      rule.ports.push_back({Protocol::kIcmp, 0, 65535, ""});
      continue;
    }
    const Protocol p = proto == "tcp" ? Protocol::kTcp : Protocol::kUdp;
    if (r.ports.empty() && r.port_ranges.empty()) rule.ports.push_back({p, 0, 65535, ""});
    for (int64_t port : r.ports) {
      rule.ports.push_back({p, static_cast<uint16_t>(port), static_cast<uint16_t>(port), ""});
    }
    for (const auto& [first, last] : r.port_ranges) {
      rule.ports.push_back({p, static_cast<uint16_t>(first), static_cast<uint16_t>(last), ""});
    }
  }
  if (any_traffic) rule.ports.clear();
  return rule;
}

}  // namespace

std::string CanonicalSelection(const PodSelection& s) {
  const std::string scope = s.namespace_name.has_value() ? absl::StrCat("namespace ", *s.namespace_name)
                                                         : absl::StrCat("namespaces {", CanonicalSelector(s.namespaces), "}");
  return absl::StrCat(scope, " pods {", CanonicalSelector(s.pods), "}");
}

Labels EffectiveNamespaceLabels(const std::string& name, const Labels& labels) {
  Labels out = labels;
  out[kNamespaceNameLabel] = name;
  return out;
}

ModelPolicy FromNetworkPolicy(const NetworkPolicy& policy) {
  ModelPolicy m;
  m.id = absl::StrCat("networkpolicy:", policy.namespace_name, "/", policy.name);
  PodSelection target;
  target.namespace_name = policy.namespace_name;
  target.pods = policy.pod_selector;
  m.targets.push_back(std::move(target));
  m.ingress = policy.affects_ingress;
  m.egress = policy.affects_egress;
  if (m.ingress) m.ingress_rules = RulesFrom(policy.ingress, policy.namespace_name);
  if (m.egress) m.egress_rules = RulesFrom(policy.egress, policy.namespace_name);
  return m;
}

absl::StatusOr<ModelPolicy> FromRomanaPolicy(const Policy& policy) {
  if (absl::Status s = Validate(policy); !s.ok()) return s;
  ModelPolicy m;
  m.id = absl::StrCat("romana:", policy.id);
  for (const Endpoint& e : policy.applied_to) {
    if (!e.tenant_id.empty()) m.targets.push_back(TenantSelection(e.tenant_id, e.segment_id));
  }
  std::vector<ModelRule> rules;
  for (const IngressGroup& g : policy.ingress) rules.push_back(GroupRule(g));
  if (policy.direction == "egress") {
    m.egress = true;
    m.egress_rules = std::move(rules);
  } else {
    m.ingress = true;
    m.ingress_rules = std::move(rules);
  }
  return m;
}

ModelPolicy NamespaceIsolation(const std::string& namespace_name) {
  ModelPolicy m;
  m.id = absl::StrCat("isolation:", namespace_name);
  PodSelection all;
  all.namespace_name = namespace_name;
  m.targets.push_back(std::move(all));
  m.ingress = true;
  return m;
}

std::vector<ModelPolicy> BuildModel(const Cluster& cluster, const PolicySet& policies,
                                    std::vector<CompileError>* errors) {
  std::vector<ModelPolicy> out;
  std::set<std::string> seen;
  auto add = [&](ModelPolicy m) {
    if (!seen.insert(m.id).second) {
      errors->push_back({m.id, "another policy has the same id; only the first is enforced"});
      return;
    }
    out.push_back(std::move(m));
  };
  for (const NetworkPolicy& p : policies.network_policies) add(FromNetworkPolicy(p));
  for (const Policy& p : policies.romana_policies) {
    absl::StatusOr<ModelPolicy> m = FromRomanaPolicy(p);
    if (!m.ok()) {
      errors->push_back({absl::StrCat("romana:", p.id), std::string(m.status().message())});
      continue;
    }
    add(*std::move(m));
  }
  for (const Namespace& ns : cluster.namespaces) {
    if (ns.isolated) add(NamespaceIsolation(ns.name));
  }
  return out;
}

}  // namespace romana::policy
