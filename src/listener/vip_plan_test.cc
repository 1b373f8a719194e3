#include "listener/vip_plan.h"

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::listener {
namespace {

using nlohmann::json;

VipService Svc(const std::string& name, std::optional<std::string> annotation, const std::string& ns = "default") {
  return {.namespace_name = ns, .name = name, .annotation = std::move(annotation)};
}

TEST(VipAnnotationTest, AcceptedForms) {
  absl::StatusOr<VipAnnotation> a = ParseVipAnnotation(R"({"auto": false, "ip": "192.168.99.101"})");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_FALSE(a->auto_ip);
  EXPECT_EQ(a->ip, "192.168.99.101");
  a = ParseVipAnnotation(R"({"ip": "192.168.99.101"})");
  ASSERT_TRUE(a.ok()) << a.status();
  a = ParseVipAnnotation(" 192.168.99.102 ");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->ip, "192.168.99.102");
  a = ParseVipAnnotation(R"({"auto": true})");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->auto_ip);
}

TEST(VipAnnotationTest, BadValuesNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"{not json", "romanavip"},
      {R"({"ip": "192.168.99.300"})", "romanavip.ip"},
      {R"({"ip": "127.0.0.1"})", "romanavip.ip"},
      {R"({"auto": false})", "romanavip.ip"},
      {R"({"auto": true, "ip": "10.0.0.1"})", "romanavip.ip"},
      {R"({"ipaddress": "10.0.0.1"})", "romanavip.ipaddress"},
      {R"({"auto": "yes"})", "romanavip.auto"},
      {R"(["10.0.0.1"])", "romanavip"},
      {"10.0.0", "romanavip"},
      {"", "romanavip"},
  };
  for (const auto& [value, field] : cases) {
    absl::StatusOr<VipAnnotation> a = ParseVipAnnotation(value);
    ASSERT_FALSE(a.ok()) << value;
    EXPECT_TRUE(absl::IsInvalidArgument(a.status())) << value;
    EXPECT_EQ(api::FieldOf(a.status()).value_or(""), field) << value << ": " << a.status();
  }
}

TEST(VipNodeTest, StaysWhileItHasAReadyEndpointElseMostEndpointsThenName) {
  EXPECT_EQ(ChooseVipNode({}, "n1"), "");
  EXPECT_EQ(ChooseVipNode({"n2", "n3", "n3"}, ""), "n3");
  EXPECT_EQ(ChooseVipNode({"n3", "n2"}, ""), "n2");
  EXPECT_EQ(ChooseVipNode({"n2", "n3", "n3", "n1"}, "n1"), "n1");  // sticky
  EXPECT_EQ(ChooseVipNode({"n2", "n3", "n3"}, "n1"), "n3");        // n1 lost its endpoint: moves
}

TEST(VipReduceTest, ServiceAndEndpointsKeepWhatVipsNeed) {
  const json svc = json::parse(R"({"metadata": {"namespace": "web", "name": "front", "resourceVersion": "7",
      "labels": {"a": "b"}, "annotations": {"romanavip": "{\"ip\":\"10.9.0.1\"}", "other": "x"}},
      "spec": {"selector": {"app": "front"}, "ports": [{"name": "http", "port": 80, "protocol": "TCP",
      "targetPort": 8080}, {"port": 53, "protocol": "UDP"}]}})");
  const json reduced = ReduceVipService(svc);
  EXPECT_FALSE(reduced["metadata"].contains("labels"));
  EXPECT_FALSE(reduced["metadata"]["annotations"].contains("other"));
  const VipService s = VipServiceOf(reduced);
  EXPECT_EQ(s, VipServiceOf(svc));  // reduced and full read the same
  EXPECT_EQ(s.namespace_name, "web");
  EXPECT_EQ(s.annotation.value_or(""), R"({"ip":"10.9.0.1"})");
  ASSERT_EQ(s.ports.size(), 2u);
  EXPECT_EQ(s.ports[0], (api::VipPort{.name = "http", .port = 80, .protocol = "TCP"}));
  EXPECT_EQ(s.ports[1], (api::VipPort{.name = "", .port = 53, .protocol = "UDP"}));
  EXPECT_FALSE(VipServiceOf(ReduceVipService(json::parse(R"({"metadata": {"name": "x"}})"))).annotation.has_value());

  const json ep = json::parse(R"({"metadata": {"namespace": "web", "name": "front"}, "subsets": [
      {"addresses": [{"ip": "10.1.0.2", "nodeName": "n1"}, {"ip": "10.1.0.3", "nodeName": "n2"}, {"ip": "10.1.0.9"}],
       "notReadyAddresses": [{"ip": "10.1.0.4", "nodeName": "n3"}]},
      {"addresses": [{"ip": "10.1.0.5", "nodeName": "n2"}]}]})");
  EXPECT_EQ(ReadyNodesOf(ep), (std::vector<std::string>{"n1", "n2", "n2"}));
  EXPECT_EQ(ReadyNodesOf(ReduceVipEndpoints(ep)), ReadyNodesOf(ep));
}

