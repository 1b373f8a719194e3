#include "policy/testing/world.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "policy/node_plan_compiler.h"
#include "policy/testing/plan_interpreter.h"

namespace romana::policy {

void World::AddNamespace(const std::string& name, Labels labels, bool isolated) {
  cluster.namespaces.push_back({name, std::move(labels), isolated});
  dirty_ = true;
}

void World::AddPod(const std::string& ns, const std::string& name, const std::string& node, const std::string& ip,
                   Labels labels, std::vector<NamedPort> ports) {
  absl::StatusOr<uint32_t> address = ParseIpv4(ip, "ip");
  ASSERT_TRUE(address.ok()) << address.status();
  cluster.pods.push_back({ns, name, *address, node, std::move(labels), std::move(ports)});
  dirty_ = true;
}

void World::AddNetworkPolicy(const std::string& json_text) {
  absl::StatusOr<NetworkPolicy> p = ParseNetworkPolicy(nlohmann::json::parse(json_text));
  ASSERT_TRUE(p.ok()) << p.status() << "\n" << json_text;
  policies.network_policies.push_back(*std::move(p));
  dirty_ = true;
}

void World::AddRomanaPolicy(const std::string& json_text) {
  absl::StatusOr<Policy> p = api::ParsePolicy(nlohmann::json::parse(json_text));
  ASSERT_TRUE(p.ok()) << p.status() << "\n" << json_text;
  policies.romana_policies.push_back(*std::move(p));
  dirty_ = true;
}

TrafficEnd World::End(const std::string& spec) {
  if (absl::StartsWith(spec, "host:")) {
    std::vector<std::string> parts = absl::StrSplit(spec.substr(5), '@');
    return TrafficEnd::ForHost(parts[0], ParseIpv4(parts[1], "ip").value_or(0));
  }
  if (absl::StrContains(spec, "/")) {
    std::vector<std::string> parts = absl::StrSplit(spec, '/');
    return TrafficEnd::ForPod(parts[0], parts[1]);
  }
  return TrafficEnd::ForAddress(ParseIpv4(spec, "ip").value_or(0));
}

bool World::Reference(const std::string& from, const std::string& to, Protocol protocol, uint16_t port) const {
  return Allowed(cluster, policies, End(from), End(to), protocol, port);
}

const NodePlan& World::Plan(const std::string& node) {
  if (dirty_) {
    plans_ = CompileAllNodes(cluster, policies);
    for (const auto& [name, plan] : plans_) EXPECT_EQ(PlanDefects(plan), "") << "node " << name;
    dirty_ = false;
  }
  return plans_[node];
}

bool World::Compiled(const std::string& from, const std::string& to, Protocol protocol, uint16_t port) {
  Plan("");
  return PlanAllows(cluster, plans_, End(from), End(to), protocol, port);
}

void World::Expect(const std::string& from, const std::string& to, Protocol protocol, uint16_t port, bool allowed) {
  const std::string what = std::string(from) + " -> " + to + " " + ProtocolName(protocol) + "/" + std::to_string(port);
  EXPECT_EQ(Reference(from, to, protocol, port), allowed) << "reference evaluator: " << what;
  EXPECT_EQ(Compiled(from, to, protocol, port), allowed) << "compiled plan: " << what;
}

}  // namespace romana::policy
