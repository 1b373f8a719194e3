// romana-listener's Service VIPs end to end: the real binary between the lab's Kubernetes API and
// a real romanad. A Service's romanavip annotation becomes a VIP on the node of its ready
// endpoints; it follows annotation and endpoint changes, goes with the annotation or the Service;
// a bad annotation is reported (log, metric, Warning Event) and harms nothing; VIPs of Services that
// no longer exist are removed at start-up; the VIP joins the Service's spec.externalIPs (once: no
// update loop), or not with --vip-external-ips=false.
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "k8s/testing/test_api_server.h"

namespace romana {
namespace {

using nlohmann::json;
using testing::RomanadProcess;
using testing::WaitUntil;

constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.21.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["net1"], "map": [{"name": "nodes", "groups": []}]}]})";
constexpr char kToken[] = "listener-vip-token";

json Node(const std::string& name, const std::string& ip) {
  return {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}},
          {"status", {{"addresses", json::array({{{"type", "InternalIP"}, {"address", ip}}})}}}};
}

json Service(const std::string& name, std::optional<std::string> vip) {
  json s = {{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", name}, {"namespace", "default"}}}};
  if (vip) s["metadata"]["annotations"] = {{"romanavip", *vip}};
  s["spec"] = {{"selector", {{"app", name}}}, {"ports", json::parse(R"([{"name": "http", "port": 80, "protocol": "TCP"}])")}};
  return s;
}

// An Endpoints object: `ready` and `not_ready` are node names, one address each.
json Endpoints(const std::string& name, const std::vector<std::string>& ready,
               const std::vector<std::string>& not_ready = {}) {
  json subset = {{"addresses", json::array()}, {"notReadyAddresses", json::array()}};
  int i = 2;
  for (const std::string& n : ready) subset["addresses"].push_back({{"ip", absl::StrCat("10.21.0.", i++)}, {"nodeName", n}});
  for (const std::string& n : not_ready) {
    subset["notReadyAddresses"].push_back({{"ip", absl::StrCat("10.21.0.", i++)}, {"nodeName", n}});
  }
  return {{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"subsets", json::array({subset})}};
}

class ListenerVipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = k8s::testing::TestApiServer::Start();
    ASSERT_TRUE(k.ok()) << k.status();
    kube_ = *std::move(k);
    auto d = RomanadProcess::Start({.topology_json = kTopology, .token = kToken});
    ASSERT_TRUE(d.ok()) << d.status();
    romanad_ = *std::move(d);
    std::ofstream(dir_.File("token")) << kToken << "\n";
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- listener log:\n" << Log().substr(0, 20000);
  }
  void StartListener(const std::vector<std::string>& extra_args = {}) {
    std::vector<std::string> argv = {testing::AppBinary("romana-listener"), "--kube-server=" + kube_->url(),
                                     "--romanad=" + romanad_->url(), "--romanad-token-file=" + dir_.File("token"),
                                     "--metrics-listen=127.0.0.1:0", "--resync-interval=0.5", "--retry-interval=0.2",
                                     "--leader-elect=false", "--vip-cidr=192.168.98.0/29", "--log-level=debug"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    auto s = base::Subprocess::Start({.argv = argv, .output_path = dir_.File("listener.log")});
    ASSERT_TRUE(s.ok()) << s.status();
    listener_ = *std::move(s);
  }
  std::string Log() const {
    std::ifstream in(dir_.File("listener.log"));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string Metrics() {
    std::smatch m;
    const std::string log = Log();
    if (!std::regex_search(log, m, std::regex(R"(/status on 127\.0\.0\.1:(\d+))"))) return "";
    auto r = http::CurlClient().Send({.url = absl::StrCat("http://127.0.0.1:", m[1].str(), "/metrics")});
    return r.ok() ? r->body : "";
  }
  std::optional<api::Vip> Vip(const std::string& name) {
    auto v = romanad_->client().GetVip("default", name);
    return v.ok() ? std::optional<api::Vip>(*v) : std::nullopt;
  }

  testing::TempDir dir_;
  std::unique_ptr<k8s::testing::TestApiServer> kube_;
  std::unique_ptr<RomanadProcess> romanad_;
  std::unique_ptr<base::Subprocess> listener_;
};

TEST_F(ListenerVipTest, AnnotationEndpointsAndServiceDriveTheVip) {
  kube_->Put("nodes", Node("n1", "192.168.0.11"));
  kube_->Put("nodes", Node("n2", "192.168.0.12"));
  kube_->Put("services", Service("web", R"({"auto": false, "ip": "192.168.99.101"})"));
  kube_->Put("endpoints", Endpoints("web", {"n1"}));
  kube_->Put("services", Service("bad", R"({"ip": "192.168.99.300"})"));
  kube_->Put("services", Service("plain", std::nullopt));
  // A VIP of a Service deleted while no listener ran.
  ASSERT_TRUE(romanad_->client().PutVip({.namespace_name = "default", .name = "gone", .ip = "192.168.99.200"}).ok());
  StartListener();

  ASSERT_TRUE(WaitUntil([&] { return Vip("web") && Vip("web")->node == "n1"; })) << Log();
  EXPECT_EQ(Vip("web")->ip, "192.168.99.101");
  EXPECT_EQ(Vip("web")->ports, (std::vector<api::VipPort>{{.name = "http", .port = 80, .protocol = "TCP"}}));
  ASSERT_TRUE(WaitUntil([&] { return !Vip("gone"); }));
  EXPECT_FALSE(Vip("bad"));
  EXPECT_FALSE(Vip("plain"));
  ASSERT_TRUE(WaitUntil([&] { return Metrics().find("romana_listener_vip_errors 1") != std::string::npos; }))
      << Metrics();
  EXPECT_NE(Log().find("service default/bad: no VIP: romanavip.ip"), std::string::npos);
  // ...and a Warning Event on the Service, naming the field.
  ASSERT_TRUE(WaitUntil([&] {
    for (const json& e : kube_->Objects("events", "default")) {
      if (e["involvedObject"]["name"] == "bad" && e["reason"] == "InvalidRomanaVIP" && e["type"] == "Warning" &&
          e["message"].get<std::string>().find("romanavip.ip") != std::string::npos) {
        return true;
      }
    }
    return false;
  }));

  // The endpoint moves to n2: the VIP follows. A second ready endpoint elsewhere does not move it back.
  kube_->Put("endpoints", Endpoints("web", {"n2"}));
  ASSERT_TRUE(WaitUntil([&] { return Vip("web") && Vip("web")->node == "n2"; }));
  kube_->Put("endpoints", Endpoints("web", {"n1", "n2"}));
  kube_->Put("services", Service("web", "192.168.99.102"));  // a new address, same node
  ASSERT_TRUE(WaitUntil([&] { return Vip("web") && Vip("web")->ip == "192.168.99.102"; }));
  EXPECT_EQ(Vip("web")->node, "n2");
  // No ready endpoint: on no node.
  kube_->Put("endpoints", Endpoints("web", {}, {"n1"}));
  ASSERT_TRUE(WaitUntil([&] { return Vip("web") && Vip("web")->node.empty(); }));

  // The bad annotation fixed (auto, from --vip-cidr): served; then the Service deleted: gone.
  kube_->Put("services", Service("bad", R"({"auto": true})"));
  ASSERT_TRUE(WaitUntil([&] { return Vip("bad") && Vip("bad")->ip == "192.168.98.1"; }));
  ASSERT_TRUE(WaitUntil([&] { return Metrics().find("romana_listener_vip_errors 0") != std::string::npos; }));
  EXPECT_TRUE(kube_->Remove("services", "default", "bad"));
  ASSERT_TRUE(WaitUntil([&] { return !Vip("bad"); }));
  // The annotation removed: gone.
  kube_->Put("services", Service("web", std::nullopt));
  ASSERT_TRUE(WaitUntil([&] { return !Vip("web"); }));
  EXPECT_TRUE(listener_->Running());
}

json ServiceWithExternalIps(const std::string& name, const std::string& vip, const std::vector<std::string>& ips) {
  json s = Service(name, vip);
  s["spec"]["externalIPs"] = ips;
  return s;
}

std::optional<json> StoredService(k8s::testing::TestApiServer& kube, const std::string& name) {
  for (const json& s : kube.Objects("services", "default")) {
    if (s["metadata"]["name"] == name) return s;
  }
  return std::nullopt;
}

// The VIP joins spec.externalIPs once: the listener's own watch event (and every resync, each
// 0.5 s here) finds nothing more to do.
TEST_F(ListenerVipTest, ExternalIpsGetTheVipOnceWithoutAnUpdateLoop) {
  kube_->Put("services", ServiceWithExternalIps("web", "192.168.99.101", {"198.51.100.7"}));
  StartListener();
  const json want = json::parse(R"(["198.51.100.7", "192.168.99.101"])");
  ASSERT_TRUE(WaitUntil([&] { return StoredService(*kube_, "web").value_or(json())["spec"]["externalIPs"] == want; }))
      << Log();
  const json web = *StoredService(*kube_, "web");
  EXPECT_EQ(web["metadata"]["annotations"]["romana.io/vip-external-ip"], "192.168.99.101");
  // A second Service, put after web's patch: the pass that serves it has seen web's patch come
  // back through the watch (one stream, in order) and wrote nothing for web.
  kube_->Put("services", ServiceWithExternalIps("db", "192.168.99.102", {}));
  ASSERT_TRUE(WaitUntil([&] {
    return StoredService(*kube_, "db").value_or(json())["spec"]["externalIPs"] == json::parse(R"(["192.168.99.102"])");
  }));
  ASSERT_TRUE(WaitUntil([&] { return Metrics().find("romana_listener_vip_external_ip_patches_total 2") != std::string::npos; }))
      << Metrics();
  EXPECT_EQ(StoredService(*kube_, "web")->at("metadata").at("resourceVersion"), web["metadata"]["resourceVersion"]);
  EXPECT_TRUE(listener_->Running());
}

// --vip-external-ips=false: today's behaviour before the flag; Services are never written.
TEST_F(ListenerVipTest, ExternalIpsOffLeavesServicesAlone) {
  kube_->Put("services", ServiceWithExternalIps("web", "192.168.99.101", {"198.51.100.7"}));
  const std::string version = StoredService(*kube_, "web")->at("metadata").at("resourceVersion");
  StartListener({"--vip-external-ips=false"});
  ASSERT_TRUE(WaitUntil([&] { return Vip("web").has_value(); })) << Log();
  // A later Service's VIP: the pass that wrote web's VIP is over (one worker).
  kube_->Put("services", Service("db", "192.168.99.102"));
  ASSERT_TRUE(WaitUntil([&] { return Vip("db").has_value(); }));
  EXPECT_EQ(StoredService(*kube_, "web")->at("metadata").at("resourceVersion"), version);
  EXPECT_EQ(StoredService(*kube_, "web")->at("spec").at("externalIPs"), json::parse(R"(["198.51.100.7"])"));
  EXPECT_FALSE(StoredService(*kube_, "db")->at("spec").contains("externalIPs"));
}

}  // namespace
}  // namespace romana
