// romana_policy.h: the wire format of the native Romana policy (reference §5.1): what
// POST /policies accepts, what the store holds (one key per id) and what clients receive.
//
// This file owns the JSON shape only: ParsePolicy() checks JSON types and rejects unknown keys,
// ToJson() writes the canonical form. What a policy means, and which policies are valid, is the
// policy library's (policy/policy.h: Validate). Every error is an InvalidArgument carrying the JSON
// path of the bad value (api/field_error.h). Pure functions, thread-safe.
#ifndef ROMANA_API_ROMANA_POLICY_H_
#define ROMANA_API_ROMANA_POLICY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::api {

// A target (in applied_to) or a peer. All fields optional; which combinations are valid is
// decided by policy::Validate().
struct PolicyEndpoint {
  std::string peer;        // "any" | "local" | "host" (peer side)
  std::string cidr;        // "10.0.0.0/8" (peer side)
  std::string dest;        // "local" | "host" (target side)
  std::string tenant_id;   // the Kubernetes namespace
  std::string segment_id;  // value of the romana.io/segment label

  bool operator==(const PolicyEndpoint&) const = default;
};

struct PolicyRule {
  std::string protocol;  // "tcp" | "udp" | "icmp" | "any" (case-insensitive)
  std::vector<int64_t> ports;
  std::vector<std::pair<int64_t, int64_t>> port_ranges;
  int64_t icmp_type = 0;
  int64_t icmp_code = 0;
  bool is_stateful = false;

  bool operator==(const PolicyRule&) const = default;
};

struct PolicyIngressGroup {  // named "ingress" in JSON; used for both directions
  std::vector<PolicyEndpoint> peers;
  std::vector<PolicyRule> rules;

  bool operator==(const PolicyIngressGroup&) const = default;
};

struct Policy {
  std::string id;
  std::string direction;  // "ingress" | "egress"
  std::string description;
  std::vector<PolicyEndpoint> applied_to;
  std::vector<PolicyIngressGroup> ingress;

  bool operator==(const Policy&) const = default;
};

// Decodes the JSON form. Errors: InvalidArgument naming the field for wrong types and unknown
// keys. Does not check meaning (policy::Validate). Legacy 1.x fields ("name",
// "securitypolicies") are unknown keys and rejected with a hint.
absl::StatusOr<Policy> ParsePolicy(const nlohmann::json& json);

// The canonical JSON form (empty optional fields left out; ints as numbers).
// ParsePolicy(ToJson(p)) == p for every p.
nlohmann::json ToJson(const Policy& policy);

}  // namespace romana::api

#endif  // ROMANA_API_ROMANA_POLICY_H_
