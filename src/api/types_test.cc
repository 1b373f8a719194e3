#include "api/types.h"

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::api {
namespace {

TEST(TypesTest, HostRoundTrip) {
  Host h{"node-1", "192.168.99.10", {{"rack", "r1"}}, {{"romana-network", "/0"}}};
  absl::StatusOr<Host> back = ParseHost(ToJson(h));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, h);
}

TEST(TypesTest, ObjectsRoundTrip) {
  Block b{"n", "10.112.0.0/29", "/0", "node-1", "default:default", 3};
  EXPECT_EQ(*ParseBlock(ToJson(b)), b);
  Address a{"c1:eth0", "10.112.0.3", "node-1", "n", "10.112.0.0/29", "default", "web"};
  EXPECT_EQ(ToJson(a)["namespace"], "default");
  EXPECT_EQ(*ParseAddress(ToJson(a)), a);
  Network n{"n", "10.0.0.0/8", 28};
  EXPECT_EQ(*ParseNetwork(ToJson(n)), n);
  Group g{"n", "/0/1", "g", "10.0.0.0/9", {{"zone", "a"}}, true, false};
  EXPECT_EQ(*ParseGroup(ToJson(g)), g);
  EXPECT_FALSE(ToJson(g).contains("hosts"));
  Namespace ns{"default", {{"team", "a"}, {"kubernetes.io/metadata.name", "default"}}, true};
  EXPECT_EQ(*ParseNamespace(ToJson(ns)), ns);
  Endpoint e{"default", "nginx-1", "node-1", "10.112.0.3", {{"app", "nginx"}},
             {{"http", 8080, "TCP"}, {"", 53, "UDP"}, {"assoc", 9000, "SCTP"}}};
  EXPECT_EQ(*ParseEndpoint(ToJson(e)), e);
}

// Group membership is in the host records; a group of an older romanad listing "hosts" parses the same.
TEST(TypesTest, HostsByGroupDerivesMembershipFromHostRecords) {
  std::vector<Host> hosts = {{"c", "10.0.0.3", {}, {{"n", "/1"}}},
                             {"b", "10.0.0.2", {}, {{"n", "/0"}, {"m", "/0"}}},
                             {"a", "10.0.0.1", {}, {{"n", "/0"}}},
                             {"d", "10.0.0.4", {}, {}}};
  EXPECT_EQ(HostsByGroup(hosts), (GroupHosts{{{"m", "/0"}, {"b"}}, {{"n", "/0"}, {"a", "b"}}, {{"n", "/1"}, {"c"}}}));
  EXPECT_TRUE(HostsByGroup({}).empty());
  nlohmann::json old = ToJson(Group{"n", "/0", "g", "10.0.0.0/9", {}, true, false});
  old["hosts"] = {"a", "b"};
  absl::StatusOr<Group> parsed = ParseGroup(old);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->cidr, "10.0.0.0/9");
}

TEST(TypesTest, LenientParsersIgnoreNewFields) {
  nlohmann::json j = ToJson(Host{"h", "1.2.3.4", {}, {}});
  j["future"] = 1;
  EXPECT_TRUE(ParseHost(j).ok());
}

TEST(TypesTest, HostRequestIsStrict) {
  EXPECT_TRUE(ParseHostRequest({{"name", "h"}, {"ip", "10.0.0.1"}}).ok());
  EXPECT_EQ(FieldOf(ParseHostRequest({{"ip", "10.0.0.1"}}).status()), "name");
  EXPECT_EQ(FieldOf(ParseHostRequest({{"name", "h"}}).status()), "ip");
  EXPECT_EQ(FieldOf(ParseHostRequest({{"name", "h"}, {"ip", "10.0.0.256"}}).status()), "ip");
  EXPECT_EQ(FieldOf(ParseHostRequest({{"name", "h"}, {"ip", "10.0.0.01"}}).status()), "ip");
  EXPECT_EQ(FieldOf(ParseHostRequest({{"name", "a/b"}, {"ip", "10.0.0.1"}}).status()), "name");
  EXPECT_EQ(FieldOf(ParseHostRequest({{"name", "h"}, {"ip", "10.0.0.1"}, {"tags", {}}}).status()), "tags");
  EXPECT_EQ(FieldOf(ParseHostRequest({{"name", "h"}, {"ip", "10.0.0.1"}, {"labels", {{"a", 1}}}}).status()),
            "labels.a");
}

