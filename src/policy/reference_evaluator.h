// reference_evaluator.h: decides whether one packet is allowed, straight from the Kubernetes
// NetworkPolicy rules and the native policy's meaning, with no compilation and no plan. It is the
// yardstick the compiler is tested against (a property test compares it with the compiled plans
// on random clusters) and what the lab uses to print expected truth tables. Slow on purpose
// (every policy and pod is looked at for every question); pure and thread-safe.
//
// The rules, in order:
//   1. a pod always reaches itself;
//   2. a node's host and the pods on that node always reach each other;
//   3. otherwise the source's egress side AND the destination's ingress side must allow it. A
//      side that is a pod selected by no policy for that direction (and, for ingress, not in an
//      isolated namespace) allows everything; an address that is not a pod has no policy side.
//      A selected pod allows what at least one rule of at least one selecting policy allows.
// Replies of an allowed connection pass too (conntrack); this evaluator answers for the
// connection's first packet.
#ifndef ROMANA_POLICY_REFERENCE_EVALUATOR_H_
#define ROMANA_POLICY_REFERENCE_EVALUATOR_H_

#include <cstdint>
#include <string>

#include "policy/cluster.h"
#include "policy/protocol.h"

namespace romana::policy {

// One end of a connection: a pod of the cluster (by namespace and name), or an address (an
// external address, or a node's host address when `host_of_node` is set). An address that is a
// pod's IP (and not a host's) is that pod: packets carry addresses, not names.
struct TrafficEnd {
  std::string namespace_name;  // with pod_name: a pod
  std::string pod_name;
  uint32_t address = 0;       // when pod_name is empty
  std::string host_of_node;   // when the address is that node's host

  static TrafficEnd ForPod(std::string ns, std::string name) { return {std::move(ns), std::move(name), 0, ""}; }
  static TrafficEnd ForAddress(uint32_t address) { return {"", "", address, ""}; }
  static TrafficEnd ForHost(std::string node, uint32_t address) { return {"", "", address, std::move(node)}; }
};

// A TrafficEnd resolved against a cluster: the pod it names or whose IP it is (nullptr for an
// address that is no pod's, a host, or a named pod that is not in the cluster: then ip is 0),
// its address, and the node whose host it is.
struct ResolvedEnd {
  const Pod* pod = nullptr;  // points into the cluster passed to ResolveEnd
  uint32_t ip = 0;
  std::string host_of_node;
};
ResolvedEnd ResolveEnd(const Cluster& cluster, const TrafficEnd& end);

// Whether a new connection from `source` to `destination` on (protocol, destination port) is
// allowed. `port` is ignored for ICMP. Native policies that fail validation and repeated policy
// ids are ignored, as the compiler does. A TrafficEnd naming a pod that is not in the cluster is
// treated as an unknown address 0.0.0.0.
bool Allowed(const Cluster& cluster, const PolicySet& policies, const TrafficEnd& source,
             const TrafficEnd& destination, Protocol protocol, uint16_t port);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_REFERENCE_EVALUATOR_H_
