// Integration tests of romanad's REST API: the real binary on loopback with an embedded store,
// talked to over HTTP (raw requests for status codes and bodies, the client for the rest).
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "api/field_error.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"

namespace romana {
namespace {

using testing::RomanadOptions;
using testing::RomanadProcess;

// Two leaf groups under 10.20.0.0/16 (rack r1 and r2), /28 blocks.
constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.20.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["net1"], "map": [
      {"name": "rack-1", "assignment": {"rack": "r1"}, "groups": []},
      {"name": "rack-2", "assignment": {"rack": "r2"}, "groups": []}]}]})";
constexpr char kToken[] = "test-token-123";

struct Answer {
  int status = 0;
  nlohmann::json body;
};

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto p = RomanadProcess::Start({.topology_json = kTopology, .token = kToken});
    ASSERT_TRUE(p.ok()) << p.status();
    daemon_ = p->release();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(daemon_, nullptr); }

  // One raw request; `token` empty = no Authorization header.
  static Answer Call(const std::string& method, const std::string& path, const std::string& body = "",
                     const std::string& content_type = "application/json", const std::string& token = kToken) {
    http::Request req{.method = method, .url = Url(daemon_->port(), path), .body = body};
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    if (!content_type.empty()) req.headers.emplace_back("Content-Type", content_type);
    absl::StatusOr<http::Response> r = http::CurlClient().Send(req);
    if (!r.ok()) return {-1, nullptr};
    EXPECT_NE(r->Header("Content-Type").find("json"), std::string::npos) << method << " " << path;
    return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
  }
  static std::string FieldOf(const Answer& a) {
    if (!a.body.is_object() || !a.body.contains("error") || !a.body["error"].contains("field")) return "";
    return a.body["error"]["field"];
  }
  api::Client& client() { return daemon_->client(); }
  static std::string Url(int port, const std::string& path) { return absl::StrCat("http://127.0.0.1:", port, path); }

  static RomanadProcess* daemon_;
};
RomanadProcess* ApiTest::daemon_ = nullptr;

TEST_F(ApiTest, ServiceEndpoints) {
  Answer v = Call("GET", "/version", "", "", "");
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body["api"], "v1");
  EXPECT_EQ(Call("GET", "/healthz", "", "", "").status, 200);
  EXPECT_EQ(Call("GET", "/readyz", "", "", "").status, 200);
  http::CurlClient c;
  absl::StatusOr<http::Response> m = c.Send({.url = Url(daemon_->port(), "/metrics")});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->status, 200);
  EXPECT_NE(m->body.find("romanad_http_requests_total"), std::string::npos);
  Answer unknown = Call("GET", "/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error"]["code"], "not_found");
}

TEST_F(ApiTest, AuthGuardsMutationsOnly) {
  const std::string ns = R"({"labels": {}})";
  EXPECT_EQ(Call("PUT", "/namespaces/auth-a", ns, "application/json", "").status, 401);
  Answer wrong = Call("PUT", "/namespaces/auth-a", ns, "application/json", "wrong");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body["error"]["code"], "unauthenticated");
  EXPECT_EQ(wrong.body.dump().find(kToken), std::string::npos);
  EXPECT_EQ(Call("GET", "/namespaces", "", "", "").status, 200);  // reads are open by default
  EXPECT_EQ(Call("PUT", "/namespaces/auth-a", ns).status, 200);
  EXPECT_EQ(daemon_->Log().find(kToken), std::string::npos) << "the token must never be logged";
}

TEST_F(ApiTest, ContentTypeSizeAndJsonChecks) {
  const std::string ns = R"({"labels": {"a": "b"}})";
  Answer a = Call("PUT", "/namespaces/ct", ns, "text/plain");
  EXPECT_EQ(a.status, 415);
  EXPECT_EQ(a.body["error"]["code"], "unsupported_media_type");
  EXPECT_EQ(Call("PUT", "/namespaces/ct", ns, "application/json; charset=utf-8").status, 200);
  EXPECT_EQ(Call("PUT", "/namespaces/ct", ns, "Application/JSON;charset=UTF-8").status, 200);
  EXPECT_EQ(Call("PUT", "/namespaces/ct", ns, "application/json; charset=latin1").status, 415);
  Answer big = Call("PUT", "/namespaces/ct", std::string(2 << 20, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.body["error"]["code"], "too_large");
  Answer bad = Call("PUT", "/namespaces/ct", "{\"labels\": ");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body["error"]["message"].get<std::string>().find("not valid JSON"), std::string::npos);
  EXPECT_EQ(Call("PUT", "/namespaces/ct", "[]").status, 400);
}