TEST(TypesTest, AddressRequestDefaults) {
  absl::StatusOr<AddressRequest> r = ParseAddressRequest({{"name", "c:eth0"}, {"host", "h"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->namespace_name, "default");
  EXPECT_EQ(r->segment, "default");
  EXPECT_EQ(FieldOf(ParseAddressRequest({{"host", "h"}}).status()), "name");
  EXPECT_EQ(FieldOf(ParseAddressRequest({{"name", "x"}}).status()), "host");
  EXPECT_EQ(FieldOf(ParseAddressRequest({{"name", "x"}, {"host", "h"}, {"tenant", "t"}}).status()), "tenant");
}

TEST(TypesTest, NamespaceAndEndpointMustMatchUrl) {
  EXPECT_TRUE(ParseNamespace({{"labels", {}}}, "ns").ok());
  EXPECT_EQ(ParseNamespace({{"labels", {}}}, "ns")->name, "ns");
  EXPECT_EQ(FieldOf(ParseNamespace({{"name", "other"}}, "ns").status()), "name");
  EXPECT_EQ(FieldOf(ParseNamespace({{"isolated", "yes"}}, "ns").status()), "isolated");
  EXPECT_EQ(FieldOf(ParseEndpoint({{"namespace", "x"}}, "ns", "p").status()), "namespace");
  EXPECT_EQ(FieldOf(ParseEndpoint({{"ip", "1.2.3"}}, "ns", "p").status()), "ip");
  absl::StatusOr<Endpoint> e = ParseEndpoint({{"node", "n1"}}, "ns", "p");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->namespace_name, "ns");
  EXPECT_EQ(e->name, "p");
}

TEST(TypesTest, HostStatusIsBounded) {
  HostStatus st{.host = "n1", .policy_errors = {"romana:p: bad"}, .policy_error_count = 2, .updated = "2026-01-01T00:00:00Z"};
  EXPECT_EQ(*ParseHostStatus(ToJson(st)), st);
  EXPECT_EQ(ParseHostStatus({{"policy_errors", {"x"}}}, "n1")->policy_error_count, 1);  // defaults to the entries
  EXPECT_EQ(FieldOf(ParseHostStatus(nlohmann::json::object()).status()), "host");
  EXPECT_EQ(FieldOf(ParseHostStatus({{"host", "n2"}}, "n1").status()), "host");
  EXPECT_EQ(FieldOf(ParseHostStatus({{"policy_errors", "x"}}, "n1").status()), "policy_errors");
  EXPECT_EQ(FieldOf(ParseHostStatus({{"policy_errors", {1}}}, "n1").status()), "policy_errors[0]");
  EXPECT_EQ(FieldOf(ParseHostStatus({{"policy_errors", {std::string(HostStatus::kMaxErrorLength + 1, 'x')}}}, "n1").status()),
            "policy_errors[0]");
  nlohmann::json many = nlohmann::json::array();
  for (size_t i = 0; i <= HostStatus::kMaxErrors; ++i) many.push_back("e");
  EXPECT_EQ(FieldOf(ParseHostStatus({{"policy_errors", many}}, "n1").status()), "policy_errors");
  EXPECT_EQ(FieldOf(ParseHostStatus({{"policy_errors", {"a", "b"}}, {"policy_error_count", 1}}, "n1").status()),
            "policy_error_count");
  EXPECT_EQ(FieldOf(ParseHostStatus({{"flavour", 1}}, "n1").status()), "flavour");
}

TEST(TypesTest, NamespaceCarriesItsNameLabel) {
  absl::StatusOr<Namespace> ns = ParseNamespace({{"labels", {{"team", "a"}}}}, "x");
  ASSERT_TRUE(ns.ok()) << ns.status();
  EXPECT_EQ(ns->labels, (Labels{{"team", "a"}, {"kubernetes.io/metadata.name", "x"}}));
  EXPECT_EQ(ParseNamespace(nlohmann::json::object(), "x")->labels.at("kubernetes.io/metadata.name"), "x");
  EXPECT_TRUE(ParseNamespace({{"labels", {{"kubernetes.io/metadata.name", "x"}}}}, "x").ok());
  EXPECT_EQ(FieldOf(ParseNamespace({{"labels", {{"kubernetes.io/metadata.name", "y"}}}}, "x").status()), "labels");
  EXPECT_EQ(ToJson(*ns)["labels"]["kubernetes.io/metadata.name"], "x");
}

TEST(TypesTest, EndpointPorts) {
  absl::StatusOr<Endpoint> e = ParseEndpoint(
      {{"ports", {{{"name", "serve-80-tcp"}, {"port", 80}}, {{"port", 53}, {"protocol", "UDP"}}}}}, "ns", "p");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->ports.size(), 2u);
  EXPECT_EQ(e->ports[0], (EndpointPort{"serve-80-tcp", 80, "TCP"}));  // TCP is the default
  EXPECT_EQ(e->ports[1], (EndpointPort{"", 53, "UDP"}));
  EXPECT_FALSE(ToJson(*e)["ports"][1].contains("name"));
  EXPECT_EQ(ToJson(Endpoint{})["ports"], nlohmann::json::array());

  auto field = [](const nlohmann::json& ports) { return FieldOf(ParseEndpoint({{"ports", ports}}, "ns", "p").status()); };
  EXPECT_EQ(field({{{"name", "a"}, {"port", 0}}}), "ports[0].port");
  EXPECT_EQ(field({{{"name", "a"}, {"port", 65536}}}), "ports[0].port");
  EXPECT_EQ(field({{{"name", "a"}}}), "ports[0].port");
  EXPECT_EQ(field({{{"name", "a"}, {"port", "80"}}}), "ports[0].port");
  EXPECT_EQ(field({{{"port", 80}, {"protocol", "tcp"}}}), "ports[0].protocol");
  EXPECT_EQ(field({{{"port", 80}, {"protocol", "ICMP"}}}), "ports[0].protocol");
  EXPECT_EQ(field({{{"name", "Http"}, {"port", 80}}}), "ports[0].name");  // the rule itself: CheckPortName
  EXPECT_EQ(field({{{"name", "80"}, {"port", 80}}}), "ports[0].name");
  EXPECT_EQ(field({{{"name", "a--b"}, {"port", 80}}}), "ports[0].name");
  EXPECT_EQ(field({{{"port", 80}}, {{"name", "http"}, {"port", 80}}, {{"name", "http"}, {"port", 81}}}),
            "ports[2].name");
  EXPECT_EQ(field({{{"port", 80}, {"hostPort", 80}}}), "ports[0].hostPort");
  EXPECT_EQ(field({1}), "ports[0]");
  EXPECT_EQ(field("http"), "ports");
  // Unnamed ports may repeat.
  EXPECT_TRUE(ParseEndpoint({{"ports", {{{"port", 80}}, {{"port", 80}, {"protocol", "UDP"}}}}}, "ns", "p").ok());
}

TEST(TypesTest, WatchEventRoundTrip) {
  WatchEvent put{WatchEvent::Type::kPut, "block", "/romana/blocks/x", 57, {{"a", 1}}, "", ""};
  absl::StatusOr<WatchEvent> back = ParseWatchEvent(ToJson(put));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, WatchEvent::Type::kPut);
  EXPECT_EQ(back->revision, 57);
  EXPECT_EQ(back->object, put.object);
  WatchEvent err{WatchEvent::Type::kError, "", "", 12, nullptr, "compacted", "gone"};
  back = ParseWatchEvent(ToJson(err));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->error_code, "compacted");
  EXPECT_EQ(back->revision, 12);
  EXPECT_FALSE(ParseWatchEvent({{"type", "WHAT"}}).ok());
}

TEST(TypesTest, KindsAndNames) {
  for (const std::string& k : AllWatchKinds()) EXPECT_NE(SingularKind(k), "") << k;
  EXPECT_EQ(SingularKind("addresses"), "address");
  EXPECT_EQ(SingularKind("nope"), "");
  EXPECT_TRUE(IsValidName("4a5a22e8f1c2:eth0"));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName(".."));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName(std::string(254, 'a')));
}

}  // namespace
}  // namespace romana::api
