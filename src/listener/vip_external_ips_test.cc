#include "listener/vip_external_ips.h"

#include "gtest/gtest.h"
#include "listener/vip_plan.h"

namespace romana::listener {
namespace {

using nlohmann::json;

ServiceExternalIps Svc(std::vector<std::string> ips, std::string added = "", std::string rv = "5") {
  return {.resource_version = std::move(rv), .external_ips = std::move(ips), .added = std::move(added)};
}

// What the Service holds after the patch is applied (a merge patch replaces the list and the
// annotation), with a new resourceVersion as the server would give it.
ServiceExternalIps Applied(const ServiceExternalIps& s, const json& patch) {
  ServiceExternalIps out = s;
  out.resource_version = std::to_string(std::stoi(s.resource_version) + 1);
  const json& a = patch["metadata"]["annotations"][kVipExternalIpAnnotation];
  out.added = a.is_null() ? "" : a.get<std::string>();
  const json& ips = patch["spec"]["externalIPs"];
  out.external_ips = ips.is_null() ? std::vector<std::string>{} : ips.get<std::vector<std::string>>();
  return out;
}

TEST(VipExternalIpsTest, AddsTheVipAndRecordsItKeepingTheUsersAddresses) {
  std::optional<json> p = ExternalIpsPatch(Svc({"198.51.100.7"}), "192.168.99.101");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, json::parse(R"({"metadata": {"resourceVersion": "5",
      "annotations": {"romana.io/vip-external-ip": "192.168.99.101"}},
      "spec": {"externalIPs": ["198.51.100.7", "192.168.99.101"]}})"));
  // Applied, nothing more to do: no update loop with the listener's own watch event.
  EXPECT_FALSE(ExternalIpsPatch(Applied(Svc({"198.51.100.7"}), *p), "192.168.99.101").has_value());
  // No list yet.
  p = ExternalIpsPatch(Svc({}), "192.168.99.101");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)["spec"]["externalIPs"], json::parse(R"(["192.168.99.101"])"));
}

TEST(VipExternalIpsTest, NothingToDoWithoutAVipOrWhenInPlace) {
  EXPECT_FALSE(ExternalIpsPatch(Svc({}), "").has_value());
  EXPECT_FALSE(ExternalIpsPatch(Svc({"198.51.100.7"}), "").has_value());  // the user's: never touched
  EXPECT_FALSE(
      ExternalIpsPatch(Svc({"198.51.100.7", "192.168.99.101"}, "192.168.99.101"), "192.168.99.101").has_value());
}

TEST(VipExternalIpsTest, AVipTheUserListedStaysTheUsers) {
  // Listed by the user before the listener: not recorded as added...
  EXPECT_FALSE(ExternalIpsPatch(Svc({"192.168.99.101"}), "192.168.99.101").has_value());
  // ...so the annotation's removal leaves it.
  EXPECT_FALSE(ExternalIpsPatch(Svc({"192.168.99.101"}), "").has_value());
}

TEST(VipExternalIpsTest, RemovesOnlyWhatItAddedWhenTheVipGoesOrChanges) {
  const ServiceExternalIps ours = Svc({"198.51.100.7", "192.168.99.101"}, "192.168.99.101");
  std::optional<json> p = ExternalIpsPatch(ours, "");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, json::parse(R"({"metadata": {"resourceVersion": "5",
      "annotations": {"romana.io/vip-external-ip": null}}, "spec": {"externalIPs": ["198.51.100.7"]}})"));
  EXPECT_FALSE(ExternalIpsPatch(Applied(ours, *p), "").has_value());
  // The VIP changed: the old one out, the new one in.
  p = ExternalIpsPatch(ours, "192.168.99.102");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)["spec"]["externalIPs"], json::parse(R"(["198.51.100.7", "192.168.99.102"])"));
  EXPECT_EQ((*p)["metadata"]["annotations"][kVipExternalIpAnnotation], "192.168.99.102");
  EXPECT_FALSE(ExternalIpsPatch(Applied(ours, *p), "192.168.99.102").has_value());
  // Only ours, removed: the field goes (null in a merge patch).
  p = ExternalIpsPatch(Svc({"192.168.99.101"}, "192.168.99.101"), "");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE((*p)["spec"]["externalIPs"].is_null());
}

TEST(VipExternalIpsTest, RepairsAListTheUserEditedUnderIt) {
  // The user deleted the VIP the listener added: added back.
  std::optional<json> p = ExternalIpsPatch(Svc({"198.51.100.7"}, "192.168.99.101"), "192.168.99.101");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)["spec"]["externalIPs"], json::parse(R"(["198.51.100.7", "192.168.99.101"])"));
  // ...and once the VIP is gone, only the stale record is cleared; the user's list stays.
  p = ExternalIpsPatch(Svc({"198.51.100.7"}, "192.168.99.101"), "");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)["spec"]["externalIPs"], json::parse(R"(["198.51.100.7"])"));
  EXPECT_TRUE((*p)["metadata"]["annotations"][kVipExternalIpAnnotation].is_null());
  // A second copy of the address that the user listed survives the removal of ours.
  p = ExternalIpsPatch(Svc({"192.168.99.101", "192.168.99.101"}, "192.168.99.101"), "");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)["spec"]["externalIPs"], json::parse(R"(["192.168.99.101"])"));
}

TEST(VipExternalIpsTest, ReadsReducedAndFullServices) {
  const json full = json::parse(R"({"metadata": {"namespace": "web", "name": "front", "resourceVersion": "9",
      "annotations": {"romanavip": "192.168.99.101", "romana.io/vip-external-ip": "192.168.99.101"}},
      "spec": {"externalIPs": ["198.51.100.7", "192.168.99.101"], "ports": []}})");
  const ServiceExternalIps s = ServiceExternalIpsOf(full);
  EXPECT_EQ(s.resource_version, "9");
  EXPECT_EQ(s.added, "192.168.99.101");
  EXPECT_EQ(s.external_ips, (std::vector<std::string>{"198.51.100.7", "192.168.99.101"}));
  const ServiceExternalIps r = ServiceExternalIpsOf(ReduceVipService(full));
  EXPECT_EQ(r.resource_version, s.resource_version);
  EXPECT_EQ(r.added, s.added);
  EXPECT_EQ(r.external_ips, s.external_ips);
  // Wrong types read as absent.
  const ServiceExternalIps bad = ServiceExternalIpsOf(json::parse(
      R"({"metadata": {"annotations": {"romana.io/vip-external-ip": 7}}, "spec": {"externalIPs": "1.2.3.4"}})"));
  EXPECT_TRUE(bad.added.empty());
  EXPECT_TRUE(bad.external_ips.empty());
}

}  // namespace
}  // namespace romana::listener