TEST_F(ApiTest, TopologyNetworksAndGroups) {
  Answer t = Call("GET", "/topology");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.body["networks"][0]["name"], "net1");
  auto nets = client().ListNetworks();
  ASSERT_TRUE(nets.ok()) << nets.status();
  ASSERT_EQ(nets->items.size(), 1u);
  EXPECT_EQ(nets->items[0].cidr, "10.20.0.0/16");
  EXPECT_EQ(nets->items[0].block_mask, 28);
  EXPECT_GT(nets->revision, 0);
  EXPECT_TRUE(client().GetNetwork("net1").ok());
  EXPECT_EQ(client().GetNetwork("nope").status().code(), absl::StatusCode::kNotFound);
  auto groups = client().ListGroups();
  ASSERT_TRUE(groups.ok()) << groups.status();
  int leaves = 0;
  for (const api::Group& g : groups->items) leaves += g.leaf && !g.padding;
  EXPECT_EQ(leaves, 2);

  // Invalid topologies: 400 naming the field, nothing changes.
  Answer bad = Call("PUT", "/topology", R"({"networks": [{"name": "n", "cidr": "10.0.0.1/8"}], "topologies": []})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(FieldOf(bad), "");
  Answer typo = Call("PUT", "/topology", R"({"networkz": []})");
  EXPECT_EQ(typo.status, 400);
  EXPECT_EQ(Call("GET", "/topology").body, t.body);
  EXPECT_EQ(Call("PUT", "/topology", "{}", "text/plain").status, 415);
}

TEST_F(ApiTest, HostsLifecycleAndErrors) {
  Answer added = Call("POST", "/hosts", R"({"name": "h-life", "ip": "192.168.50.1", "labels": {"rack": "r2"}})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.body["groups"]["net1"], "/1");
  EXPECT_EQ(Call("POST", "/hosts", R"({"name": "h-life", "ip": "192.168.50.2", "labels": {"rack": "r2"}})").status, 409);
  Answer dup_ip = Call("POST", "/hosts", R"({"name": "h-other", "ip": "192.168.50.1", "labels": {"rack": "r2"}})");
  EXPECT_EQ(dup_ip.status, 409);
  EXPECT_EQ(dup_ip.body["error"]["code"], "already_exists");
  EXPECT_EQ(FieldOf(Call("POST", "/hosts", R"({"name": "h-x", "ip": "300.1.1.1"})")), "ip");
  EXPECT_EQ(FieldOf(Call("POST", "/hosts", R"({"ip": "10.0.0.1"})")), "name");
  EXPECT_EQ(FieldOf(Call("POST", "/hosts", R"({"name": "h/x", "ip": "10.0.0.1"})")), "name");
  EXPECT_EQ(FieldOf(Call("POST", "/hosts", R"({"name": "h-x", "ip": "10.9.9.9", "tags": {}})")), "tags");
  EXPECT_EQ(FieldOf(Call("POST", "/hosts", R"({"name": "h-x", "ip": "10.9.9.9", "labels": {"rack": 1}})")), "labels.rack");
  Answer nogroup = Call("POST", "/hosts", R"({"name": "h-x", "ip": "10.9.9.9", "labels": {"rack": "r9"}})");
  EXPECT_EQ(nogroup.status, 400) << nogroup.body;
  EXPECT_EQ(Call("GET", "/hosts/h-x").status, 404);  // nothing half-added

  auto host = client().GetHost("h-life");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->labels.at("rack"), "r2");
  auto relabeled = client().RelabelHost("h-life", {{"rack", "r2"}, {"extra", "1"}});
  ASSERT_TRUE(relabeled.ok()) << relabeled.status();
  EXPECT_EQ(relabeled->labels.at("extra"), "1");
  Answer misfit = Call("PUT", "/hosts/h-life/labels", R"({"labels": {"rack": "r1"}})");
  EXPECT_EQ(misfit.status, 409) << misfit.body;
  EXPECT_EQ(FieldOf(Call("PUT", "/hosts/h-life/labels", R"({"label": {}})")), "labels");
  EXPECT_EQ(Call("PUT", "/hosts/nobody/labels", R"({"labels": {}})").status, 404);

  auto hosts = client().ListHosts();
  ASSERT_TRUE(hosts.ok());
  bool found = false;
  for (const auto& h : hosts->items) found = found || h.name == "h-life";
  EXPECT_TRUE(found);
  EXPECT_TRUE(client().RemoveHost("h-life").ok());
  EXPECT_EQ(client().RemoveHost("h-life").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Call("DELETE", "/hosts/h-life").status, 404);
}

