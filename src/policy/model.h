// model.h: the one policy model that Kubernetes NetworkPolicy, the native Romana policy and the
// namespace isolation flag all compile into, with Kubernetes semantics. Pure, thread-safe.
//
// A ModelPolicy selects target pods (Targets) and, for each direction it affects, isolates them
// and allows what any of its rules allows:
//   - a rule matches when its peer matches the remote end AND its traffic part matches;
//   - peers empty = every remote end; otherwise any peer (OR);
//   - a pod peer matches pods whose namespace is in scope AND whose labels match (AND);
//   - ports empty = every protocol and port; otherwise any entry (OR); a named port resolves on
//     the destination pod (ingress: the selected pod; egress: the remote pod).
// Across policies: a pod selected by any policy for a direction is isolated for that direction,
// and what is allowed is the union of all rules of all policies that select it.
#ifndef ROMANA_POLICY_MODEL_H_
#define ROMANA_POLICY_MODEL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "policy/cluster.h"
#include "policy/ipv4.h"
#include "policy/label_selector.h"
#include "policy/network_policy.h"
#include "policy/node_plan.h"
#include "policy/policy.h"
#include "policy/protocol.h"

namespace romana::policy {

// Pods in the namespaces in scope whose labels match `pods`.
struct PodSelection {
  // Scope: exactly the namespace `namespace_name` when set (a NetworkPolicy peer without
  // namespaceSelector, a policy's own targets, a Romana tenant), else every namespace whose
  // labels match `namespaces` (empty selector: all namespaces).
  std::optional<std::string> namespace_name;
  LabelSelector namespaces;
  LabelSelector pods;
  bool operator==(const PodSelection&) const = default;
};

// Canonical text of a selection: equal for equivalent selections (up to selector spelling).
std::string CanonicalSelection(const PodSelection& selection);

struct ModelPeer {
  // Exactly one of: a pod selection, or an address block (cidr minus excepts).
  std::optional<PodSelection> pods;
  std::optional<IpBlock> block;
  bool operator==(const ModelPeer&) const = default;
};

struct ModelPort {
  Protocol protocol = Protocol::kTcp;
  uint16_t first = 0;  // 0 and 65535: every port (ICMP always)
  uint16_t last = 65535;
  std::string named_port;  // set instead of first/last
  bool operator==(const ModelPort&) const = default;
};

struct ModelRule {
  std::vector<ModelPeer> peers;  // empty: every remote end
  std::vector<ModelPort> ports;  // empty: every protocol and port
  bool operator==(const ModelRule&) const = default;
};

struct ModelPolicy {
  // "networkpolicy:<ns>/<name>", "romana:<id>" or "isolation:<ns>".
  std::string id;
  std::vector<PodSelection> targets;  // union; empty = selects nothing
  bool ingress = false;               // isolates its targets for ingress
  bool egress = false;
  std::vector<ModelRule> ingress_rules;  // only meaningful when ingress
  std::vector<ModelRule> egress_rules;
  bool operator==(const ModelPolicy&) const = default;
};

// The Kubernetes policy as it is (it is valid by construction).
ModelPolicy FromNetworkPolicy(const NetworkPolicy& policy);

// The native policy (reference §5.1). Validates it first (policy.h Validate): InvalidArgument
// naming the field when it is not valid. Mapping:
//   - applied_to {tenant_id: T[, segment_id: S]}: pods of namespace T [with romana.io/segment=S];
//     {dest: "host"}: selects no pod (the host's own traffic is never filtered), so the policy
//     compiles to nothing;
//   - direction: isolates the targets for that direction (egress policies are allow-lists like
//     Kubernetes', unlike the original, where egress rules were deny rules);
//   - peers: any = every remote end; cidr = that block; tenant[/segment] = those pods;
//     local (only valid with a host target) = nothing further;
//   - rules: any = everything; tcp/udp with ports and port_ranges = those; tcp/udp without
//     either = every port of the protocol; icmp = all ICMP (icmp_type/icmp_code are not used
//     for matching, as in the original); is_stateful is ignored (all rules are stateful).
absl::StatusOr<ModelPolicy> FromRomanaPolicy(const Policy& policy);

// The namespace isolation flag: every pod of `namespace_name` isolated for ingress, no rules.
ModelPolicy NamespaceIsolation(const std::string& namespace_name);

// Everything that applies to `cluster` and `policies`, in a stable order (network policies,
// Romana policies, then namespace isolation). Policies that fail FromRomanaPolicy are left out
// and reported in `errors` (id and message), as are repeated ids after the first.
// REQUIRES: errors != nullptr.
std::vector<ModelPolicy> BuildModel(const Cluster& cluster, const PolicySet& policies,
                                    std::vector<CompileError>* errors);

// The labels a namespace is matched with: its labels plus kNamespaceNameLabel = its name.
Labels EffectiveNamespaceLabels(const std::string& name, const Labels& labels);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_MODEL_H_