TEST(VipPlanTest, ExplicitAddressesNodesAndErrorsPerService) {
  VipInputs in;
  in.services = {Svc("a", R"({"ip": "10.9.0.1"})"), Svc("b", "10.9.0.1"), Svc("c", "garbage"), Svc("d", std::nullopt),
                 Svc("e", R"({"auto": true})"), Svc("f", "10.9.0.6")};
  in.ready_nodes = {{"default/a", {"n1", "n2", "n2"}}};
  in.current = {{"default/f", {.namespace_name = "default", .name = "f", .ip = "10.9.0.6", .node = "n7"}}};
  VipPlan plan = PlanVips(in);
  ASSERT_EQ(plan.vips.size(), 2u);
  EXPECT_EQ(plan.vips["default/a"].ip, "10.9.0.1");
  EXPECT_EQ(plan.vips["default/a"].node, "n2");
  EXPECT_EQ(plan.vips["default/f"].node, "");  // n7 no longer has a ready endpoint
  EXPECT_EQ(plan.errors.size(), 3u);
  EXPECT_NE(plan.errors["default/b"].find("already the VIP of Service default/a"), std::string::npos);
  EXPECT_NE(plan.errors["default/c"].find("romanavip"), std::string::npos);
  EXPECT_NE(plan.errors["default/e"].find("--vip-cidr"), std::string::npos);
  EXPECT_FALSE(plan.errors.contains("default/d"));
}

TEST(VipPlanTest, AutoTakesTheLowestFreePoolAddressAndKeepsIt) {
  VipInputs in;
  in.pool = "10.9.1.0/29";  // .1 .. .6 usable
  in.services = {Svc("x", R"({"auto": true})"), Svc("y", R"({"auto": true})"), Svc("z", "10.9.1.1")};
  in.current = {{"default/y", {.namespace_name = "default", .name = "y", .ip = "10.9.1.5"}}};
  VipPlan plan = PlanVips(in);
  EXPECT_TRUE(plan.errors.empty());
  EXPECT_EQ(plan.vips["default/z"].ip, "10.9.1.1");  // explicit first
  EXPECT_EQ(plan.vips["default/y"].ip, "10.9.1.5");  // kept
  EXPECT_EQ(plan.vips["default/x"].ip, "10.9.1.2");  // lowest free

  // A full pool is an error for the Services that found no address.
  in.pool = "10.9.1.0/30";  // .1 .2 usable; .1 is z's
  in.current.clear();
  plan = PlanVips(in);
  EXPECT_EQ(plan.vips["default/x"].ip, "10.9.1.2");
  EXPECT_NE(plan.errors["default/y"].find("is full"), std::string::npos);
}

TEST(VipPlanTest, OnlyNodesThatAreHostsServe) {
  VipInputs in;
  in.services = {Svc("web", "10.9.0.1")};
  in.ready_nodes = {{"default/web", {"n1", "n1", "n2"}}};
  in.hosts = std::set<std::string>{"n2"};
  EXPECT_EQ(PlanVips(in).vips["default/web"].node, "n2");
  in.hosts = std::set<std::string>{};
  EXPECT_EQ(PlanVips(in).vips["default/web"].node, "");
  in.hosts.reset();
  EXPECT_EQ(PlanVips(in).vips["default/web"].node, "n1");
}

TEST(VipPlanTest, ServicesInOtherNamespacesAreDistinct) {
  VipInputs in;
  in.services = {Svc("web", "10.9.0.1", "a"), Svc("web", "10.9.0.2", "b")};
  in.ready_nodes = {{"b/web", {"n4"}}};
  VipPlan plan = PlanVips(in);
  EXPECT_EQ(plan.vips["a/web"].node, "");
  EXPECT_EQ(plan.vips["b/web"].node, "n4");
  EXPECT_EQ(plan.vips["b/web"].namespace_name, "b");
}

}  // namespace
}  // namespace romana::listener