TEST_F(ApiTest, AddressesAllocateIdempotentlyAndRelease) {
  ASSERT_TRUE(client().AddHost({"h-addr", "192.168.60.1", {{"rack", "r1"}}}).ok());
  auto a1 = client().AllocateAddress({"c1:eth0", "h-addr", "default", "default"});
  ASSERT_TRUE(a1.ok()) << a1.status();
  EXPECT_TRUE(a1->created);
  EXPECT_EQ(a1->address.host, "h-addr");
  auto again = client().AllocateAddress({"c1:eth0", "h-addr", "default", "default"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->address.ip, a1->address.ip);
  auto a2 = client().AllocateAddress({"c2:eth0", "h-addr", "", ""});
  ASSERT_TRUE(a2.ok());
  EXPECT_NE(a2->address.ip, a1->address.ip);
  EXPECT_EQ(a2->address.namespace_name, "default");

  EXPECT_EQ(FieldOf(Call("POST", "/address", R"({"host": "h-addr"})")), "name");
  EXPECT_EQ(FieldOf(Call("POST", "/address", R"({"name": "x"})")), "host");
  EXPECT_EQ(FieldOf(Call("POST", "/address", R"({"name": "x", "host": "h-addr", "tenant": "t"})")), "tenant");
  EXPECT_EQ(Call("POST", "/address", R"({"name": "x", "host": "no-such-host"})").status, 404);
  EXPECT_EQ(Call("GET", "/address?name=x").status, 404);

  EXPECT_EQ(client().GetAddress("c1:eth0")->ip, a1->address.ip);
  EXPECT_EQ(client().GetAddressByIp(a2->address.ip)->name, "c2:eth0");
  EXPECT_EQ(FieldOf(Call("GET", "/address")), "name");
  EXPECT_EQ(FieldOf(Call("GET", "/address?ip=1.2.3")), "ip");
  auto listed = client().ListAddresses("h-addr");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->items.size(), 2u);
  auto blocks = client().ListBlocks({.host = "h-addr"});
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->items.size(), 1u);
  EXPECT_EQ(blocks->items[0].allocated, 2);
  EXPECT_EQ(Call("GET", "/networks/net1/blocks").status, 200);
  EXPECT_EQ(Call("GET", "/networks/zzz/blocks").status, 404);

  auto released = client().ReleaseAddress("c1:eth0");
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->ip, a1->address.ip);
  EXPECT_EQ(client().ReleaseAddress("c1:eth0").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(client().ReleaseAddressByIp(a2->address.ip).ok());
  EXPECT_EQ(Call("DELETE", "/address?ip=10.20.255.255").status, 404);
  EXPECT_EQ(FieldOf(Call("DELETE", "/address?name=a&ip=1.2.3.4")), "name");
}

TEST_F(ApiTest, PoliciesAreValidatedAndNeverStoredWhenBad) {
  const std::string good = R"({"id": "pol-1", "direction": "ingress",
      "applied_to": [{"tenant_id": "default"}],
      "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "tcp", "ports": [80]}]}]})";
  EXPECT_EQ(Call("POST", "/policies", good).status, 201);
  EXPECT_EQ(Call("POST", "/policies", good).status, 200);  // replaced
  auto p = client().GetPolicy("pol-1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ingress[0].rules[0].ports[0], 80);
  const std::string bad = R"({"id": "pol-bad", "direction": "sideways",
      "applied_to": [{"tenant_id": "default"}],
      "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "tcp"}]}]})";
  Answer a = Call("POST", "/policies", bad);
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(FieldOf(a), "direction");
  EXPECT_EQ(Call("GET", "/policies/pol-bad").status, 404);
  const std::string bad_port = R"({"id": "pol-bad", "direction": "ingress",
      "applied_to": [{"tenant_id": "default"}],
      "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "tcp", "ports": [70000]}]}]})";
  EXPECT_EQ(FieldOf(Call("POST", "/policies", bad_port)), "ingress[0].rules[0].ports[0]");
  EXPECT_EQ(FieldOf(Call("POST", "/policies", R"({"id": "x", "direction": "ingress", "applied_to": []})")),
            "applied_to");
  EXPECT_EQ(Call("GET", "/policies/pol-bad").status, 404);
  auto list = client().ListPolicies();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 1u);
  EXPECT_TRUE(client().DeletePolicy("pol-1").ok());
  EXPECT_EQ(Call("DELETE", "/policies/pol-1").status, 404);
  EXPECT_EQ(FieldOf(Call("GET", "/policies/bad%20id")), "id");
}

