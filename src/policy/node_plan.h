// node_plan.h: what one node must enforce, as plain data: the output of the policy compiler
// (node_plan_compiler.h) and the input of the agent's nftables renderer. Types only; pure data,
// thread-compatible.
//
// The plan is shaped so that the renderer can turn it into a table mechanically and update it
// incrementally:
//   - Address sets (AddressSet, AddressPortSet) are named after their *definition* (a hash of a
//     canonical selector, CIDR list or named port), never after their members. When only
//     membership changes (a pod added or removed, a label changed) the same names come back with
//     other members: only set elements change.
//   - A rule chain (RuleChain) belongs to one policy and one direction, is named after the policy
//     id and direction, and refers to peers and named ports only through set names. Its rules
//     never depend on which pods the policy selects, so a target pod coming or going does not
//     rewrite it; editing the policy rewrites only its own chains.
//   - Each local pod (LocalPod) lists the chains that apply to it per direction.
//
// Verdict for a packet between `local` (a pod on this node) and `remote` (the other end), for
// the direction being evaluated (ingress: remote is the source, local the destination; egress:
// local is the source, remote the destination):
//   1. Not isolated in that direction: accept.
//   2. Isolated: accept when some chain in the pod's list for that direction has an AllowRule
//      that matches (see AllowRule); otherwise drop. Policies only ever add allowances (the union
//      of all policies; there is no deny and no order).
// A connection passes when the source's egress verdict (on the source's node) and the
// destination's ingress verdict (on the destination's node) both accept.
//
// The renderer adds what is not per-policy and therefore not in the plan, before any chain:
//   - conntrack established/related accepted first: replies of allowed connections pass;
//   - traffic between the host and its own local pods always passes (kubelet probes);
//   - a pod always reaches itself (source address == destination address == the pod's IP,
//     e.g. through its own Service);
//   - enforcement must see the packet after a kube-proxy-style DNAT (destination = pod IP and
//     container port), i.e. in forward/output hooks, not prerouting before NAT.
#ifndef ROMANA_POLICY_NODE_PLAN_H_
#define ROMANA_POLICY_NODE_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "policy/ipv4.h"
#include "policy/protocol.h"

namespace romana::policy {

enum class Direction { kIngress, kEgress };

// A named set of IPv4 addresses (nftables: `type ipv4_addr; flags interval`). One per distinct
// pod selection (namespace scope + pod selector: the IPs of every matching pod in the cluster)
// and one per distinct ipBlock (cidr minus its excepts).
struct AddressSet {
  std::string name;                // "a-" + 16 hex digits; stable for the same definition
  std::string definition;          // canonical, human-readable (for rule comments and logs)
  std::vector<Ipv4Range> members;  // disjoint, ascending, adjacent ranges merged; may be empty
  bool operator==(const AddressSet&) const = default;
};

struct AddressPort {
  uint32_t address = 0;
  Protocol protocol = Protocol::kTcp;  // TCP, UDP or SCTP
  uint16_t port = 0;                   // 1..65535
  bool operator==(const AddressPort&) const = default;
  auto operator<=>(const AddressPort&) const = default;
};

// A named set of (address . protocol . port) (nftables: `type ipv4_addr . inet_proto .
// inet_service`), matched against (destination address . l4 protocol . destination port). This
// is how a named port resolves per destination pod: each element is one destination pod's IP with
// the number its container port of that name has on that pod.
//   - Ingress rule with a named port: the elements are the policy's selected pods on this node
//     that have the port (the destination is the selected pod).
//   - Egress rule with a named port: the elements are the rule's peer pods (cluster-wide) that
//     have the port; the set then also encodes the peer, so the AllowRule carries no remote set.
//     For an ipBlock peer (or no peer, meaning everyone) the peer pods are the cluster's pods
//     whose IP lies in the block; addresses that are not pods never match a named port, because
//     only a pod has named ports (Kubernetes leaves this case to the implementation).
struct AddressPortSet {
  std::string name;                  // "n-" + 16 hex digits; stable for the same definition
  std::string definition;            // canonical, human-readable
  std::vector<AddressPort> members;  // ascending, unique; may be empty
  bool operator==(const AddressPortSet&) const = default;
};

// Protocol plus an inclusive destination port range. ICMP has no ports: first = 0, last = 65535.
struct PortRange {
  Protocol protocol = Protocol::kTcp;
  uint16_t first = 0;   // 0..65535
  uint16_t last = 65535;
  bool all_ports() const { return first == 0 && last == 65535; }
  bool operator==(const PortRange&) const = default;
  auto operator<=>(const PortRange&) const = default;
};

// Matches a packet when all of:
//   - remote_set is "" (any address) or the remote address is in that AddressSet;
//   - the traffic part:
//       ports non-empty:                  protocol and destination port match one entry;
//       destination_port_set non-empty:   (destination address . protocol . destination port)
//                                         is in that AddressPortSet;
//       both empty:                       every protocol and port.
// ports and destination_port_set are never both non-empty.
struct AllowRule {
  std::string remote_set;
  std::vector<PortRange> ports;      // ascending, unique
  std::string destination_port_set;
  bool operator==(const AllowRule&) const = default;
};

// The allow rules of one policy for one direction. Only policies that select at least one local
// pod in that direction and have at least one rule get a chain (an isolating policy without rules
// shows up only as the isolation flag of its pods).
struct RuleChain {
  std::string name;       // "in-" / "out-" + 16 hex digits of the policy id; stable across edits
  std::string policy_id;  // "networkpolicy:<ns>/<name>", "romana:<id>"
  Direction direction = Direction::kIngress;
  std::vector<AllowRule> rules;  // a packet is accepted when any matches; never empty
  bool operator==(const RuleChain&) const = default;
};

// A pod on this node.
struct LocalPod {
  std::string namespace_name;
  std::string name;
  uint32_t ip = 0;
  bool ingress_isolated = false;  // selected by some policy (or namespace isolation) for ingress
  bool egress_isolated = false;
  std::vector<std::string> ingress_chains;  // RuleChain names, ascending; empty if not isolated
  std::vector<std::string> egress_chains;
  bool operator==(const LocalPod&) const = default;
};

// A policy that could not be compiled; it is left out of the plan entirely (it neither isolates
// nor allows) and never affects the other policies.
struct CompileError {
  std::string policy_id;
  std::string message;
  bool operator==(const CompileError&) const = default;
};

struct NodePlan {
  std::string node;
  std::vector<AddressSet> address_sets;          // ascending by name; exactly those the chains use
  std::vector<AddressPortSet> address_port_sets;  // ascending by name; exactly those the chains use
  std::vector<RuleChain> chains;                 // ascending by name
  std::vector<LocalPod> pods;                    // every pod on this node, ascending by ip
  std::vector<CompileError> errors;              // ascending by policy id
  bool operator==(const NodePlan&) const = default;
};

}  // namespace romana::policy

#endif  // ROMANA_POLICY_NODE_PLAN_H_
