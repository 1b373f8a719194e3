#include "cni/result.h"

#include "gtest/gtest.h"

namespace romana::cni {
namespace {

using nlohmann::json;

Result PodResult() {
  Result r;
  r.interfaces.push_back({.name = "romana1a2b3c4d5", .mac = "aa:aa:aa:aa:aa:aa", .mtu = 1400});
  r.interfaces.push_back({.name = "eth0", .mac = "bb:bb:bb:bb:bb:bb", .sandbox = "/var/run/netns/p", .mtu = 1400});
  r.ips.push_back({.address = "10.112.0.3/32", .gateway = "169.254.1.1", .interface = 1});
  r.routes.push_back({.dst = "0.0.0.0/0", .gw = "169.254.1.1"});
  return r;
}

TEST(CniResultTest, Render030To040HaveIpVersion) {
  for (const char* v : {"0.3.0", "0.3.1", "0.4.0"}) {
    json j = RenderResult(PodResult(), v);
    EXPECT_EQ(j, json::parse(std::string(R"({"cniVersion":")") + v + R"(",
      "interfaces":[{"name":"romana1a2b3c4d5","mac":"aa:aa:aa:aa:aa:aa"},
                    {"name":"eth0","mac":"bb:bb:bb:bb:bb:bb","sandbox":"/var/run/netns/p"}],
      "ips":[{"version":"4","address":"10.112.0.3/32","gateway":"169.254.1.1","interface":1}],
      "routes":[{"dst":"0.0.0.0/0","gw":"169.254.1.1"}],
      "dns":{}})")) << v;
  }
}

TEST(CniResultTest, Render100HasNoIpVersionAndNoMtu) {
  json j = RenderResult(PodResult(), "1.0.0");
  EXPECT_FALSE(j["ips"][0].contains("version"));
  EXPECT_FALSE(j["interfaces"][1].contains("mtu"));
  EXPECT_EQ(j["ips"][0]["interface"], 1);
  EXPECT_EQ(j["cniVersion"], "1.0.0");
}

TEST(CniResultTest, Render110HasInterfaceMtu) {
  json j = RenderResult(PodResult(), "1.1.0");
  EXPECT_FALSE(j["ips"][0].contains("version"));
  EXPECT_EQ(j["interfaces"][0]["mtu"], 1400);
  EXPECT_EQ(j["interfaces"][1]["mtu"], 1400);
  EXPECT_EQ(j["interfaces"][1]["sandbox"], "/var/run/netns/p");
}

TEST(CniResultTest, EveryVersionRoundTrips) {
  for (const char* v : {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
    auto parsed = ParseResult(RenderResult(PodResult(), v));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    Result want = PodResult();
    if (std::string(v) != "1.1.0") {
      for (auto& i : want.interfaces) i.mtu = 0;
    }
    EXPECT_EQ(*parsed, want) << v;
  }
}

TEST(CniResultTest, ParseRejectsMalformedFieldsByName) {
  struct Case {
    const char* text;
    const char* field;
  };
  for (const Case& c : {Case{R"({"interfaces":{}})", "interfaces"},
                        Case{R"({"interfaces":[{"mac":"x"}]})", "interfaces[0].name"},
                        Case{R"({"ips":[{"address":5}]})", "ips[0].address"},
                        Case{R"({"interfaces":[{"name":"a"}],"ips":[{"address":"1.2.3.4/32","interface":1}]})", "ips[0].interface"},
                        Case{R"({"ips":[{"address":"1.2.3.4/32","interface":"0"}]})", "ips[0].interface"},
                        Case{R"({"routes":[{"gw":"1.1.1.1"}]})", "routes[0].dst"},
                        Case{R"({"routes":[{"dst":"0.0.0.0/0","gw":7}]})", "routes[0].gw"}}) {
    auto r = ParseResult(json::parse(c.text));
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.field), std::string::npos) << r.status();
  }
  EXPECT_FALSE(ParseResult(json::array()).ok());
  EXPECT_TRUE(ParseResult(json::object()).ok());
}

TEST(CniResultTest, MergeShiftsOurInterfaceIndices) {
  Result prev;
  prev.interfaces.push_back({.name = "lo", .sandbox = "/x"});
  prev.ips.push_back({.address = "127.0.0.1/8", .interface = 0});
  prev.dns = json{{"nameservers", {"10.0.0.10"}}};
  Result merged = MergeResults(prev, PodResult());
  ASSERT_EQ(merged.interfaces.size(), 3u);
  ASSERT_EQ(merged.ips.size(), 2u);
  EXPECT_EQ(merged.ips[0].interface, 0);
  EXPECT_EQ(merged.ips[1].interface, 2);
  EXPECT_EQ(merged.interfaces[2].name, "eth0");
  EXPECT_EQ(merged.routes.size(), 1u);
  EXPECT_EQ(merged.dns["nameservers"][0], "10.0.0.10");
}

}  // namespace
}  // namespace romana::cni
