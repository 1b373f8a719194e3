// plan_interpreter.h: evaluates compiled NodePlans the way the agent's nftables table does
// (node_plan.h: the verdict rules plus the renderer's fixed rules: self, host <-> own pods), so
// tests can compare the compiler against the reference evaluator. Test support; pure,
// thread-safe.
#ifndef ROMANA_POLICY_TESTING_PLAN_INTERPRETER_H_
#define ROMANA_POLICY_TESTING_PLAN_INTERPRETER_H_

#include <map>
#include <string>

#include "policy/cluster.h"
#include "policy/node_plan.h"
#include "policy/reference_evaluator.h"

namespace romana::policy {

// `plans` maps node name -> that node's plan; every node with pods must have one.
bool PlanAllows(const Cluster& cluster, const std::map<std::string, NodePlan>& plans, const TrafficEnd& source,
                const TrafficEnd& destination, Protocol protocol, uint16_t port);

// "" when `plan` is well formed: every set a chain names exists, every chain a pod lists exists,
// no set or chain is unused, names are unique and sorted, members sorted and disjoint, chains
// non-empty, ports and destination_port_set never both set. Otherwise what is wrong.
std::string PlanDefects(const NodePlan& plan);

// CompileNodePlan for every node that has pods.
std::map<std::string, NodePlan> CompileAllNodes(const Cluster& cluster, const PolicySet& policies);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_TESTING_PLAN_INTERPRETER_H_