TEST_F(ApiTest, NamespacesAndEndpoints) {
  ASSERT_TRUE(client().PutNamespace({"team-a", {{"team", "a"}}, true}).ok());
  EXPECT_EQ(FieldOf(Call("PUT", "/namespaces/team-a", R"({"name": "team-b"})")), "name");
  EXPECT_EQ(FieldOf(Call("PUT", "/namespaces/team-a", R"({"isolated": "yes"})")), "isolated");
  auto nss = client().ListNamespaces();
  ASSERT_TRUE(nss.ok());
  bool found = false;
  for (const auto& n : nss->items) found = found || (n.name == "team-a" && n.isolated);
  EXPECT_TRUE(found);

  ASSERT_TRUE(client().PutEndpoint({"team-a", "pod-1", "node-1", "10.20.0.5", {{"app", "web"}}}).ok());
  ASSERT_TRUE(client().PutEndpoint({"team-a", "pod-2", "node-2", "10.20.0.6", {}}).ok());
  EXPECT_EQ(FieldOf(Call("PUT", "/endpoints/team-a/pod-3", R"({"ip": "10.20.0"})")), "ip");
  EXPECT_EQ(FieldOf(Call("PUT", "/endpoints/team-a/pod-3", R"({"namespace": "other"})")), "namespace");
  EXPECT_EQ(FieldOf(Call("PUT", "/endpoints/team-a/pod-3", R"({"labels": [1]})")), "labels");
  auto on_node1 = client().ListEndpoints({.node = "node-1"});
  ASSERT_TRUE(on_node1.ok());
  ASSERT_EQ(on_node1->items.size(), 1u);
  EXPECT_EQ(on_node1->items[0].labels.at("app"), "web");
  EXPECT_EQ(client().ListEndpoints({.namespace_name = "team-a"})->items.size(), 2u);
  EXPECT_TRUE(client().DeleteEndpoint("team-a", "pod-1").ok());
  EXPECT_EQ(client().DeleteEndpoint("team-a", "pod-1").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(client().DeleteNamespace("team-a").ok());
  EXPECT_EQ(client().DeleteNamespace("team-a").code(), absl::StatusCode::kNotFound);
}

TEST_F(ApiTest, HostStatusBelongsToARegisteredHostAndGoesWithIt) {
  EXPECT_EQ(client().PutHostStatus({.host = "h-status"}).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(client().AddHost({"h-status", "192.168.61.1", {{"rack", "r1"}}}).ok());
  EXPECT_EQ(client().GetHostStatus("h-status").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(client().PutHostStatus({.host = "h-status", .policy_errors = {"romana:p1: bad"}, .policy_error_count = 3}).ok());
  absl::StatusOr<api::HostStatus> st = client().GetHostStatus("h-status");
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->policy_errors, std::vector<std::string>{"romana:p1: bad"});
  EXPECT_EQ(st->policy_error_count, 3);
  EXPECT_FALSE(st->updated.empty());  // set by romanad
  auto all = client().ListHostStatus();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 1u);
  EXPECT_EQ(all->items[0].host, "h-status");
  // Bad reports name the field and change nothing.
  EXPECT_EQ(FieldOf(Call("PUT", "/hosts/h-status/status", R"({"host": "other"})")), "host");
  EXPECT_EQ(FieldOf(Call("PUT", "/hosts/h-status/status", R"({"policy_errors": [""]})")), "policy_errors[0]");
  EXPECT_EQ(FieldOf(Call("PUT", "/hosts/h-status/status", R"({"policy_errors": ["a", "b"], "policy_error_count": 1})")),
            "policy_error_count");
  EXPECT_EQ(client().GetHostStatus("h-status")->policy_error_count, 3);
  // Removing the host removes its status.
  ASSERT_TRUE(client().RemoveHost("h-status").ok());
  EXPECT_EQ(client().GetHostStatus("h-status").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(client().ListHostStatus()->items.empty());
}

TEST_F(ApiTest, NamespacesCarryTheirNameLabel) {
  Answer put = Call("PUT", "/namespaces/lbl-a", R"({"labels": {"team": "a"}})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body["labels"], nlohmann::json({{"team", "a"}, {"kubernetes.io/metadata.name", "lbl-a"}}));
  EXPECT_EQ(Call("GET", "/namespaces/lbl-a").body["labels"]["kubernetes.io/metadata.name"], "lbl-a");
  EXPECT_EQ(Call("PUT", "/namespaces/lbl-a", R"({"labels": {"kubernetes.io/metadata.name": "lbl-a"}})").status, 200);
  Answer wrong = Call("PUT", "/namespaces/lbl-a", R"({"labels": {"kubernetes.io/metadata.name": "other"}})");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(FieldOf(wrong), "labels");
  EXPECT_EQ(Call("GET", "/namespaces/lbl-a").body["labels"].size(), 1u);  // the bad PUT changed nothing
}

TEST_F(ApiTest, EndpointPortsRoundTripAndAreValidated) {
  Answer put = Call("PUT", "/endpoints/ports-ns/pod-a", R"({"node": "node-1", "ip": "10.20.0.9",
      "ports": [{"name": "serve-80-tcp", "port": 80}, {"name": "serve-80-udp", "port": 80, "protocol": "UDP"},
                {"port": 9090}, {"name": "sctp", "port": 81, "protocol": "SCTP"}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  const nlohmann::json want = nlohmann::json::parse(R"([{"name": "serve-80-tcp", "port": 80, "protocol": "TCP"},
      {"name": "serve-80-udp", "port": 80, "protocol": "UDP"}, {"port": 9090, "protocol": "TCP"},
      {"name": "sctp", "port": 81, "protocol": "SCTP"}])");
  EXPECT_EQ(put.body["ports"], want);
  EXPECT_EQ(Call("GET", "/endpoints/ports-ns/pod-a").body["ports"], want);
  auto listed = client().ListEndpoints({.namespace_name = "ports-ns"});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].ports[0], (api::EndpointPort{"serve-80-tcp", 80, "TCP"}));
  EXPECT_EQ(listed->items[0].ports[2], (api::EndpointPort{"", 9090, "TCP"}));
  api::Endpoint e{"ports-ns", "pod-b", "node-1", "10.20.0.10", {}, {{"http", 8080, "TCP"}}};
  ASSERT_TRUE(client().PutEndpoint(e).ok());
  EXPECT_EQ(client().ListEndpoints({.namespace_name = "ports-ns"})->items[1], e);

  EXPECT_EQ(FieldOf(Call("PUT", "/endpoints/ports-ns/pod-c", R"({"ports": [{"name": "http", "port": 0}]})")),
            "ports[0].port");
  EXPECT_EQ(FieldOf(Call("PUT", "/endpoints/ports-ns/pod-c", R"({"ports": [{"port": 80, "protocol": "tcp"}]})")),
            "ports[0].protocol");
  EXPECT_EQ(FieldOf(Call("PUT", "/endpoints/ports-ns/pod-c", R"({"ports": [{"name": "HTTP", "port": 80}]})")),
            "ports[0].name");
  EXPECT_EQ(FieldOf(Call("PUT", "/endpoints/ports-ns/pod-c",
                         R"({"ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81}]})")),
            "ports[1].name");
  EXPECT_EQ(Call("GET", "/endpoints/ports-ns/pod-c").status, 404);  // none of them was stored
}

