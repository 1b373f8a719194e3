// world.h: a small cluster-and-policies builder for policy tests, and an expectation that checks
// the reference evaluator and the compiled plans (through plan_interpreter.h) agree with the
// expected answer. Test support; not thread-safe.
#ifndef ROMANA_POLICY_TESTING_WORLD_H_
#define ROMANA_POLICY_TESTING_WORLD_H_

#include <map>
#include <string>
#include <vector>

#include "policy/cluster.h"
#include "policy/node_plan.h"
#include "policy/reference_evaluator.h"

namespace romana::policy {

class World {
 public:
  void AddNamespace(const std::string& name, Labels labels = {}, bool isolated = false);
  // `ip` as "a.b.c.d"; `ports` as {name, protocol, port}.
  void AddPod(const std::string& ns, const std::string& name, const std::string& node, const std::string& ip,
              Labels labels = {}, std::vector<NamedPort> ports = {});
  // Adds a NetworkPolicy from its JSON text; the test fails if it does not parse.
  void AddNetworkPolicy(const std::string& json_text);
  // Adds a native policy from its JSON text; the test fails if it does not parse (it may be
  // semantically invalid on purpose).
  void AddRomanaPolicy(const std::string& json_text);

  // "ns/name" is a pod, "a.b.c.d" an address, "host:<node>@a.b.c.d" a node's host.
  static TrafficEnd End(const std::string& spec);

  // Both the reference evaluator and the compiled plans of every node.
  bool Reference(const std::string& from, const std::string& to, Protocol protocol, uint16_t port) const;
  bool Compiled(const std::string& from, const std::string& to, Protocol protocol, uint16_t port);

  // Expects Reference and Compiled to both equal `allowed`; names the pair when not.
  void Expect(const std::string& from, const std::string& to, Protocol protocol, uint16_t port, bool allowed);

  const NodePlan& Plan(const std::string& node);

  Cluster cluster;
  PolicySet policies;

 private:
  std::map<std::string, NodePlan> plans_;
  bool dirty_ = true;
};

}  // namespace romana::policy

#endif  // ROMANA_POLICY_TESTING_WORLD_H_
