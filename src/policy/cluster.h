// cluster.h: the cluster snapshot policy is evaluated against: namespaces and pods with their
// labels, IPs, nodes and named container ports, plus the policies of both kinds. Plain data (the
// agent converts from the API types); policy sits above api in the layering and uses only its
// wire types (api/romana_policy.h, api/k8s_names.h). Thread-compatible.
#ifndef ROMANA_POLICY_CLUSTER_H_
#define ROMANA_POLICY_CLUSTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "api/k8s_names.h"
#include "policy/label_selector.h"
#include "policy/network_policy.h"
#include "policy/policy.h"
#include "policy/protocol.h"

namespace romana::policy {

// The label every namespace carries (api/k8s_names.h). Policy evaluation always adds it to a
// namespace's labels, whether the snapshot lists it or not.
using api::kNamespaceNameLabel;

// The pod label a native Romana policy's segment_id selects on.
inline constexpr char kSegmentLabel[] = "romana.io/segment";

struct NamedPort {
  std::string name;  // IANA_SVC_NAME
  Protocol protocol = Protocol::kTcp;
  uint16_t port = 0;
  bool operator==(const NamedPort&) const = default;
};

struct Pod {
  std::string namespace_name;
  std::string name;
  uint32_t ip = 0;  // REQUIRES: non-zero and unique among pods (pods without an IP are left out)
  std::string node;
  Labels labels;
  std::vector<NamedPort> ports;  // the pod's named container ports
  bool operator==(const Pod&) const = default;
};

struct Namespace {
  std::string name;
  Labels labels;
  // The original Romana's namespace isolation (annotation net.beta.kubernetes.io/networkpolicy
  // = {"ingress":{"isolation":"DefaultDeny"}}): every pod of the namespace is ingress-isolated.
  bool isolated = false;
  bool operator==(const Namespace&) const = default;
};

// A pod whose namespace is not listed behaves as in a namespace without labels (other than
// kNamespaceNameLabel) that is not isolated.
struct Cluster {
  std::vector<Namespace> namespaces;
  std::vector<Pod> pods;
};

struct PolicySet {
  std::vector<NetworkPolicy> network_policies;  // as decoded by ParseNetworkPolicy
  std::vector<Policy> romana_policies;          // validated again by the compiler
};

}  // namespace romana::policy

#endif  // ROMANA_POLICY_CLUSTER_H_
