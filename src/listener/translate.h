// translate.h: Kubernetes objects -> what romanad holds (the listener's calculation layer, part 1).
// Pure functions of one object; no I/O, no clock. Thread-safe.
//
//  - Node -> host: name, the node's InternalIP (never "the first address of any type": a node
//    without an InternalIP yet is not translated), labels.
//  - Namespace -> namespace: labels, and isolation from the beta annotation
//    net.beta.kubernetes.io/networkpolicy = {"ingress": {"isolation": "DefaultDeny"}}.
//  - Pod -> endpoint: only pods on the pod network (not hostNetwork) that are scheduled, have
//    an IP and are not finished (Succeeded/Failed); IP, labels, node and named container ports.
//  - NetworkPolicy -> the object romanad stores: apiVersion, kind, metadata (name, namespace,
//    uid, labels, annotations without kubectl's last-applied copy) and spec. status,
//    managedFields and the other server fields are dropped (romanad rejects unknown top-level
//    fields, and they change without the policy changing).
#ifndef ROMANA_LISTENER_TRANSLATE_H_
#define ROMANA_LISTENER_TRANSLATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "nlohmann/json.hpp"

namespace romana::listener {

inline constexpr char kIsolationAnnotation[] = "net.beta.kubernetes.io/networkpolicy";

// FailedPrecondition when the node has no InternalIP (yet); InvalidArgument naming the field
// when a field has the wrong type.
absl::StatusOr<api::HostRequest> HostFromNode(const nlohmann::json& node);
absl::StatusOr<api::Namespace> NamespaceFromObject(const nlohmann::json& ns);
// nullopt when the pod is not (or no longer) an endpoint (see above).
absl::StatusOr<std::optional<api::Endpoint>> EndpointFromPod(const nlohmann::json& pod);
// The pod's IP on the pod network while the pod exists (also when finished: its address may
// still be allocated); "" for hostNetwork pods and pods without an IP. Used by address GC.
std::string PodNetworkIp(const nlohmann::json& pod);
absl::StatusOr<nlohmann::json> NetworkPolicyForRomanad(const nlohmann::json& policy);

// What the informers cache of each kind: only the fields the functions above read (a pod in a
// real cluster is several KB; at 150,000 pods that matters). ReducePod takes the pod by value
// and moves the kept fields out of it (it runs on every listed and watched pod).
nlohmann::json ReduceNode(const nlohmann::json& node);
nlohmann::json ReducePod(nlohmann::json pod);

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_TRANSLATE_H_