// A NetworkPolicy using every part of the API (selectors with expressions, ipBlock with except,
// named and numeric ports, a range, SCTP, egress) plus metadata romanad does not interpret.
constexpr char kNetworkPolicy[] = R"({
  "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
  "metadata": {"name": "allow-web", "labels": {"app": "web"}, "annotations": {"note": "kept as is"},
               "uid": "0d5d8e5c-1111-2222-3333-444455556666", "resourceVersion": "12345"},
  "spec": {
    "podSelector": {"matchLabels": {"app": "web"},
                    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]},
    "policyTypes": ["Ingress", "Egress"],
    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "mon"}},
                           "podSelector": {"matchExpressions": [{"key": "scraper", "operator": "Exists"}]}},
                          {"ipBlock": {"cidr": "172.16.0.0/12", "except": ["172.16.5.0/24"]}}],
                 "ports": [{"port": "serve-80-tcp"}, {"protocol": "UDP", "port": 53},
                           {"port": 8000, "endPort": 8080}, {"protocol": "SCTP", "port": 9000}]}],
    "egress": [{"to": [{"podSelector": {}}]}, {}]
  }})";

TEST_F(ApiTest, NetworkPoliciesAreStoredAsTheyAre) {
  const nlohmann::json sent = nlohmann::json::parse(kNetworkPolicy);
  Answer created = Call("PUT", "/namespaces/np-a/networkpolicies/allow-web", sent.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json want = sent;
  want["metadata"]["namespace"] = "np-a";  // the only change: the namespace from the URL
  EXPECT_EQ(created.body, want);
  Answer got = Call("GET", "/namespaces/np-a/networkpolicies/allow-web");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, want);
  EXPECT_EQ(got.body["spec"].dump(), sent["spec"].dump());
  EXPECT_EQ(got.body["metadata"]["annotations"]["note"], "kept as is");
  EXPECT_EQ(got.body["metadata"]["resourceVersion"], "12345");

  // Replacing answers 200; metadata may name the URL's namespace and name, or leave them out.
  nlohmann::json changed = want;
  changed["spec"]["ingress"][0]["ports"][2]["endPort"] = 8090;
  EXPECT_EQ(Call("PUT", "/namespaces/np-a/networkpolicies/allow-web", changed.dump()).status, 200);
  EXPECT_EQ(Call("GET", "/namespaces/np-a/networkpolicies/allow-web").body, changed);
  Answer minimal = Call("PUT", "/namespaces/np-b/networkpolicies/deny-all", R"({"spec": {"podSelector": {}}})");
  ASSERT_EQ(minimal.status, 201) << minimal.body;
  EXPECT_EQ(minimal.body, nlohmann::json::parse(
                              R"({"metadata": {"namespace": "np-b", "name": "deny-all"}, "spec": {"podSelector": {}}})"));

  // Lists: all, filtered by namespace, and per namespace.
  Answer all = Call("GET", "/networkpolicies");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.body["networkpolicies"].size(), 2u);
  EXPECT_GT(all.body["revision"].get<int64_t>(), 0);
  Answer only_b = Call("GET", "/networkpolicies?namespace=np-b");
  ASSERT_EQ(only_b.body["networkpolicies"].size(), 1u);
  EXPECT_EQ(only_b.body["networkpolicies"][0]["metadata"]["name"], "deny-all");
  Answer in_a = Call("GET", "/namespaces/np-a/networkpolicies");
  ASSERT_EQ(in_a.body["networkpolicies"].size(), 1u);
  EXPECT_EQ(in_a.body["networkpolicies"][0], changed);
  EXPECT_EQ(Call("GET", "/namespaces/np-none/networkpolicies").body["networkpolicies"].size(), 0u);

  Answer null_meta = Call("PUT", "/namespaces/np-b/networkpolicies/null-meta", R"({"metadata": null, "spec": {}})");
  EXPECT_EQ(null_meta.status, 201) << null_meta.body;
  EXPECT_EQ(null_meta.body["metadata"], nlohmann::json({{"namespace", "np-b"}, {"name", "null-meta"}}));
  EXPECT_EQ(Call("DELETE", "/namespaces/np-b/networkpolicies/null-meta").status, 200);

  // 404s, and DELETE answers the deleted object.
  EXPECT_EQ(Call("GET", "/namespaces/np-a/networkpolicies/nope").status, 404);
  EXPECT_EQ(Call("DELETE", "/namespaces/np-a/networkpolicies/nope").status, 404);
  Answer deleted = Call("DELETE", "/namespaces/np-b/networkpolicies/deny-all");
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body["metadata"]["name"], "deny-all");
  EXPECT_EQ(Call("GET", "/namespaces/np-b/networkpolicies/deny-all").status, 404);
  EXPECT_EQ(Call("DELETE", "/namespaces/np-b/networkpolicies/deny-all").status, 404);
  EXPECT_EQ(Call("DELETE", "/namespaces/np-a/networkpolicies/allow-web").status, 200);
}

