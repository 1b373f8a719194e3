// Topology JSON parsing and validation: every rule, each error naming its JSON path.
#include "ipam/topology.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/errors.h"

namespace romana::ipam {
namespace {

using ::testing::HasSubstr;

struct BadCase {
  std::string json;
  const char* field;
  const char* why;
};

// A valid one-network skeleton with `map` and `net` substituted in.
std::string Doc(const std::string& networks, const std::string& topologies) {
  return R"({"networks":)" + networks + R"(,"topologies":)" + topologies + "}";
}
const std::string kNet = R"([{"name":"n","cidr":"10.0.0.0/16"}])";
std::string Map(const std::string& map) { return R"([{"networks":["n"],"map":)" + map + "}]"; }

TEST(TopologyParseTest, ParsesTheDocumentedFormat) {
  absl::StatusOr<TopologySpec> s = ParseTopology(R"({
    "networks": [{"name": "romana-network", "cidr": "10.112.0.0/12", "block_mask": 28, "tenants": ["web", "db"],
                  "reserved": ["10.112.0.0/31", "10.112.0.9"]}],
    "topologies": [{"networks": ["romana-network"], "map": [
      {"name": "rack-1", "assignment": {"rack": "r1"}, "routing": "block-host-routes", "cidr": "ignored", "groups": []},
      {"name": "static", "groups": [{"name": "h1", "ip": "192.168.0.1"}, {"name": "h2", "ip": "192.168.0.2"}]},
      {"name": "documented-form", "hosts": [{"name": "h3", "ip": "192.168.0.3"}]}]}]})");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->networks.size(), 1u);
  const NetworkSpec& n = s->networks[0];
  EXPECT_EQ(n.cidr.ToString(), "10.112.0.0/12");
  EXPECT_EQ(n.EffectiveBlockMask(), 28);
  EXPECT_EQ(n.tenants, (std::vector<std::string>{"web", "db"}));
  EXPECT_FALSE(n.IsWildcard());
  ASSERT_EQ(n.reserved.size(), 2u);
  EXPECT_EQ(n.reserved[1].ToString(), "10.112.0.9/32");
  const auto& map = s->topologies[0].map;
  ASSERT_EQ(map.size(), 3u);
  EXPECT_EQ(map[0].assignment.at("rack"), "r1");
  EXPECT_EQ(map[0].routing, "block-host-routes");
  ASSERT_EQ(map[1].hosts.size(), 2u);
  EXPECT_EQ(map[1].hosts[1].ip.ToString(), "192.168.0.2");
  EXPECT_TRUE(map[2].hosts_in_hosts_key);
  EXPECT_EQ(map[2].hosts[0].name, "h3");
  // Serialising and parsing again gives the same spec.
  absl::StatusOr<TopologySpec> again = ParseTopology(TopologyToJson(*s));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *s);
}

TEST(TopologyParseTest, BlockMaskDefaults) {
  absl::StatusOr<TopologySpec> s = ParseTopology(Doc(R"([{"name":"a","cidr":"10.0.0.0/16"},
      {"name":"b","cidr":"10.1.0.0/30"}])", R"([{"networks":["a","b"],"map":[{"groups":[]}]}])"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->networks[0].EffectiveBlockMask(), 29);
  EXPECT_EQ(s->networks[1].EffectiveBlockMask(), 30);  // the network's own prefix when longer than /29
  EXPECT_TRUE(s->networks[0].IsWildcard());
}

