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
  Group g{"n", "/0/1", "g", "10.0.0.0/9", {{"zone", "a"}}, true, false, {"h1", "h2"}};
  EXPECT_EQ(*ParseGroup(ToJson(g)), g);
  Namespace ns{"default", {{"team", "a"}}, true};
  EXPECT_EQ(*ParseNamespace(ToJson(ns)), ns);
  Endpoint e{"default", "nginx-1", "node-1", "10.112.0.3", {{"app", "nginx"}}};
  EXPECT_EQ(*ParseEndpoint(ToJson(e)), e);
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
  EXPECT_TRUE(IsValidIpv4("0.0.0.0"));
  EXPECT_FALSE(IsValidIpv4("1.2.3.4.5"));
  EXPECT_FALSE(IsValidIpv4("1.2.3.-4"));
}

}  // namespace
}  // namespace romana::api
