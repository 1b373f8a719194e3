// policy.h: the meaning of the native Romana policy (reference §5.1): its validation.
//
// The wire format (the structs, ParsePolicy, ToJson) is the API's (api/romana_policy.h); the
// policy library names those types here and adds what they mean. Validate() checks the §5.2
// rules (protocols, ports, ICMP type/code), a required direction, non-empty applied_to, ingress,
// peers and rules, and that every (direction, target, peer) combination is one the dataplane can
// enforce. Every error is an InvalidArgument carrying the JSON path of the bad value
// (api/field_error.h). Pure functions, thread-safe.
#ifndef ROMANA_POLICY_POLICY_H_
#define ROMANA_POLICY_POLICY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/romana_policy.h"
#include "nlohmann/json.hpp"

namespace romana::policy {

using Policy = api::Policy;
using Endpoint = api::PolicyEndpoint;
using Rule = api::PolicyRule;
using IngressGroup = api::PolicyIngressGroup;

// Checks everything described in the header comment. OK or InvalidArgument with the field.
absl::Status Validate(const Policy& policy);

// api::ParsePolicy + Validate.
absl::StatusOr<Policy> ParseAndValidate(const nlohmann::json& json);

// Valid ids are 1..253 characters of [A-Za-z0-9._-] (they become store keys and URL paths).
bool IsValidId(const std::string& id);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_POLICY_H_