TEST_F(ApiTest, InvalidNetworkPoliciesGet400NamingTheFieldAndAreNeverStored) {
  const nlohmann::json good = nlohmann::json::parse(kNetworkPolicy);
  struct Case {
    std::string pointer;  // JSON pointer of the value to replace (or add)
    nlohmann::json value;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {"/metadata/name", "other", "metadata.name"},
           {"/metadata/namespace", "np-other", "metadata.namespace"},
           {"/metadata/namespace", 7, "metadata.namespace"},
           {"/kind", "Pod", "kind"},
           {"/spec/ingres", nlohmann::json::array(), "spec.ingres"},
           {"/spec/podSelector/matchExpressions/0/operator", "Like", "spec.podSelector.matchExpressions[0].operator"},
           {"/spec/ingress/0/ports/1/port", 70000, "spec.ingress[0].ports[1].port"},
           {"/spec/ingress/0/ports/1/protocol", "ICMP", "spec.ingress[0].ports[1].protocol"},
           {"/spec/ingress/0/ports/2/endPort", 7999, "spec.ingress[0].ports[2].endPort"},
           {"/spec/ingress/0/ports/0/endPort", 90, "spec.ingress[0].ports[0].endPort"},
           {"/spec/ingress/0/from/1/ipBlock/cidr", "172.16.0.1/12", "spec.ingress[0].from[1].ipBlock.cidr"},
           {"/spec/ingress/0/from/1/ipBlock/except/0", "10.0.0.0/24", "spec.ingress[0].from[1].ipBlock.except[0]"},
       }) {
    nlohmann::json bad = good;
    bad[nlohmann::json::json_pointer(c.pointer)] = c.value;
    Answer a = Call("PUT", "/namespaces/np-bad/networkpolicies/allow-web", bad.dump());
    EXPECT_EQ(a.status, 400) << c.pointer << ": " << a.body;
    EXPECT_EQ(a.body["error"]["code"], "invalid_argument") << c.pointer;
    EXPECT_EQ(FieldOf(a), c.field) << c.pointer << ": " << a.body;
  }
  EXPECT_EQ(Call("PUT", "/namespaces/np-bad/networkpolicies/allow-web", "[]").status, 400);
  EXPECT_EQ(FieldOf(Call("PUT", "/namespaces/np-bad/networkpolicies/allow-web", R"({"metadata": []})")), "metadata");
  EXPECT_EQ(FieldOf(Call("PUT", "/namespaces/NP_BAD/networkpolicies/x", R"({"spec": {}})")), "metadata.namespace");
  EXPECT_EQ(Call("GET", "/namespaces/np-bad/networkpolicies/allow-web").status, 404);
  EXPECT_EQ(Call("GET", "/namespaces/np-bad/networkpolicies").body["networkpolicies"].size(), 0u);
}