TEST(TopologyParseTest, RejectsBadInputNamingThePath) {
  const BadCase cases[] = {
      {"not json", "", "not valid JSON"},
      // A number beyond a double (found by fuzz_topology): an error, not an escaped exception.
      {R"({"networks":[{"name":"n","cidr":"10.0.0.0/16","block_mask":1E400}],"topologies":[]})", "",
       "not valid JSON"},
      {std::string(200, '[') + std::string(200, ']'), "", "deeper than"},
      {"[]", "", "must be a JSON object"},
      {R"({"networks":[],"topologies":[],"extra":1})", "extra", "unknown key"},
      {R"({"topologies":[]})", "networks", "required"},
      {R"({"networks":[]})", "topologies", "required"},
      {Doc("[]", "[]"), "networks", "at least one network"},
      // Networks.
      {Doc(R"([{"cidr":"10.0.0.0/16"}])", Map("[{}]")), "networks[0].name", "required"},
      {Doc(R"([{"name":"n"}])", Map("[{}]")), "networks[0].cidr", "required"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.5/16"}])", Map("[{}]")), "networks[0].cidr",
       "not a network address"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/33"}])", Map("[{}]")), "networks[0].cidr", "out of range"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","block_mask":15}])", Map("[{}]")), "networks[0].block_mask",
       "must be 16 <= block_mask <= 32"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","block_mask":33}])", Map("[{}]")), "networks[0].block_mask",
       "out of range"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","block_mask":"29"}])", Map("[{}]")),
       "networks[0].block_mask", "must be an integer"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","tenants":["ok","bad name"]}])", Map("[{}]")),
       "networks[0].tenants[1]", "bad tenant"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","tenants":[""]}])", Map("[{}]")), "networks[0].tenants[0]",
       "bad tenant"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","reserved":["10.1.0.0/24"]}])", Map("[{}]")),
       "networks[0].reserved[0]", "not inside"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","reserved":["10.0.0.0/16"]}])", Map("[{}]")),
       "networks[0].reserved[0]", "whole network"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","reserved":["10.0.0.1/24"]}])", Map("[{}]")),
       "networks[0].reserved[0]", "not a network address"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16","colour":"red"}])", Map("[{}]")), "networks[0].colour",
       "unknown key"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16"},{"name":"n","cidr":"10.1.0.0/16"}])", Map("[{}]")),
       "networks[1].name", "already defined at networks[0]"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16"},{"name":"m","cidr":"10.0.128.0/17"}])",
           R"([{"networks":["n","m"],"map":[{}]}])"),
       "networks[1].cidr", "overlaps"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/17"},{"name":"m","cidr":"10.0.0.0/16"}])",
           R"([{"networks":["n","m"],"map":[{}]}])"),
       "networks[1].cidr", "overlaps"},
      {Doc(R"([{"name":"bad/name","cidr":"10.0.0.0/16"}])", Map("[{}]")), "networks[0].name",
       "[A-Za-z0-9_.-]"},
      // Topologies.
      {Doc(kNet, R"([{"networks":["x"],"map":[{}]}])"), "topologies[0].networks[0]", "not defined"},
      {Doc(kNet, R"([{"networks":["n"],"map":[{}]},{"networks":["n"],"map":[{}]}])"),
       "topologies[1].networks[0]", "appears more than once"},
      {Doc(kNet, R"([{"networks":["n","n"],"map":[{}]}])"), "topologies[0].networks[1]",
       "appears more than once"},
      {Doc(kNet, R"([{"networks":[],"map":[{}]}])"), "topologies[0].networks", "at least one"},
      {Doc(kNet, R"([{"networks":["n"],"map":[]}])"), "topologies[0].map", "at least one group"},
      {Doc(kNet, R"([{"networks":["n"]}])"), "topologies[0].map", "required"},
      {Doc(kNet, R"([{"networks":["n"],"map":[{}],"x":1}])"), "topologies[0].x", "unknown key"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16"},{"name":"unused","cidr":"10.1.0.0/16"}])", Map("[{}]")),
       "networks[1]", "not used by any topology"},
      // Groups.
      {Doc(kNet, Map(R"([{},{"assignment":"rack"}])")), "topologies[0].map[1].assignment",
       "must be an object"},
      {Doc(kNet, Map(R"([{},{"groups":[{},{"assignment":{"rack":1}}]}])")),
       "topologies[0].map[1].groups[1].assignment.rack", "must be strings"},
      {Doc(kNet, Map(R"([{},{"groups":[{},{"assignment":{"":"x"}}]}])")),
       "topologies[0].map[1].groups[1].assignment", "must not be empty"},
      {Doc(kNet, Map(R"([{"asignment":{"rack":"r"}}])")), "topologies[0].map[0].asignment", "unknown key"},
      {Doc(kNet, Map(R"([{"groups":{}}])")), "topologies[0].map[0].groups", "must be an array"},
      {Doc(kNet, Map(R"([{"name":"h","ip":"192.168.0.1"}])")), "topologies[0].map[0]",
       "cannot stand next to groups"},
      {Doc(kNet, Map(R"([{"groups":[{"name":"h","ip":"192.168.0.1"},{"groups":[]}]}])")),
       "topologies[0].map[0].groups[1]", "lists hosts"},
      {Doc(kNet, Map(R"([{"groups":[{"groups":[]},{"name":"h","ip":"192.168.0.1"}]}])")),
       "topologies[0].map[0].groups[1]", "lists groups"},
      {Doc(kNet, Map(R"([{"groups":[{"name":"h","ip":""}]}])")), "topologies[0].map[0].groups[0].ip",
       "both name and ip are required"},
      {Doc(kNet, Map(R"([{"groups":[{"ip":"192.168.0.1"}]}])")), "topologies[0].map[0].groups[0].name",
       "both name and ip are required"},
      {Doc(kNet, Map(R"([{"groups":[{"name":"h","ip":"192.168.0.256"}]}])")),
       "topologies[0].map[0].groups[0].ip", "greater than 255"},
      {Doc(kNet, Map(R"([{"groups":[{"name":"h","ip":"192.168.0.1","rack":"x"}]}])")),
       "topologies[0].map[0].groups[0].rack", "unknown key"},
      {Doc(kNet, Map(R"([{"hosts":[{"name":"h","ip":"192.168.0.1"}],"groups":[{}]}])")),
       "topologies[0].map[0].hosts", "either sub-groups or hosts"},
      {Doc(kNet, Map(R"([{"groups":[{"name":"h","ip":"10.0.0.1"}]}])")),
       "topologies[0].map[0].groups[0].ip", "inside network \"n\""},
      {Doc(kNet, Map(R"([{"groups":[{"name":"h","ip":"192.168.0.1"}]},{"hosts":[{"name":"h","ip":"192.168.0.2"}]}])")),
           
       "topologies[0].map[1].hosts[0].name", "duplicate host name"},
      {Doc(kNet, Map(R"([{"groups":[{"name":"h","ip":"192.168.0.1"}]},{"groups":[{"name":"g","ip":"192.168.0.1"}]}])")),
           
       "topologies[0].map[1].groups[0].ip", "duplicate host IP"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/16"},{"name":"m","cidr":"10.1.0.0/16"}])",
           R"([{"networks":["n"],"map":[{"groups":[{"name":"h","ip":"192.168.0.1"}]}]},
               {"networks":["m"],"map":[{"groups":[{"name":"h","ip":"192.168.0.2"}]}]}])"),
           
       "topologies[1].map", "in another topology"},
      {Doc(kNet, Map(R"([{"groups":[{"name":"h/1","ip":"192.168.0.1"}]}])")),
       "topologies[0].map[0].groups[0].name", "host names"},
      // The tree must fit the CIDR, and every leaf must hold at least one block.
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/30","block_mask":32}])", Map("[{},{},{},{},{}]")),
       "topologies[0].map", "need 3 more prefix bits, but only 2 are left"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/30","block_mask":32}])", Map(R"([{},{"groups":[{},{},{}]}])")),
       "topologies[0].map[1].groups", "need 2 more prefix bits, but only 1 are left"},
      {Doc(R"([{"name":"n","cidr":"10.0.0.0/24"}])", Map("[{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}]")),
       "topologies[0].map[0]", "smaller than one /29 block"},
  };
  for (const BadCase& c : cases) {
    absl::StatusOr<TopologySpec> s = ParseTopology(c.json);
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_EQ(ErrorField(s.status()).value_or(""), c.field) << c.json << "\n" << s.status();
    EXPECT_THAT(s.status().message(), HasSubstr(c.why)) << c.json;
  }
}

