#include "api/vip.h"

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::api {
namespace {

nlohmann::json Good() {
  return nlohmann::json::parse(R"({"namespace": "default", "name": "web", "ip": "192.168.99.101", "node": "n1",
                                   "ports": [{"name": "http", "port": 80}, {"port": 53, "protocol": "UDP"}]})");
}

std::string FieldOfParse(const nlohmann::json& j) {
  absl::StatusOr<Vip> v = ParseVipRequest(j);
  EXPECT_FALSE(v.ok()) << j.dump();
  if (v.ok()) return "";
  EXPECT_TRUE(absl::IsInvalidArgument(v.status())) << v.status();
  return FieldOf(v.status()).value_or("<none>");
}

TEST(VipTest, RoundTripsThroughJson) {
  absl::StatusOr<Vip> v = ParseVipRequest(Good());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->ip, "192.168.99.101");
  ASSERT_EQ(v->ports.size(), 2u);
  EXPECT_EQ(v->ports[0].protocol, "TCP");
  EXPECT_EQ(v->ports[1].protocol, "UDP");
  absl::StatusOr<Vip> again = ParseVipRequest(ToJson(*v));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *v);
}

TEST(VipTest, NamesComeFromThePathAndMustAgree) {
  nlohmann::json j = {{"ip", "10.1.2.3"}};
  absl::StatusOr<Vip> v = ParseVipRequest(j, "ns", "svc");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->namespace_name, "ns");
  EXPECT_EQ(v->name, "svc");
  EXPECT_EQ(v->node, "");
  j["name"] = "other";
  absl::StatusOr<Vip> bad = ParseVipRequest(j, "ns", "svc");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(FieldOf(bad.status()), "name");
}

TEST(VipTest, BadInputNamesTheField) {
  auto with = [](const std::string& key, nlohmann::json value) {
    nlohmann::json j = Good();
    j[key] = std::move(value);
    return j;
  };
  EXPECT_EQ(FieldOfParse(with("ip", "300.1.1.1")), "ip");
  EXPECT_EQ(FieldOfParse(with("ip", "::1")), "ip");
  EXPECT_EQ(FieldOfParse(with("ip", 5)), "ip");
  EXPECT_EQ(FieldOfParse(with("node", "a b")), "node");
  EXPECT_EQ(FieldOfParse(with("namespace", "")), "namespace");
  EXPECT_EQ(FieldOfParse(with("colour", "red")), "colour");
  EXPECT_EQ(FieldOfParse(with("ports", "80")), "ports");
  EXPECT_EQ(FieldOfParse(with("ports", nlohmann::json::parse(R"([{"port": 0}])"))), "ports[0].port");
  EXPECT_EQ(FieldOfParse(with("ports", nlohmann::json::parse(R"([{"port": 80, "protocol": "ICMP"}])"))),
            "ports[0].protocol");
  EXPECT_EQ(FieldOfParse(with("ports", nlohmann::json::parse(R"([{"port": 1, "name": "a"}, {"port": 2, "name": "a"}])"))),
            "ports[1].name");
  EXPECT_EQ(FieldOfParse(with("ports", nlohmann::json::parse(R"([{"port": 1, "name": "Not_A_Label"}])"))),
            "ports[0].name");
  nlohmann::json no_ip = Good();
  no_ip.erase("ip");
  EXPECT_EQ(FieldOfParse(no_ip), "ip");
}

TEST(VipTest, OnlyUnicastAddressesAreVips) {
  for (const char* ip : {"0.0.0.0", "0.1.2.3", "127.0.0.1", "169.254.1.1", "224.0.0.1", "239.1.1.1", "240.0.0.1",
                         "255.255.255.255"}) {
    absl::Status s = CheckVipAddress(ip, "ip");
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << ip;
    EXPECT_EQ(FieldOf(s), "ip") << ip;
  }
  for (const char* ip : {"1.2.3.4", "10.0.0.1", "192.168.99.101", "223.255.255.254", "172.16.0.1"}) {
    EXPECT_TRUE(CheckVipAddress(ip, "ip").ok()) << ip;
  }
}

TEST(VipTest, LenientParseIgnoresUnknownKeys) {
  nlohmann::json j = Good();
  j["added_later"] = true;
  EXPECT_TRUE(ParseVip(j).ok());
  EXPECT_FALSE(ParseVipRequest(j).ok());
}

}  // namespace
}  // namespace romana::api
