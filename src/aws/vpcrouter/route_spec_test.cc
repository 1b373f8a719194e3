#include "aws/vpcrouter/route_spec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::vpcrouter {
namespace {

using ::testing::HasSubstr;

TEST(RouteSpecTest, ParsesDedupesAndSorts) {
  auto s = ParseRouteSpecJson(R"({"10.55.16.0/24": ["10.33.20.142"],
                                  "10.66.17.0/24": ["10.33.30.22", "10.33.20.93", "10.33.30.22"],
                                  "10.77.0.0/16": []})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)["10.66.17.0/24"], (std::vector<std::string>{"10.33.20.93", "10.33.30.22"}));
  EXPECT_TRUE((*s)["10.77.0.0/16"].empty());
  EXPECT_EQ(AllHosts(*s), (std::vector<std::string>{"10.33.20.142", "10.33.20.93", "10.33.30.22"}));
  EXPECT_EQ(*ParseRouteSpecJson(RouteSpecToJson(*s)), *s);
}

TEST(RouteSpecTest, RejectsBadInputNamingTheField) {
  struct Case { const char* json; const char* expect; } cases[] = {
      {"[1,2]", "top level must be an object"},
      {"{nope", "not valid JSON"},
      {R"({"10.1.0.0": ["10.0.0.1"]})", "is not a CIDR"},
      {R"({"10.1.0.1/16": ["10.0.0.1"]})", "10.1.0.1/16"},
      {R"({"10.1.0.0/33": ["10.0.0.1"]})", "10.1.0.0/33"},
      {R"({"10.1.0.0/16": "10.0.0.1"})", "value must be a list"},
      {R"({"10.1.0.0/16": ["10.0.0.300"]})", "host '10.0.0.300' is not an IPv4 address"},
      {R"({"10.1.0.0/16": [5]})", "every host must be a string"},
  };
  for (const auto& c : cases) {
    auto s = ParseRouteSpecJson(c.json);
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.status().message(), HasSubstr(c.expect)) << c.json;
  }
}

TEST(RouteSpecTest, FromRomanadGroupsAndHosts) {
  auto s = RouteSpecFromRomanad(
      R"({"groups": [
        {"network": "n", "path": "/0", "name": "g0", "cidr": "10.112.0.0/15", "leaf": false, "padding": false},
        {"network": "n", "path": "/0/0", "name": "g00", "cidr": "10.112.0.0/16", "leaf": true},
        {"network": "n", "path": "/0/1", "name": "g01", "cidr": "10.113.0.0/16", "leaf": true, "padding": true},
        {"network": "n", "path": "/1", "name": "g1", "cidr": "10.114.0.0/15", "leaf": true},
        {"network": "n", "path": "/2", "name": "g2", "cidr": "10.116.0.0/15", "leaf": true},
        {"network": "m", "path": "/0", "name": "m0", "cidr": "10.114.0.0/15", "leaf": true}
      ], "revision": 9})",
      R"({"hosts": [{"name": "node-1", "ip": "192.168.99.10", "groups": {"n": "/0/0"}},
                    {"name": "node-2", "ip": "192.168.99.11", "groups": {"n": "/0/0", "x": "/5"}},
                    {"name": "node-3", "ip": "192.168.99.12", "groups": {"n": "/1"}},
                    {"name": "node-4", "ip": "192.168.99.13", "groups": {"m": "/0"}},
                    {"name": "node-5", "ip": "192.168.99.14", "groups": {}}], "revision": 9})");
  ASSERT_TRUE(s.ok()) << s.status();
  // Membership from the hosts' "groups"; two networks' groups with one CIDR share it; a group
  // without hosts, a padding group and an unknown group ("x") give nothing.
  EXPECT_EQ(*s, (RouteSpec{{"10.112.0.0/16", {"192.168.99.10", "192.168.99.11"}},
                           {"10.114.0.0/15", {"192.168.99.12", "192.168.99.13"}}}));
  // A group list of the old layout (groups listing "hosts") gives the same: the lists are ignored.
  auto old = RouteSpecFromRomanad(
      R"({"groups": [{"network": "n", "path": "/0", "cidr": "10.1.0.0/16", "leaf": true, "hosts": ["ghost"]}]})",
      R"({"hosts": [{"name": "a", "ip": "10.0.0.1", "groups": {"n": "/0"}}]})");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(*old, (RouteSpec{{"10.1.0.0/16", {"10.0.0.1"}}}));
  auto no_ip = RouteSpecFromRomanad(R"({"groups": []})", R"({"hosts": [{"name": "a", "groups": {}}]})");
  EXPECT_THAT(no_ip.status().message(), HasSubstr("romanad hosts[0]: every host needs an \"ip\""));
  auto bad_groups = RouteSpecFromRomanad(R"({"groups": []})", R"({"hosts": [{"ip": "10.0.0.1", "groups": {"n": 3}}]})");
  EXPECT_THAT(bad_groups.status().message(), HasSubstr("romanad hosts[0].groups"));
  auto bad_types = RouteSpecFromRomanad(R"({"groups": [{"network": 1, "path": [], "leaf": "yes", "cidr": 2}]})",
                                        R"({"hosts": []})");
  EXPECT_TRUE(bad_types.ok()) << bad_types.status();  // not a leaf: ignored, no exception
  EXPECT_FALSE(RouteSpecFromRomanad("{}", R"({"hosts": []})").ok());
}

