// node_plan_compiler.h: compiles the cluster's policies (both kinds plus namespace isolation,
// via model.h) into the NodePlan one node enforces (node_plan.h). Pure and deterministic: the
// same inputs give the same plan, names included, in every process. Thread-safe.
//
// Cost: pods are indexed by namespace and label (pod_index.h) and each distinct selection is
// resolved once, so a compile is roughly O(pods + policies x pods-in-target-namespace + distinct
// peer selections x candidate pods), not O(pods x policies x peers).
#ifndef ROMANA_POLICY_NODE_PLAN_COMPILER_H_
#define ROMANA_POLICY_NODE_PLAN_COMPILER_H_

#include <string>

#include "policy/cluster.h"
#include "policy/node_plan.h"

namespace romana::policy {

// The plan for `node` (the pods whose Pod::node equals it). Never fails as a whole: a policy
// that cannot be compiled is left out and listed in NodePlan::errors.
// REQUIRES: pod IPs non-zero and unique (cluster.h).
NodePlan CompileNodePlan(const Cluster& cluster, const PolicySet& policies, const std::string& node);

// The stable name suffix used for sets and chains: 16 lowercase hex digits of a 64-bit FNV-1a
// hash of `definition`.
std::string StableHash(const std::string& definition);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_NODE_PLAN_COMPILER_H_