TEST(TopologyParseTest, AcceptsEdgeCasesThatFit) {
  // Exactly fitting: 4 groups of a /30 with /32 blocks.
  EXPECT_TRUE(ParseTopology(Doc(R"([{"name":"n","cidr":"10.0.0.0/30","block_mask":32}])", Map("[{},{},{},{}]"))).ok());
  // block_mask equal to the network prefix (accepted, as in the original).
  EXPECT_TRUE(ParseTopology(Doc(R"([{"name":"n","cidr":"10.0.0.0/29","block_mask":29}])", Map("[{}]"))).ok());
  // "*" tenant (what GET /topology of the original returned) is accepted as the wildcard.
  absl::StatusOr<TopologySpec> s =
      ParseTopology(Doc(R"([{"name":"n","cidr":"10.0.0.0/16","tenants":["*"]}])", Map("[{}]")));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->networks[0].IsWildcard());
  // A host may be listed in two topologies with the same IP.
  EXPECT_TRUE(ParseTopology(Doc(R"([{"name":"n","cidr":"10.0.0.0/16"},{"name":"m","cidr":"10.1.0.0/16"}])",
                                R"([{"networks":["n"],"map":[{"groups":[{"name":"h","ip":"192.168.0.1"}]}]},
                                    {"networks":["m"],"map":[{"groups":[{"name":"h","ip":"192.168.0.1"}]}]}])"))
                  .ok());
}

}  // namespace
}  // namespace romana::ipam
