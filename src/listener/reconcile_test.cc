#include "listener/reconcile.h"

#include "gtest/gtest.h"

namespace romana::listener {
namespace {

using nlohmann::json;

api::Host ActualHost(const std::string& name, const std::string& ip, api::Labels labels = {}, bool is_static = false) {
  return {.name = name, .ip = ip, .labels = labels, .is_static = is_static};
}

std::vector<std::string> Described(const std::vector<Op>& ops) {
  std::vector<std::string> out;
  for (const Op& op : ops) out.push_back(Describe(op));
  return out;
}

TEST(ReconcileTest, HostsAddRelabelRemoveButNeverStaticOrUntranslatable) {
  DesiredState d;
  d.hosts["new"] = {"new", "10.0.0.1", {}};
  d.hosts["relabel"] = {"relabel", "10.0.0.2", {{"rack", "r2"}}};
  d.hosts["same"] = {"same", "10.0.0.3", {{"rack", "r1"}}};
  d.hosts["moved"] = {"moved", "10.0.0.99", {}};
  d.hosts["static-node"] = {"static-node", "10.9.9.9", {{"x", "y"}}};  // a node named like a static host
  d.untranslatable_nodes = {"no-ip-yet"};
  ActualState a;
  a.hosts["relabel"] = ActualHost("relabel", "10.0.0.2", {{"rack", "r1"}});
  a.hosts["same"] = ActualHost("same", "10.0.0.3", {{"rack", "r1"}});
  a.hosts["moved"] = ActualHost("moved", "10.0.0.4");
  a.hosts["deleted-node"] = ActualHost("deleted-node", "10.0.0.5");
  a.hosts["static-1"] = ActualHost("static-1", "10.0.1.1", {}, true);
  a.hosts["static-node"] = ActualHost("static-node", "10.0.1.2", {}, true);
  a.hosts["no-ip-yet"] = ActualHost("no-ip-yet", "10.0.0.6");
  const std::vector<Op> ops = Diff(d, a);
  EXPECT_EQ(Described(ops), (std::vector<std::string>{"delete host deleted-node", "delete host moved", "put host moved",
                                                      "put host new", "relabel host relabel"}));
  // Applied, the same diff is empty: a second pass writes nothing.
  for (const Op& op : ops) ApplyToActual(op, a);
  EXPECT_TRUE(Diff(d, a).empty());
}

TEST(ReconcileTest, NamespacesEndpointsPoliciesConvergeToExactlyTheDesiredSet) {
  DesiredState d;
  d.namespaces["a"] = {"a", {{"kubernetes.io/metadata.name", "a"}}, true};
  d.endpoints["a/p1"] = {.namespace_name = "a", .name = "p1", .node = "n", .ip = "10.0.0.1", .labels = {{"k", "v"}}};
  d.endpoints["a/p2"] = {.namespace_name = "a", .name = "p2", .node = "n", .ip = "10.0.0.2"};
  d.network_policies["a/np"] = {{"metadata", {{"name", "np"}, {"namespace", "a"}}}, {"spec", {{"podSelector", json::object()}}}};
  ActualState a;
  a.namespaces["a"] = {"a", {{"kubernetes.io/metadata.name", "a"}}, false};
  a.namespaces["gone"] = {"gone", {}, false};
  a.endpoints["a/p1"] = d.endpoints["a/p1"];
  a.endpoints["a/p2"] = {.namespace_name = "a", .name = "p2", .node = "n", .ip = "10.0.0.3"};
  a.endpoints["a/old"] = {.namespace_name = "a", .name = "old", .node = "n", .ip = "10.0.0.4"};
  a.network_policies["a/stale"] = json::object();
  const std::vector<Op> ops = Diff(d, a);
  EXPECT_EQ(Described(ops), (std::vector<std::string>{"delete namespace gone", "delete endpoint a/old",
                                                      "delete networkpolicy a/stale", "put namespace a",
                                                      "put endpoint a/p2", "put networkpolicy a/np"}));
  for (const Op& op : ops) ApplyToActual(op, a);
  EXPECT_TRUE(Diff(d, a).empty());
  EXPECT_EQ(a.endpoints.at("a/p2").ip, "10.0.0.2");
}

TEST(ReconcileTest, DiffKeyLooksAtOneKeyOnly) {
  DesiredState d;
  d.endpoints["a/p1"] = {.namespace_name = "a", .name = "p1", .node = "n", .ip = "10.0.0.1"};
  ActualState a;
  a.endpoints["a/p9"] = {.namespace_name = "a", .name = "p9", .node = "n", .ip = "10.0.0.9"};
  EXPECT_EQ(Described(DiffKey(Kind::kEndpoint, "a/p1", d, a)), std::vector<std::string>{"put endpoint a/p1"});
  EXPECT_EQ(Described(DiffKey(Kind::kEndpoint, "a/p9", d, a)), std::vector<std::string>{"delete endpoint a/p9"});
  EXPECT_TRUE(DiffKey(Kind::kEndpoint, "a/none", d, a).empty());
}

}  // namespace
}  // namespace romana::listener
