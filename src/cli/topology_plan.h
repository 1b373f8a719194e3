// topology_plan.h: `romanactl topology plan`: the address plan of a topology, computed offline
// (no romanad needed) so users can design their topology. Pure; thread-safe.
#ifndef ROMANA_CLI_TOPOLOGY_PLAN_H_
#define ROMANA_CLI_TOPOLOGY_PLAN_H_

#include <string>

#include "absl/status/statusor.h"

namespace romana::cli {

// `topology_json` (or, when empty, the built-in `builtin`, e.g. "kubeadm", "aws-us-east-1"),
// with `overrides` ("name=cidr,...") applied. Returns the report text: per group its path,
// name, CIDR, assignment, block capacity, and per network the routes an upstream router needs;
// JSON when `json` is true (ipam/plan_report.h). InvalidArgument naming the field for a bad topology.
absl::StatusOr<std::string> TopologyPlan(const std::string& topology_json, const std::string& builtin,
                                         const std::string& overrides, bool json);

}  // namespace romana::cli

#endif  // ROMANA_CLI_TOPOLOGY_PLAN_H_
