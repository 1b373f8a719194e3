#include "policy/testing/plan_interpreter.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "policy/node_plan_compiler.h"

namespace romana::policy {
namespace {

bool InAddressSet(const NodePlan& plan, const std::string& name, uint32_t ip) {
  for (const AddressSet& s : plan.address_sets) {
    if (s.name == name) {
      return std::any_of(s.members.begin(), s.members.end(),
                         [ip](const Ipv4Range& r) { return ip >= r.first && ip <= r.last; });
    }
  }
  return false;  // PlanDefects reports the missing set
}

bool InPortSet(const NodePlan& plan, const std::string& name, const AddressPort& e) {
  for (const AddressPortSet& s : plan.address_port_sets) {
    if (s.name == name) return std::find(s.members.begin(), s.members.end(), e) != s.members.end();
  }
  return false;
}

bool RuleMatches(const NodePlan& plan, const AllowRule& rule, uint32_t remote, uint32_t destination,
                 Protocol protocol, uint16_t port) {
  if (!rule.remote_set.empty() && !InAddressSet(plan, rule.remote_set, remote)) return false;
  if (!rule.ports.empty()) {
    return std::any_of(rule.ports.begin(), rule.ports.end(), [&](const PortRange& r) {
      return r.protocol == protocol && (protocol == Protocol::kIcmp || (port >= r.first && port <= r.last));
    });
  }
  if (!rule.destination_port_set.empty()) {
    return protocol != Protocol::kIcmp &&
           InPortSet(plan, rule.destination_port_set, AddressPort{destination, protocol, port});
  }
  return true;
}

// The verdict of `pod`'s node for one direction.
bool SideAllows(const std::map<std::string, NodePlan>& plans, const Pod& pod, bool ingress, uint32_t remote,
                uint32_t destination, Protocol protocol, uint16_t port) {
  auto p = plans.find(pod.node);
  if (p == plans.end()) return false;
  const NodePlan& plan = p->second;
  auto local = std::find_if(plan.pods.begin(), plan.pods.end(), [&](const LocalPod& l) { return l.ip == pod.ip; });
  if (local == plan.pods.end()) return false;  // the node does not know its pod: nothing works
  if (!(ingress ? local->ingress_isolated : local->egress_isolated)) return true;
  for (const std::string& name : ingress ? local->ingress_chains : local->egress_chains) {
    for (const RuleChain& chain : plan.chains) {
      if (chain.name != name) continue;
      for (const AllowRule& rule : chain.rules) {
        if (RuleMatches(plan, rule, remote, destination, protocol, port)) return true;
      }
    }
  }
  return false;
}

template <typename T>
bool SortedUniqueByName(const std::vector<T>& v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (!(v[i - 1].name < v[i].name)) return false;
  }
  return true;
}

}  // namespace

bool PlanAllows(const Cluster& cluster, const std::map<std::string, NodePlan>& plans, const TrafficEnd& source,
                const TrafficEnd& destination, Protocol protocol, uint16_t port) {
  const ResolvedEnd src = ResolveEnd(cluster, source);
  const ResolvedEnd dst = ResolveEnd(cluster, destination);
  // The renderer's fixed rules.
  if (src.pod != nullptr && src.pod == dst.pod) return true;
  if (!src.host_of_node.empty() && dst.pod != nullptr && dst.pod->node == src.host_of_node) return true;
  if (!dst.host_of_node.empty() && src.pod != nullptr && src.pod->node == dst.host_of_node) return true;
  if (src.pod != nullptr && !SideAllows(plans, *src.pod, false, dst.ip, dst.ip, protocol, port)) return false;
  return dst.pod == nullptr || SideAllows(plans, *dst.pod, true, src.ip, dst.ip, protocol, port);
}

std::string PlanDefects(const NodePlan& plan) {
  if (!SortedUniqueByName(plan.address_sets)) return "address_sets not sorted/unique";
  if (!SortedUniqueByName(plan.address_port_sets)) return "address_port_sets not sorted/unique";
  if (!SortedUniqueByName(plan.chains)) return "chains not sorted/unique";
  std::set<std::string> sets, port_sets, chains, used_sets, used_port_sets, used_chains;
  for (const AddressSet& s : plan.address_sets) {
    sets.insert(s.name);
    for (size_t i = 0; i < s.members.size(); ++i) {
      if (s.members[i].first > s.members[i].last) return absl::StrCat(s.name, ": inverted range");
      if (i > 0 && static_cast<uint64_t>(s.members[i - 1].last) + 1 >= s.members[i].first) {
        return absl::StrCat(s.name, ": members overlap, touch or are unsorted");
      }
    }
  }
  for (const AddressPortSet& s : plan.address_port_sets) {
    port_sets.insert(s.name);
    for (size_t i = 1; i < s.members.size(); ++i) {
      if (!(s.members[i - 1] < s.members[i])) return absl::StrCat(s.name, ": members unsorted or repeated");
    }
  }
  for (const RuleChain& c : plan.chains) {
    chains.insert(c.name);
    if (c.rules.empty()) return absl::StrCat(c.name, ": empty chain");
    for (const AllowRule& r : c.rules) {
      if (!r.ports.empty() && !r.destination_port_set.empty()) return absl::StrCat(c.name, ": ports and port set");
      if (!r.remote_set.empty()) {
        if (!sets.contains(r.remote_set)) return absl::StrCat(c.name, ": unknown set ", r.remote_set);
        used_sets.insert(r.remote_set);
      }
      if (!r.destination_port_set.empty()) {
        if (!port_sets.contains(r.destination_port_set)) return absl::StrCat(c.name, ": unknown set ", r.destination_port_set);
        used_port_sets.insert(r.destination_port_set);
      }
    }
  }
  for (size_t i = 0; i < plan.pods.size(); ++i) {
    const LocalPod& p = plan.pods[i];
    if (i > 0 && plan.pods[i - 1].ip >= p.ip) return "pods not sorted by ip";
    for (bool in : {true, false}) {
      const std::vector<std::string>& list = in ? p.ingress_chains : p.egress_chains;
      if (!list.empty() && !(in ? p.ingress_isolated : p.egress_isolated)) return absl::StrCat(p.name, ": chains but not isolated");
      if (!std::is_sorted(list.begin(), list.end())) return absl::StrCat(p.name, ": chains unsorted");
      for (const std::string& c : list) {
        if (!chains.contains(c)) return absl::StrCat(p.name, ": unknown chain ", c);
        used_chains.insert(c);
      }
    }
  }
  if (used_sets != sets) return "unused address set";
  if (used_port_sets != port_sets) return "unused address-port set";
  if (used_chains != chains) return "unused chain";
  return "";
}

std::map<std::string, NodePlan> CompileAllNodes(const Cluster& cluster, const PolicySet& policies) {
  std::map<std::string, NodePlan> plans;
  for (const Pod& p : cluster.pods) {
    if (!plans.contains(p.node)) plans[p.node] = CompileNodePlan(cluster, policies, p.node);
  }
  return plans;
}

}  // namespace romana::policy
