#include "policy/policy.h"

#include <string>
#include <tuple>
#include <vector>

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::policy {
namespace {

using nlohmann::json;

json Good() {
  return json::parse(R"({
    "id": "kube.tenant-a.pol1", "direction": "ingress", "description": "demo",
    "applied_to": [{"tenant_id": "tenant-a", "segment_id": "backend"}],
    "ingress": [{"peers": [{"tenant_id": "tenant-a", "segment_id": "frontend"}],
                 "rules": [{"protocol": "tcp", "ports": [80], "port_ranges": [[8000, 8080]]}]}]})");
}

// Returns the field of the first error of ParseAndValidate, or "OK".
std::string FieldOfError(const json& j) {
  absl::StatusOr<Policy> p = ParseAndValidate(j);
  if (p.ok()) return "OK";
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  return api::FieldOf(p.status()).value_or("<none>");
}

TEST(PolicyTest, GoodPolicyParsesAndRoundTrips) {
  absl::StatusOr<Policy> p = ParseAndValidate(Good());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->applied_to[0].segment_id, "backend");
  EXPECT_EQ(p->ingress[0].rules[0].port_ranges[0], (std::pair<int64_t, int64_t>(8000, 8080)));
  absl::StatusOr<Policy> back = api::ParsePolicy(api::ToJson(*p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *p);
}

TEST(PolicyTest, ReferenceTestdataShapesAreValid) {
  // The six listener test cases of reference §5.5 (targets / peers / rules).
  const std::vector<std::tuple<json, json, json>> cases = {
      {{{"tenant_id", "tenant-a"}, {"segment_id", "backend"}}, {{"peer", "any"}}, {{"protocol", "tcp"}, {"ports", {80}}}},
      {{{"tenant_id", "tenant-a"}, {"segment_id", "backend"}}, {{"tenant_id", "tenant-a"}, {"segment_id", "frontend"}}, {{"protocol", "tcp"}, {"ports", {80}}}},
      {{{"tenant_id", "tenant-a"}, {"segment_id", "backend"}}, {{"tenant_id", "kube-system"}}, {{"protocol", "tcp"}, {"ports", {80}}}},
      {{{"tenant_id", "tenant-a"}, {"segment_id", "backend"}}, {{"tenant_id", "tenant-a"}, {"segment_id", "frontend"}}, {{"protocol", "any"}}},
      {{{"tenant_id", "tenant-a"}, {"segment_id", "backend"}}, {{"tenant_id", "tenant-a"}}, {{"protocol", "tcp"}, {"ports", {80}}}},
      {{{"tenant_id", "tenant-a"}}, {{"tenant_id", "tenant-a"}, {"segment_id", "frontend"}}, {{"protocol", "tcp"}, {"ports", {80}}}},
  };
  for (const auto& [target, peer, rule] : cases) {
    json j = {{"id", "p"}, {"direction", "ingress"}, {"applied_to", {target}},
              {"ingress", {{{"peers", {peer}}, {"rules", {rule}}}}}};
    EXPECT_EQ(FieldOfError(j), "OK") << j.dump();
  }
  // dhcp-host: to dest host from local, UDP 67.
  json dhcp = {{"id", "dhcp"}, {"direction", "ingress"}, {"applied_to", {{{"dest", "host"}}}},
               {"ingress", {{{"peers", {{{"peer", "local"}}}}, {"rules", {{{"protocol", "udp"}, {"ports", {67}}}}}}}}};
  EXPECT_EQ(FieldOfError(dhcp), "OK");
}

TEST(PolicyTest, RequiredTopLevelFields) {
  json j = Good();
  j.erase("id");
  EXPECT_EQ(FieldOfError(j), "id");
  j = Good();
  j["id"] = "a/b";
  EXPECT_EQ(FieldOfError(j), "id");
  j = Good();
  j.erase("direction");
  EXPECT_EQ(FieldOfError(j), "direction");
  j = Good();
  j["direction"] = "both";
  EXPECT_EQ(FieldOfError(j), "direction");
  j = Good();
  j["direction"] = "Ingress";  // case matters: the agent compares exactly
  EXPECT_EQ(FieldOfError(j), "direction");
  j = Good();
  j["applied_to"] = json::array();
  EXPECT_EQ(FieldOfError(j), "applied_to");
  j = Good();
  j.erase("ingress");
  EXPECT_EQ(FieldOfError(j), "ingress");
  j = Good();
  j["ingress"][0]["peers"] = json::array();
  EXPECT_EQ(FieldOfError(j), "ingress[0].peers");
  j = Good();
  j["ingress"][0].erase("rules");
  EXPECT_EQ(FieldOfError(j), "ingress[0].rules");
}

TEST(PolicyTest, TypeErrorsAndUnknownFields) {
  json j = Good();
  j["applied_to"] = "tenant-a";
  EXPECT_EQ(FieldOfError(j), "applied_to");
  j = Good();
  j["applied_to"][0]["tenant"] = "x";
  EXPECT_EQ(FieldOfError(j), "applied_to[0].tenant");
  j = Good();
  j["ingress"][0]["rules"][0]["ports"] = {"80"};
  EXPECT_EQ(FieldOfError(j), "ingress[0].rules[0].ports[0]");
  j = Good();
  j["ingress"][0]["rules"][0]["port_ranges"] = {{1, 2, 3}};
  EXPECT_EQ(FieldOfError(j), "ingress[0].rules[0].port_ranges[0]");
  j = Good();
  j["ingress"][0]["rules"][0]["is_stateful"] = "yes";
  EXPECT_EQ(FieldOfError(j), "ingress[0].rules[0].is_stateful");
  j = Good();
  j["name"] = "legacy";
  EXPECT_EQ(FieldOfError(j), "name");
  EXPECT_EQ(FieldOfError(json{{"securitypolicies", json::array()}}), "securitypolicies");
  EXPECT_EQ(FieldOfError(json::array()), "<none>");
}

// Every (direction, target, peer) combination against the enforceable set (reference §5.4.4).
TEST(PolicyTest, TargetPeerMatrix) {
  const std::vector<std::pair<std::string, json>> targets = {
      {"tenant", {{"tenant_id", "a"}}},
      {"segment", {{"tenant_id", "a"}, {"segment_id", "s"}}},
      {"host", {{"dest", "host"}}},
      {"local", {{"dest", "local"}}},
      {"cidr", {{"cidr", "10.0.0.0/8"}}},
      {"peerany", {{"peer", "any"}}},
      {"segonly", {{"segment_id", "s"}}},
      {"empty", json::object()},
      {"hostplustenant", {{"dest", "host"}, {"tenant_id", "a"}}},
  };
  const std::vector<std::pair<std::string, json>> peers = {
      {"any", {{"peer", "any"}}},
      {"local", {{"peer", "local"}}},
      {"host", {{"peer", "host"}}},
      {"cidr", {{"cidr", "192.168.0.0/16"}}},
      {"tenant", {{"tenant_id", "b"}}},
      {"segment", {{"tenant_id", "b"}, {"segment_id", "t"}}},
      {"segonly", {{"segment_id", "t"}}},
      {"dest", {{"dest", "host"}}},
      {"mixed", {{"peer", "any"}, {"cidr", "10.0.0.0/8"}}},
      {"empty", json::object()},
      {"unknown", {{"peer", "everyone"}}},
  };
  for (const std::string direction : {"ingress", "egress"}) {
    for (const auto& [tname, target] : targets) {
      for (const auto& [pname, peer] : peers) {
        json j = {{"id", "p"}, {"direction", direction}, {"applied_to", {target}},
                  {"ingress", {{{"peers", {peer}}, {"rules", {{{"protocol", "any"}}}}}}}};
        const bool target_ok = tname == "tenant" || tname == "segment" || (tname == "host" && direction == "ingress");
        const bool peer_shape_ok = pname == "any" || pname == "local" || pname == "cidr" || pname == "tenant" || pname == "segment";
        bool want_ok = false;
        if (target_ok && peer_shape_ok) {
          if (tname == "host") want_ok = pname == "local" || pname == "tenant" || pname == "segment";
          else want_ok = pname != "local";
        }
        const std::string got = FieldOfError(j);
        if (want_ok) {
          EXPECT_EQ(got, "OK") << direction << " " << tname << " " << pname;
        } else {
          EXPECT_NE(got, "OK") << direction << " " << tname << " " << pname;
          // The error names something inside applied_to or the peer.
          EXPECT_TRUE(got.rfind("applied_to[0]", 0) == 0 || got.rfind("ingress[0].peers[0]", 0) == 0)
              << direction << " " << tname << " " << pname << " -> " << got;
          if (!target_ok) {
            EXPECT_EQ(got.rfind("applied_to[0]", 0), 0u) << tname << " " << pname;
          }
        }
      }
    }
  }
}

TEST(PolicyTest, CidrPeersAreStrict) {
  for (const auto& [cidr, ok] : std::vector<std::pair<std::string, bool>>{
           {"10.0.0.0/8", true}, {"0.0.0.0/0", true}, {"1.2.3.4/32", true}, {"10.0.0.1/8", false},
           {"10.0.0.0/33", false}, {"10.0.0.0", false}, {"256.0.0.0/8", false}, {"10.0.0/8", false},
           {"010.0.0.0/8", false}, {"10.0.0.0/-1", false}, {"10.0.0.0/", false}, {"a.b.c.d/8", false}}) {
    json j = Good();
    j["ingress"][0]["peers"] = {{{"cidr", cidr}}};
    EXPECT_EQ(FieldOfError(j), ok ? "OK" : "ingress[0].peers[0].cidr") << cidr;
  }
}

json WithRule(const json& rule) {
  json j = Good();
  j["ingress"][0]["rules"] = {rule};
  return j;
}

TEST(PolicyTest, ProtocolsAndPorts) {
  const std::string f = "ingress[0].rules[0]";
  EXPECT_EQ(FieldOfError(WithRule({{"ports", {80}}})), f + ".protocol");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "sctp"}})), f + ".protocol");
  for (const std::string p : {"tcp", "udp", "TCP", "Udp", "icmp", "any", "ANY"}) {
    EXPECT_EQ(FieldOfError(WithRule({{"protocol", p}})), "OK") << p;
  }
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "tcp"}, {"ports", {1, 65535}}})), "OK");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "tcp"}, {"ports", {80, 65536}}})), f + ".ports[1]");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "udp"}, {"ports", {0}}})), f + ".ports[0]");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "udp"}, {"ports", {-5}}})), f + ".ports[0]");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "tcp"}, {"port_ranges", {{100, 100}}}})), "OK");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "tcp"}, {"port_ranges", {{100, 99}}}})), f + ".port_ranges[0]");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "tcp"}, {"port_ranges", {{1, 2}, {0, 9}}}})), f + ".port_ranges[1]");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "tcp"}, {"port_ranges", {{1, 70000}}}})), f + ".port_ranges[0]");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "icmp"}, {"ports", {80}}})), f + ".ports");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "any"}, {"port_ranges", {{1, 2}}}})), f + ".port_ranges");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "tcp"}, {"icmp_type", 3}})), f + ".icmp_type");
  EXPECT_EQ(FieldOfError(WithRule({{"protocol", "udp"}, {"icmp_code", 1}})), f + ".icmp_code");
}

