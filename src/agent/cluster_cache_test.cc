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
  EXPECT_EQ(c.ApplyEvent(Put("policy", "/romana/policies/p", nlohmann::json::object())), Result::kIgnored);
  EXPECT_EQ(c.ApplyEvent(Put("block", "/romana/blocks/y", nlohmann::json::array())), Result::kNeedRelist);
}

TEST(ClusterCacheTest, ReplaceForgetsKeysOfThatKind) {
  ClusterCache c;
  ASSERT_EQ(c.ApplyEvent(Put("host", "/romana/hosts/a", {{"name", "a"}, {"ip", "192.168.1.1"}})), Result::kChanged);
  c.ReplaceHosts({});
  EXPECT_EQ(c.ApplyEvent(Del("host", "/romana/hosts/a")), Result::kNeedRelist);
}

}  // namespace
}  // namespace romana::agent
