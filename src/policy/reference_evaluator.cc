// A direct reading of the policy rules for one packet (see reference_evaluator.h). Written
// independently of model.h and the compiler on purpose: it must not share their mistakes.
#include "policy/reference_evaluator.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "policy/policy.h"

namespace romana::policy {
namespace {

Labels NamespaceLabels(const Cluster& cluster, const std::string& name) {
  Labels labels;
  for (const Namespace& ns : cluster.namespaces) {
    if (ns.name == name) labels = ns.labels;
  }
  labels[kNamespaceNameLabel] = name;  // the API server always sets it
  return labels;
}

bool InCidr(uint32_t ip, const net::Ipv4Cidr& cidr) { return cidr.Contains(net::Ipv4Address(ip)); }

// --- Kubernetes NetworkPolicy ---------------------------------------------------------------

bool K8sPeerMatches(const Cluster& cluster, const NetworkPolicyPeer& peer, const std::string& policy_ns,
                    const ResolvedEnd& remote) {
  if (peer.ip_block.has_value()) {
    if (!InCidr(remote.ip, peer.ip_block->cidr)) return false;
    return std::none_of(peer.ip_block->except.begin(), peer.ip_block->except.end(),
                        [&](const net::Ipv4Cidr& e) { return InCidr(remote.ip, e); });
  }
  if (remote.pod == nullptr) return false;  // selectors only ever select pods
  if (peer.namespace_selector.has_value()) {
    if (!Matches(*peer.namespace_selector, NamespaceLabels(cluster, remote.pod->namespace_name))) return false;
  } else if (remote.pod->namespace_name != policy_ns) {
    return false;
  }
  return !peer.pod_selector.has_value() || Matches(*peer.pod_selector, remote.pod->labels);
}

bool K8sPortMatches(const NetworkPolicyPort& p, const ResolvedEnd& destination, Protocol protocol, uint16_t port) {
  if (p.protocol != protocol) return false;
  if (!p.named_port.empty()) {
    if (destination.pod == nullptr) return false;  // only pods have named ports
    for (const NamedPort& np : destination.pod->ports) {
      if (np.name == p.named_port && np.protocol == protocol && np.port == port) return true;
    }
    return false;
  }
  if (p.port == 0) return true;
  return port >= p.port && port <= (p.end_port != 0 ? p.end_port : p.port);
}

// --- Native Romana policy ---------------------------------------------------------------------

bool SegmentMatches(const Pod& pod, const std::string& tenant, const std::string& segment) {
  if (pod.namespace_name != tenant) return false;
  if (segment.empty()) return true;
  auto it = pod.labels.find(kSegmentLabel);
  return it != pod.labels.end() && it->second == segment;
}

bool NativePeerMatches(const Endpoint& peer, const ResolvedEnd& remote) {
  if (peer.peer == "any") return true;
  if (!peer.cidr.empty()) {
    absl::StatusOr<net::Ipv4Cidr> cidr = ParseIpv4Cidr(peer.cidr, "cidr");
    return cidr.ok() && InCidr(remote.ip, *cidr);
  }
  if (!peer.tenant_id.empty()) return remote.pod != nullptr && SegmentMatches(*remote.pod, peer.tenant_id, peer.segment_id);
  return false;
}

bool NativeRuleMatches(const Rule& rule, Protocol protocol, uint16_t port) {
  const std::string p = absl::AsciiStrToLower(rule.protocol);
  if (p == "any") return true;
  if (p == "icmp") return protocol == Protocol::kIcmp;
  if ((p == "tcp" && protocol != Protocol::kTcp) || (p == "udp" && protocol != Protocol::kUdp)) return false;
  if (rule.ports.empty() && rule.port_ranges.empty()) return true;
  for (int64_t n : rule.ports) {
    if (n == port) return true;
  }
  for (const auto& [first, last] : rule.port_ranges) {
    if (port >= first && port <= last) return true;
  }
  return false;
}

// --- One side ---------------------------------------------------------------------------------

// Whether `local`'s policies for one direction let the packet through. `remote` is the other end;
// `destination` is where named ports resolve.
bool SideAllows(const Cluster& cluster, const PolicySet& policies, const Pod& local, bool ingress, const ResolvedEnd& remote,
                const ResolvedEnd& destination, Protocol protocol, uint16_t port) {
  bool isolated = false;
  std::set<std::string> seen;
  for (const NetworkPolicy& np : policies.network_policies) {
    if (!seen.insert(absl::StrCat("networkpolicy:", np.namespace_name, "/", np.name)).second) continue;
    if (np.namespace_name != local.namespace_name || !Matches(np.pod_selector, local.labels)) continue;
    if (!(ingress ? np.affects_ingress : np.affects_egress)) continue;
    isolated = true;
    for (const NetworkPolicyRule& rule : ingress ? np.ingress : np.egress) {
      const bool peer_ok = rule.peers.empty() || std::any_of(rule.peers.begin(), rule.peers.end(), [&](const auto& p) {
                             return K8sPeerMatches(cluster, p, np.namespace_name, remote);
                           });
      const bool port_ok = rule.ports.empty() || std::any_of(rule.ports.begin(), rule.ports.end(), [&](const auto& p) {
                             return K8sPortMatches(p, destination, protocol, port);
                           });
      if (peer_ok && port_ok) return true;
    }
  }
  for (const Policy& rp : policies.romana_policies) {
    if (!Validate(rp).ok() || !seen.insert(absl::StrCat("romana:", rp.id)).second) continue;
    if ((rp.direction == "ingress") != ingress) continue;
    const bool selected = std::any_of(rp.applied_to.begin(), rp.applied_to.end(), [&](const Endpoint& t) {
      return !t.tenant_id.empty() && SegmentMatches(local, t.tenant_id, t.segment_id);
    });
    if (!selected) continue;
    isolated = true;
    for (const IngressGroup& g : rp.ingress) {
      const bool peer_ok =
          std::any_of(g.peers.begin(), g.peers.end(), [&](const Endpoint& e) { return NativePeerMatches(e, remote); });
      const bool rule_ok =
          std::any_of(g.rules.begin(), g.rules.end(), [&](const Rule& r) { return NativeRuleMatches(r, protocol, port); });
      if (peer_ok && rule_ok) return true;
    }
  }
  if (ingress) {
    for (const Namespace& ns : cluster.namespaces) {
      if (ns.isolated && ns.name == local.namespace_name) isolated = true;
    }
  }
  return !isolated;
}

}  // namespace

ResolvedEnd ResolveEnd(const Cluster& cluster, const TrafficEnd& t) {
  for (const Pod& p : cluster.pods) {
    const bool named = !t.pod_name.empty() && p.namespace_name == t.namespace_name && p.name == t.pod_name;
    const bool addressed = t.pod_name.empty() && t.host_of_node.empty() && p.ip == t.address;
    if (named || addressed) return ResolvedEnd{&p, p.ip, ""};
  }
  if (t.pod_name.empty()) return ResolvedEnd{nullptr, t.address, t.host_of_node};
  return ResolvedEnd{};
}

bool Allowed(const Cluster& cluster, const PolicySet& policies, const TrafficEnd& source,
             const TrafficEnd& destination, Protocol protocol, uint16_t port) {
  const ResolvedEnd src = ResolveEnd(cluster, source);
  const ResolvedEnd dst = ResolveEnd(cluster, destination);
  if (src.pod != nullptr && src.pod == dst.pod) return true;
  if (!src.host_of_node.empty() && dst.pod != nullptr && dst.pod->node == src.host_of_node) return true;
  if (!dst.host_of_node.empty() && src.pod != nullptr && src.pod->node == dst.host_of_node) return true;
  if (src.pod != nullptr && !SideAllows(cluster, policies, *src.pod, /*ingress=*/false, dst, dst, protocol, port)) {
    return false;
  }
  return dst.pod == nullptr || SideAllows(cluster, policies, *dst.pod, /*ingress=*/true, src, dst, protocol, port);
}

}  // namespace romana::policy