TEST(PolicyTest, IcmpTypeCodeTableIsExhaustive) {
  const std::string f = "ingress[0].rules[0]";
  for (int type = -1; type <= 256; ++type) {
    int max_code = type == 3 ? 15 : type == 5 ? 3 : type == 11 ? 1 : 0;
    for (int code = -1; code <= 16; ++code) {
      std::string got = FieldOfError(WithRule({{"protocol", "icmp"}, {"icmp_type", type}, {"icmp_code", code}}));
      if (type < 0 || type > 255) {
        EXPECT_EQ(got, f + ".icmp_type") << type << "/" << code;
      } else if (code < 0 || code > max_code) {
        EXPECT_EQ(got, f + ".icmp_code") << type << "/" << code;
      } else {
        EXPECT_EQ(got, "OK") << type << "/" << code;
      }
    }
  }
}

TEST(PolicyTest, ErrorsPointAtTheRightGroupAndRule) {
  json j = Good();
  j["ingress"].push_back(j["ingress"][0]);
  j["ingress"][1]["rules"].push_back({{"protocol", "bogus"}});
  EXPECT_EQ(FieldOfError(j), "ingress[1].rules[1].protocol");
  j = Good();
  j["applied_to"].push_back({{"dest", "local"}});
  EXPECT_EQ(FieldOfError(j), "applied_to[1].dest");
}

TEST(PolicyTest, Ids) {
  EXPECT_TRUE(IsValidId("kube.tenant-a.pol1.a8e9618f-ab1d-11e7-a1ea-068bf013416e"));
  EXPECT_TRUE(IsValidId("a_b"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(".."));
  EXPECT_FALSE(IsValidId("a b"));
  EXPECT_FALSE(IsValidId("a:b"));
  EXPECT_FALSE(IsValidId(std::string(254, 'x')));
  EXPECT_TRUE(IsValidId(std::string(253, 'x')));
}

}  // namespace
}  // namespace romana::policy