TEST_F(ApiTest, NetworkPolicyWritesNeedTheTokenAndTheClientCoversTheRoutes) {
  const std::string body = R"({"spec": {"podSelector": {}}})";
  EXPECT_EQ(Call("PUT", "/namespaces/np-auth/networkpolicies/p", body, "application/json", "").status, 401);
  EXPECT_EQ(Call("PUT", "/namespaces/np-auth/networkpolicies/p", body, "application/json", "wrong").status, 401);
  EXPECT_EQ(Call("GET", "/namespaces/np-auth/networkpolicies/p", "", "", "").status, 404);  // reads are open
  EXPECT_EQ(Call("PUT", "/namespaces/np-auth/networkpolicies/p", body, "text/plain").status, 415);

  absl::StatusOr<bool> created = client().PutNetworkPolicy("np-auth", "p", nlohmann::json::parse(body));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(*created);
  EXPECT_EQ(Call("DELETE", "/namespaces/np-auth/networkpolicies/p", "", "application/json", "").status, 401);
  EXPECT_FALSE(*client().PutNetworkPolicy("np-auth", "p", nlohmann::json::parse(body)));
  ASSERT_TRUE(client().PutNetworkPolicy("np-auth2", "q", nlohmann::json::parse(body)).ok());
  absl::StatusOr<nlohmann::json> got = client().GetNetworkPolicy("np-auth", "p");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["metadata"]["namespace"], "np-auth");
  auto in_ns = client().ListNetworkPolicies("np-auth2");
  ASSERT_TRUE(in_ns.ok()) << in_ns.status();
  ASSERT_EQ(in_ns->items.size(), 1u);
  EXPECT_EQ(in_ns->items[0]["metadata"]["name"], "q");
  EXPECT_GE(client().ListNetworkPolicies()->items.size(), 2u);

  absl::StatusOr<bool> bad = client().PutNetworkPolicy("np-auth", "p", {{"spec", {{"policyTypes", {"Both"}}}}});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(api::FieldOf(bad.status()), "spec.policyTypes[0]");
  EXPECT_TRUE(client().DeleteNetworkPolicy("np-auth", "p").ok());
  EXPECT_TRUE(client().DeleteNetworkPolicy("np-auth2", "q").ok());
  EXPECT_EQ(client().DeleteNetworkPolicy("np-auth", "p").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(client().GetNetworkPolicy("np-auth", "p").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ApiTest, WatchStreamsNetworkPolicyChanges) {
  auto before = client().ListNetworkPolicies();
  ASSERT_TRUE(before.ok()) << before.status();
  const std::string body = R"({"spec": {"podSelector": {"matchLabels": {"app": "x"}}}})";
  Answer put = Call("PUT", "/namespaces/np-watch/networkpolicies/w", body);
  ASSERT_EQ(put.status, 201) << put.body;
  ASSERT_EQ(Call("PUT", "/namespaces/np-watch", R"({"labels": {}})").status, 200);  // another kind: filtered out
  ASSERT_EQ(Call("DELETE", "/namespaces/np-watch/networkpolicies/w").status, 200);

  std::vector<api::WatchEvent> events;
  absl::Status s = client().Watch({.revision = before->revision + 1, .kinds = {"networkpolicies"},
                                   .stop = [&] { return events.size() >= 2; }},
                                  [&](const api::WatchEvent& e) {
                                    events.push_back(e);
                                    return absl::OkStatus();
                                  });
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, api::WatchEvent::Type::kPut);
  EXPECT_EQ(events[0].kind, "networkpolicy");
  EXPECT_EQ(events[0].key, "/romana/networkpolicies/np-watch/w");
  EXPECT_GT(events[0].revision, before->revision);
  EXPECT_EQ(events[0].object, put.body);
  EXPECT_EQ(events[1].type, api::WatchEvent::Type::kDelete);
  EXPECT_EQ(events[1].kind, "networkpolicy");
  EXPECT_EQ(events[1].key, events[0].key);
  EXPECT_GT(events[1].revision, events[0].revision + 1);  // the namespace PUT came in between
  auto after = client().ListNetworkPolicies();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->revision, events[1].revision);
}

TEST_F(ApiTest, ListRevisionThenWatchMissesNothing) {
  auto before = client().ListHosts();
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(client().AddHost({"h-watch", "192.168.70.1", {{"rack", "r1"}}}).ok());
  std::vector<std::string> keys;
  absl::Status s = client().Watch({.revision = before->revision + 1, .kinds = {"hosts"},
                                   .stop = [&] { return !keys.empty(); }},
                                  [&](const api::WatchEvent& e) {
                                    keys.push_back(e.key);
                                    EXPECT_EQ(e.object["name"], "h-watch");
                                    return absl::OkStatus();
                                  });
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_NE(keys[0].find("h-watch"), std::string::npos);
}

