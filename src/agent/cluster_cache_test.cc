#include "agent/cluster_cache.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

using Result = ClusterCache::EventResult;

api::WatchEvent Put(std::string kind, std::string key, nlohmann::json obj, api::Revision rev = 1) {
  api::WatchEvent e;
  e.type = api::WatchEvent::Type::kPut;
  e.kind = std::move(kind);
  e.key = std::move(key);
  e.object = std::move(obj);
  e.revision = rev;
  return e;
}
api::WatchEvent Del(std::string kind, std::string key) {
  api::WatchEvent e;
  e.type = api::WatchEvent::Type::kDelete;
  e.kind = std::move(kind);
  e.key = std::move(key);
  return e;
}
nlohmann::json BlockJson(std::string cidr, std::string host) {
  return {{"network", "n"}, {"cidr", cidr}, {"group", "/0"}, {"host", host}, {"owner", "default:default"},
          {"allocated", 1}};
}

TEST(ClusterCacheTest, ListThenEventsBuildTheSnapshot) {
  ClusterCache c;
  c.ReplaceHosts({{"a", "192.168.1.1", {}, {}}, {"b", "192.168.1.2", {}, {}}});
  c.ReplaceBlocks({{"n", "10.0.0.0/29", "/0", "a", "default:default", 1}});
  c.ReplaceNetworks({{"n", "10.0.0.0/16", 29}});
  EXPECT_EQ(c.ApplyEvent(Put("block", "/romana/blocks/x", BlockJson("10.0.1.0/29", "b"))), Result::kChanged);
  ClusterSnapshot s = c.Snapshot();
  ASSERT_EQ(s.blocks.size(), 2u);
  EXPECT_EQ(s.hosts.size(), 2u);
  EXPECT_THAT(s.network_cidrs, ::testing::ElementsAre("10.0.0.0/16"));
  // A DELETE of a key seen in a PUT is resolved locally.
  EXPECT_EQ(c.ApplyEvent(Del("block", "/romana/blocks/x")), Result::kChanged);
  EXPECT_EQ(c.Snapshot().blocks.size(), 1u);
}