TEST(RouteSpecTest, FromStoreGroupAndHostRecords) {
  const std::vector<std::pair<std::string, std::string>> hosts = {
      {"/romana/hosts/a", R"({"name":"a","ip":"10.0.1.4","labels":{},"groups":{"romana-network":"/0/0"},"static":false})"},
      {"/romana/hosts/b", R"({"name":"b","ip":"10.0.1.5","labels":{},"groups":{"romana-network":"/0/0"},"static":false})"},
      {"/romana/hosts/c", R"({"name":"c","ip":"10.0.1.6","labels":{},"groups":{"romana-network":"/0/1"},"static":true})"},
  };
  // The current layout: group records without member lists.
  auto s = RouteSpecFromStoreRecords(
      {
          {"/romana/groups/romana-network/0", R"({"network":"romana-network","path":"/0","name":"g0","cidr":"10.112.0.0/15","assignment":{},"leaf":false,"padding":false})"},
          {"/romana/groups/romana-network/0/0", R"({"network":"romana-network","path":"/0/0","cidr":"10.112.0.0/16","leaf":true,"padding":false})"},
          {"/romana/groups/romana-network/0/1", R"({"network":"romana-network","path":"/0/1","cidr":"10.113.0.0/16","leaf":true,"padding":true})"},
          {"/romana/groups/romana-network/1", R"({"network":"romana-network","path":"/1","cidr":"10.114.0.0/15","leaf":true,"padding":false})"},
      },
      hosts);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, (RouteSpec{{"10.112.0.0/16", {"10.0.1.4", "10.0.1.5"}}}));
  // The old layout (group records listing "hosts" and "host_ips", stale here) gives the same.
  auto old = RouteSpecFromStoreRecords(
      {{"/romana/groups/romana-network/0/0", R"({"network":"romana-network","path":"/0/0","cidr":"10.112.0.0/16","leaf":true,"padding":false,"hosts":["a"],"host_ips":["10.0.1.9"]})"}},
      hosts);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(*old, *s);
  auto bad = RouteSpecFromStoreRecords(
      {{"/romana/groups/x", R"({"network":"romana-network","path":"/0/0","leaf":true,"cidr":"10.1.0.1/16"})"}}, hosts);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("/romana/groups/x"));
  EXPECT_FALSE(RouteSpecFromStoreRecords({{"/romana/groups/y", "not json"}}, {}).ok());
  auto bad_host = RouteSpecFromStoreRecords({}, {{"/romana/hosts/z", R"({"name":"z"})"}});
  EXPECT_THAT(std::string(bad_host.status().message()), HasSubstr("/romana/hosts/z"));
}

TEST(RouteSpecTest, FromLegacyRomanaIpamNestedGroupsChildrenFirst) {
  auto s = RouteSpecFromLegacyIpam(R"({"networks": {
      "romana-network": {"name": "romana-network", "cidr": "100.96.0.0/11", "host_groups": {
        "name": "", "hosts": null, "groups": [
          {"name": "a", "cidr": "100.96.0.0/16", "hosts": [{"name": "h1", "ip": "10.0.1.4"}, {"name": "h2", "ip": "10.0.1.5"}], "groups": []},
          {"name": "b", "cidr": "100.97.0.0/16", "hosts": [], "groups": [
             {"name": "b1", "cidr": "100.97.0.0/17", "hosts": [{"name": "h3", "ip": "10.0.2.4"}]}]},
          {"name": "c", "hosts": [{"name": "h4", "ip": "10.0.2.5"}]}
        ]}}}})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, (RouteSpec{{"100.96.0.0/16", {"10.0.1.4", "10.0.1.5"}}, {"100.97.0.0/17", {"10.0.2.4"}}}));
  EXPECT_TRUE(RouteSpecFromLegacyIpam("{}")->empty());
}

TEST(RouteSpecTest, NetworkCidrsFromRomanadAndRecords) {
  EXPECT_EQ(*NetworkCidrsFromRomanad(R"({"networks": [{"name": "b", "cidr": "10.200.0.0/16"},
                                                      {"name": "a", "cidr": "10.112.0.0/12"}]})"),
            (std::vector<std::string>{"10.112.0.0/12", "10.200.0.0/16"}));
  EXPECT_THAT(NetworkCidrsFromRomanad(R"({"networks": [{"name": "a"}]})").status().message(),
              ::testing::HasSubstr("networks[0]"));
  EXPECT_THAT(NetworkCidrsFromRecords({{"/romana/networks/a", R"({"cidr": "10.112.0.1/12"})"}}).status().message(),
              ::testing::HasSubstr("/romana/networks/a"));
}

TEST(RouteSpecTest, RoutesNothingWhenNoCidrHasAHost) {
  EXPECT_TRUE(RoutesNothing({}));
  EXPECT_TRUE(RoutesNothing({{"100.96.0.0/24", {}}}));
  EXPECT_FALSE(RoutesNothing({{"100.96.0.0/24", {}}, {"100.96.1.0/24", {"10.0.1.1"}}}));
}

}  // namespace
}  // namespace romana::vpcrouter