// A separate daemon: --auth-reads closes reads too, and the state survives a restart.
TEST_F(ApiTest, SnapshotIndexedReadsAndDeletesWithThePreviousObject) {
  ASSERT_TRUE(client().AddHost({"h-snap-1", "192.168.71.1", {{"rack", "r1"}}}).ok());
  ASSERT_TRUE(client().AddHost({"h-snap-2", "192.168.71.2", {{"rack", "r2"}}}).ok());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(client().AllocateAddress({absl::StrCat("snap-", i, ":eth0"), i % 2 ? "h-snap-2" : "h-snap-1", "", ""}).ok());
  }
  // Several kinds at one revision; every indexed read agrees with a filter of the snapshot.
  auto snap = client().Snapshot({"hosts", "blocks", "addresses"});
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_GT(snap->revision, 0);
  EXPECT_TRUE(snap->networks.empty());  // not asked for
  for (const std::string host : {"h-snap-1", "h-snap-2"}) {
    std::set<std::string> want, got;
    for (const api::Address& a : snap->addresses) if (a.host == host) want.insert(a.name);
    auto listed = client().ListAddresses(host);
    ASSERT_TRUE(listed.ok());
    for (const api::Address& a : listed->items) got.insert(a.name);
    EXPECT_EQ(got, want) << host;
    EXPECT_EQ(want.size(), 3u);
    std::set<std::string> want_blocks, got_blocks;
    for (const api::Block& b : snap->blocks) if (b.host == host) want_blocks.insert(b.cidr);
    auto blocks = client().ListBlocks({.network = "net1", .host = host});
    ASSERT_TRUE(blocks.ok());
    for (const api::Block& b : blocks->items) got_blocks.insert(b.cidr);
    EXPECT_EQ(got_blocks, want_blocks) << host;
  }
  for (const api::Address& a : snap->addresses) {
    auto by_ip = client().GetAddressByIp(a.ip);
    ASSERT_TRUE(by_ip.ok()) << a.ip;
    EXPECT_EQ(by_ip->name, a.name);
  }
  EXPECT_EQ(FieldOf(Call("GET", "/snapshot?kinds=hosts,bogus")), "kinds");
  EXPECT_EQ(FieldOf(Call("GET", "/hosts?revision=x")), "revision");
  // A read of the revision just listed answers at once.
  EXPECT_EQ(Call("GET", absl::StrCat("/hosts?revision=", snap->revision)).status, 200);
  auto metrics = client().Do("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("romanad_watch_cache{what=\"records\"}"), std::string::npos);

  // A DELETE event carries the deleted object.
  auto released = client().ReleaseAddress("snap-0:eth0");
  ASSERT_TRUE(released.ok());
  nlohmann::json prev;
  absl::Status s = client().Watch({.revision = snap->revision + 1, .kinds = {"addresses"},
                                   .stop = [&] { return !prev.is_null(); }},
                                  [&](const api::WatchEvent& e) {
                                    if (e.type == api::WatchEvent::Type::kDelete) prev = e.prev_object;
                                    return absl::OkStatus();
                                  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(prev["name"], "snap-0:eth0");
  EXPECT_EQ(prev["ip"], released->ip);
}

TEST(ApiRestartTest, AuthReadsAndPersistence) {
  romana::testing::TempDir dir;
  const std::string db = dir.File("state.db");
  {
    auto d = RomanadProcess::Start({.topology_json = kTopology, .token = kToken, .auth_reads = true, .store_path = db});
    ASSERT_TRUE(d.ok()) << d.status();
    const std::string base = absl::StrCat("http://127.0.0.1:", (*d)->port());
    http::CurlClient c;
    absl::StatusOr<http::Response> r = c.Send({.url = base + "/hosts"});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 401);
    absl::StatusOr<http::Response> health = c.Send({.url = base + "/healthz"});
    ASSERT_TRUE(health.ok()) << health.status();
    EXPECT_EQ(health->status, 200);
    ASSERT_TRUE((*d)->client().AddHost({"persist", "192.168.80.1", {{"rack", "r1"}}}).ok());
    ASSERT_TRUE((*d)->client().AllocateAddress({"p:eth0", "persist", "", ""}).ok());
    EXPECT_EQ((*d)->Stop(), 0);
  }
  auto d = RomanadProcess::Start({.topology_json = kTopology, .token = kToken, .store_path = db});
  ASSERT_TRUE(d.ok()) << d.status();
  auto a = (*d)->client().AllocateAddress({"p:eth0", "persist", "", ""});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_FALSE(a->created);  // the allocation came back from the store
  auto b = (*d)->client().AllocateAddress({"q:eth0", "persist", "", ""});
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->address.ip, a->address.ip);
}

TEST(ApiFlagsTest, BadFlagsExitWithCode2) {
  romana::testing::TempDir dir;
  std::ofstream(dir.File("bad.json")) << R"({"networks": []})";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--listen=nonsense"}, {"--initial-network=" + dir.File("bad.json")}, {"--cloud=gcp"},
           {"--auth-reads"}, {"--no-such-flag"}}) {
    std::vector<std::string> argv = {testing::AppBinary("romanad"), "--store=" + dir.File("x.db")};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = base::RunCommand(argv);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 2) << args[0] << ": " << r->output;
  }
  auto help = base::RunCommand({testing::AppBinary("romanad"), "--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->exit_code, 0);
  for (const char* flag : {"--initial-network", "--network-cidr-overrides", "--cloud", "--store", "--etcd-endpoints",
                           "--etcd-prefix", "--etcd-ca-file", "--listen", "--tls-cert-file", "--token-file",
                           "--auth-reads", "--log-level", "--log-format"}) {
    EXPECT_NE(help->output.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace romana
