// network_policy.h: Kubernetes networking.k8s.io/v1 NetworkPolicy: the decoded form and its
// validation with the API server's own rules. Pure, thread-safe.
//
// romanad stores NetworkPolicy objects as they are (the JSON it received); this header decides
// whether a JSON object may be stored (ValidateNetworkPolicy) and decodes it for the compiler
// (ParseNetworkPolicy). Decoding is strict like the API server's: unknown fields and wrong types
// are errors. What is checked:
//   - apiVersion and kind are optional; when present they must be "networking.k8s.io/v1" and
//     "NetworkPolicy".
//   - metadata.name (required) is an RFC 1123 subdomain; metadata.namespace (required; the
//     caller copies it from the URL when the body leaves it out) is an RFC 1123 label. Every
//     other ObjectMeta field (labels, annotations, uid, resourceVersion, creationTimestamp, ...)
//     is accepted and ignored; metadata.labels must be valid labels.
//   - spec.podSelector and peer selectors: see label_selector.h.
//   - spec.policyTypes: each "Ingress" or "Egress", at most two entries.
//   - ports: protocol TCP, UDP or SCTP (TCP when omitted); port is an integer 1..65535 or a
//     port name (IANA_SVC_NAME: 1..15 of [a-z0-9-], a letter, no leading/trailing/double '-');
//     endPort 1..65535, >= port, only with a numeric port.
//   - peers: at least one of podSelector, namespaceSelector, ipBlock; ipBlock alone.
//   - ipBlock: cidr a canonical IPv4 CIDR (IPv6 is rejected: Romana is IPv4-only); every
//     except a canonical CIDR strictly inside cidr (longer prefix).
// Every error is InvalidArgument from api::FieldError naming the JSON path, for example
// "spec.ingress[0].from[1].ipBlock.except[0]: ...".
#ifndef ROMANA_POLICY_NETWORK_POLICY_H_
#define ROMANA_POLICY_NETWORK_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "policy/ipv4.h"
#include "policy/label_selector.h"
#include "policy/protocol.h"

namespace romana::policy {

// One entry of ports[]. Exactly one of: no port (every port of `protocol`), a numeric `port`
// (with `end_port` for a range), or a `named_port`.
struct NetworkPolicyPort {
  Protocol protocol = Protocol::kTcp;  // TCP, UDP or SCTP
  int32_t port = 0;                    // 0: none or named
  std::string named_port;              // "" unless the port is a name
  int32_t end_port = 0;                // 0: no range; otherwise >= port
  bool operator==(const NetworkPolicyPort&) const = default;
};

struct IpBlock {
  net::Ipv4Cidr cidr;
  std::vector<net::Ipv4Cidr> except;
  bool operator==(const IpBlock&) const = default;
};

// One entry of from[] / to[]. Either ip_block alone, or one or both selectors. A missing
// namespace_selector means the policy's own namespace; a present empty one means every namespace.
struct NetworkPolicyPeer {
  std::optional<LabelSelector> pod_selector;
  std::optional<LabelSelector> namespace_selector;
  std::optional<IpBlock> ip_block;
  bool operator==(const NetworkPolicyPeer&) const = default;
};

// An ingress rule (peers = from) or an egress rule (peers = to). Empty ports: every port and
// protocol; empty peers: every peer.
struct NetworkPolicyRule {
  std::vector<NetworkPolicyPort> ports;
  std::vector<NetworkPolicyPeer> peers;
  bool operator==(const NetworkPolicyRule&) const = default;
};

struct NetworkPolicy {
  std::string namespace_name;
  std::string name;
  LabelSelector pod_selector;  // empty: every pod of the namespace
  // spec.policyTypes after Kubernetes' defaulting: when the list is absent or empty, Ingress
  // always, plus Egress when spec.egress is non-empty.
  bool affects_ingress = false;
  bool affects_egress = false;
  std::vector<NetworkPolicyRule> ingress;
  std::vector<NetworkPolicyRule> egress;
  bool operator==(const NetworkPolicy&) const = default;
};

// Decodes and validates `json` (see the header comment). OK or InvalidArgument naming the field;
// nothing else. Parse implies validate: a returned policy is always valid.
absl::StatusOr<NetworkPolicy> ParseNetworkPolicy(const nlohmann::json& json);

// ParseNetworkPolicy without the result: OK when `json` may be stored as it is.
absl::Status ValidateNetworkPolicy(const nlohmann::json& json);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_NETWORK_POLICY_H_
