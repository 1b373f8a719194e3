// policy.h: the native Romana policy (reference §5.1) and its validation.
//
// A Policy is what POST /policies accepts, what the store holds (one key per id) and what the
// agent compiles. Parse() checks JSON types and rejects unknown keys; Validate() checks meaning:
// the §5.2 rules (protocols, ports, ICMP type/code), a required direction, non-empty applied_to,
// ingress, peers and rules, and that every (direction, target, peer) combination is one the
// dataplane can enforce. Every error is an InvalidArgument carrying the JSON path of the bad
// value (api/field_error.h). Pure functions, thread-safe.
#ifndef ROMANA_POLICY_POLICY_H_
#define ROMANA_POLICY_POLICY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::policy {

// A target (in applied_to) or a peer. All fields optional; which combinations are valid is
// decided by Validate().
struct Endpoint {
  std::string peer;        // "any" | "local" | "host" (peer side)
  std::string cidr;        // "10.0.0.0/8" (peer side)
  std::string dest;        // "local" | "host" (target side)
  std::string tenant_id;   // the Kubernetes namespace
  std::string segment_id;  // value of the romana.io/segment label

  bool operator==(const Endpoint&) const = default;
};

struct Rule {
  std::string protocol;  // "tcp" | "udp" | "icmp" | "any" (case-insensitive)
  std::vector<int64_t> ports;
  std::vector<std::pair<int64_t, int64_t>> port_ranges;
  int64_t icmp_type = 0;
  int64_t icmp_code = 0;
  bool is_stateful = false;

  bool operator==(const Rule&) const = default;
};

struct IngressGroup {  // named "ingress" in JSON; used for both directions
  std::vector<Endpoint> peers;
  std::vector<Rule> rules;

  bool operator==(const IngressGroup&) const = default;
};

struct Policy {
  std::string id;
  std::string direction;  // "ingress" | "egress"
  std::string description;
  std::vector<Endpoint> applied_to;
  std::vector<IngressGroup> ingress;

  bool operator==(const Policy&) const = default;
};

// Decodes the JSON form. Errors: InvalidArgument naming the field for wrong types and unknown
// keys. Does not check meaning (see Validate). Legacy 1.x fields ("name", "securitypolicies")
// are unknown keys and rejected with a hint.
absl::StatusOr<Policy> Parse(const nlohmann::json& json);

// The canonical JSON form (empty optional fields left out; ints as numbers). Parse(ToJson(p))
// == p for every p.
nlohmann::json ToJson(const Policy& policy);

// Checks everything described in the header comment. OK or InvalidArgument with the field.
absl::Status Validate(const Policy& policy);

// Parse + Validate.
absl::StatusOr<Policy> ParseAndValidate(const nlohmann::json& json);

// Valid ids are 1..253 characters of [A-Za-z0-9._-] (they become store keys and URL paths).
bool IsValidId(const std::string& id);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_POLICY_H_