// Group membership comes from the host records: a host event changes the group's members in
// the snapshot without any group event (romanad no longer rewrites a group per host change).
TEST(ClusterCacheTest, GroupMembersComeFromTheHostRecords) {
  ClusterCache c;
  c.ReplaceGroups({{"n", "/0", "g0", "10.0.0.0/17", {}, true, false}, {"n", "/1", "g1", "10.0.128.0/17", {}, true, false},
                   {"m", "/0", "m0", "10.1.0.0/16", {}, true, false}});
  c.ReplaceHosts({{"b", "192.168.1.2", {}, {{"n", "/0"}}}, {"a", "192.168.1.1", {}, {{"n", "/0"}, {"m", "/0"}}}});
  auto members = [&] {
    std::map<std::string, std::vector<std::string>> out;
    for (const GroupInfo& g : c.Snapshot().groups) out[g.cidr] = g.hosts;
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(members(), (std::map<std::string, V>{{"10.0.0.0/17", {"a", "b"}}, {"10.0.128.0/17", {}}, {"10.1.0.0/16", {"a"}}}));
  EXPECT_EQ(c.ApplyEvent(Put("host", "/romana/hosts/c", {{"name", "c"}, {"ip", "192.168.1.3"}, {"groups", {{"n", "/1"}}}})),
            Result::kChanged);
  EXPECT_EQ(c.ApplyEvent(Del("host", "/romana/hosts/a")), Result::kNeedRelist);  // listed, no prev_object
  api::WatchEvent del = Del("host", "/romana/hosts/b");
  del.prev_object = {{"name", "b"}, {"ip", "192.168.1.2"}};
  EXPECT_EQ(c.ApplyEvent(del), Result::kChanged);
  EXPECT_EQ(members(), (std::map<std::string, V>{{"10.0.0.0/17", {"a"}}, {"10.0.128.0/17", {"c"}}, {"10.1.0.0/16", {"a"}}}));
}

TEST(ClusterCacheTest, DeleteOfAListedObjectAsksForARelist) {
  ClusterCache c;
  c.ReplaceBlocks({{"n", "10.0.0.0/29", "/0", "a", "default:default", 1}});
  EXPECT_EQ(c.ApplyEvent(Del("block", "/romana/blocks/unknown")), Result::kNeedRelist);
}

TEST(ClusterCacheTest, DeleteWithThePreviousObjectResolvesAListedObjectWithoutARelist) {
  ClusterCache c;
  c.ReplaceBlocks({{"n", "10.0.0.0/29", "/0", "a", "default:default", 1}, {"n", "10.0.0.8/29", "/0", "b", "default:default", 1}});
  c.ReplaceHosts({{"a", "192.168.1.1", {}, {}}});
  api::WatchEvent del = Del("block", "/romana/blocks/n/10.0.0.0-29");
  del.prev_object = BlockJson("10.0.0.0/29", "a");
  del.prev_object["network"] = "n";
  EXPECT_EQ(c.ApplyEvent(del), Result::kChanged);
  ASSERT_EQ(c.blocks().size(), 1u);
  EXPECT_EQ(c.blocks().begin()->second.cidr, "10.0.0.8/29");
  api::WatchEvent host = Del("host", "/romana/hosts/a");
  host.prev_object = {{"name", "a"}, {"ip", "192.168.1.1"}};
  EXPECT_EQ(c.ApplyEvent(host), Result::kChanged);
  EXPECT_TRUE(c.hosts().empty());
  // Deleting it again changes nothing.
  EXPECT_EQ(c.ApplyEvent(host), Result::kIgnored);
}

TEST(ClusterCacheTest, OtherKindsAreIgnoredAndBadObjectsAskForARelist) {
  ClusterCache c;
  EXPECT_EQ(c.ApplyEvent(Put("address", "/romana/addresses/p", nlohmann::json::object())), Result::kIgnored);
  EXPECT_EQ(c.ApplyEvent(Put("block", "/romana/blocks/y", nlohmann::json::array())), Result::kNeedRelist);
}

TEST(ClusterCacheTest, ReplaceForgetsKeysOfThatKind) {
  ClusterCache c;
  ASSERT_EQ(c.ApplyEvent(Put("host", "/romana/hosts/a", {{"name", "a"}, {"ip", "192.168.1.1"}})), Result::kChanged);
  c.ReplaceHosts({});
  EXPECT_EQ(c.ApplyEvent(Del("host", "/romana/hosts/a")), Result::kNeedRelist);
}

TEST(ClusterCacheTest, PolicyKindsFeedThePolicyInputs) {
  ClusterCache c;
  c.ReplaceNamespaces({{"web", {{"team", "w"}}, true}});
  c.ReplaceEndpoints({{"web", "a", "n1", "10.0.0.5", {{"app", "a"}}}, {"web", "pending", "n1", "", {}}});
  EXPECT_EQ(c.ApplyEvent(Put("endpoint", "/romana/endpoints/web/b",
                             {{"namespace", "web"}, {"name", "b"}, {"node", "n2"}, {"ip", "10.0.0.6"}})),
            Result::kChanged);
  EXPECT_EQ(c.ApplyEvent(Put("endpoint", "/romana/endpoints/web/dup",
                             {{"namespace", "web"}, {"name", "dup"}, {"node", "n2"}, {"ip", "10.0.0.6"}})),
            Result::kChanged);
  EXPECT_EQ(c.ApplyEvent(Put("policy", "/romana/policies/p",
                             {{"id", "p"}, {"direction", "ingress"},
                              {"applied_to", {{{"tenant_id", "web"}}}},
                              {"ingress", {{{"peers", {{{"peer", "any"}}}}, {"rules", {{{"protocol", "tcp"}}}}}}}})),
            Result::kChanged);
  // An undecodable policy is reported, not stored, and does not force a re-list.
  EXPECT_EQ(c.ApplyEvent(Put("policy", "/romana/policies/bad", {{"id", 5}})), Result::kChanged);
  ClusterCache::PolicyInputs in = c.PolicyInputsSnapshot();
  ASSERT_EQ(in.cluster.namespaces.size(), 1u);
  EXPECT_TRUE(in.cluster.namespaces[0].isolated);
  ASSERT_EQ(in.cluster.pods.size(), 2u);  // "pending" has no address; "dup" reuses b's
  EXPECT_EQ(in.cluster.pods[0].ip, 0x0a000005u);
  EXPECT_EQ(in.cluster.pods[1].node, "n2");
  ASSERT_EQ(in.policies.romana_policies.size(), 1u);
  ASSERT_EQ(in.errors.size(), 2u);
  EXPECT_THAT(in.errors[0], ::testing::HasSubstr("dup"));
  EXPECT_THAT(in.errors[1], ::testing::HasSubstr("/romana/policies/bad"));

  EXPECT_EQ(c.ApplyEvent(Del("policy", "/romana/policies/bad")), Result::kChanged);
  EXPECT_EQ(c.ApplyEvent(Del("policy", "/romana/policies/p")), Result::kChanged);
  EXPECT_EQ(c.ApplyEvent(Del("endpoint", "/romana/endpoints/web/b")), Result::kChanged);
  in = c.PolicyInputsSnapshot();
  EXPECT_TRUE(in.policies.romana_policies.empty());
  EXPECT_EQ(in.errors.size(), 0u);  // dup is now the only holder of 10.0.0.6
  EXPECT_EQ(in.cluster.pods.size(), 2u);
  // The endpoint "a" came from a list: its deletion cannot be resolved locally.
  EXPECT_EQ(c.ApplyEvent(Del("endpoint", "/romana/endpoints/web/a")), Result::kNeedRelist);
}

TEST(ClusterCacheTest, NetworkPoliciesAndNamedPorts) {
  ClusterCache c;
  const nlohmann::json good = nlohmann::json::parse(R"({"metadata": {"name": "p", "namespace": "web"},
      "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})");
  c.ReplaceNetworkPolicies({good, nlohmann::json::parse(R"({"metadata": {"name": "q"}, "spec": {"bogus": 1}})")});
  api::Endpoint e{"web", "a", "n1", "10.0.0.5", {}};
  e.ports = {{"http", 8080, "TCP"}, {"dns", 53, "UDP"}, {"", 9090, "TCP"}};
  c.ReplaceEndpoints({e});
  ClusterCache::PolicyInputs in = c.PolicyInputsSnapshot();
  ASSERT_EQ(in.policies.network_policies.size(), 1u);
  EXPECT_EQ(in.policies.network_policies[0].namespace_name, "web");
  ASSERT_EQ(in.errors.size(), 1u);  // the bad list item is reported
  EXPECT_THAT(in.errors[0], ::testing::HasSubstr("list item 1"));
  ASSERT_EQ(in.cluster.pods[0].ports.size(), 2u);  // named ports only
  EXPECT_EQ(in.cluster.pods[0].ports[0].protocol, policy::Protocol::kTcp);
  EXPECT_EQ(in.cluster.pods[0].ports[1].protocol, policy::Protocol::kUdp);

  EXPECT_EQ(c.ApplyEvent(Put("networkpolicy", "/romana/networkpolicies/web/p", good)), Result::kChanged);
  EXPECT_EQ(c.ApplyEvent(Put("networkpolicy", "/romana/networkpolicies/web/p", {{"spec", 5}})), Result::kChanged);
  in = c.PolicyInputsSnapshot();
  EXPECT_TRUE(in.policies.network_policies.empty());  // replaced by a record that does not decode
  EXPECT_EQ(in.errors.size(), 2u);
  EXPECT_EQ(c.ApplyEvent(Del("networkpolicy", "/romana/networkpolicies/web/p")), Result::kChanged);
  EXPECT_EQ(c.PolicyInputsSnapshot().errors.size(), 1u);
}

}  // namespace
}  // namespace romana::agent
