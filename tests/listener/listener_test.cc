// romana-listener end to end: the real binary between the lab's Kubernetes API and a real
// romanad. Intervals are shortened by flags so each test takes seconds.
#include <csignal>
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
#include "k8s/kube_client.h"
#include "k8s/testing/test_api_server.h"

namespace romana {
namespace {

using nlohmann::json;
using testing::RomanadProcess;
using testing::WaitUntil;

// One leaf for Kubernetes nodes, one leaf holding a static host from the topology file.
constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.20.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["net1"], "map": [
      {"name": "nodes", "groups": []},
      {"name": "static", "hosts": [{"name": "static-a", "ip": "192.168.50.10"}]}]}]})";
constexpr char kToken[] = "listener-test-token";

json Node(const std::string& name, const std::string& ip, json labels = json::object()) {
  json addresses = json::array({{{"type", "Hostname"}, {"address", name}}});
  if (!ip.empty()) addresses.push_back({{"type", "InternalIP"}, {"address", ip}});
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"status", {{"addresses", addresses}}}};
}

json Pod(const std::string& ns, const std::string& name, const std::string& node, const std::string& ip,
         json labels = json::object(), bool host_network = false) {
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = {{"name", name}, {"namespace", ns}, {"labels", labels}};
  pod["spec"] = {{"nodeName", node}, {"hostNetwork", host_network}};
  pod["spec"]["containers"] = json::parse(R"([{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}])");
  pod["status"] = {{"podIP", ip}, {"phase", "Running"}};
  return pod;
}

json Policy(const std::string& ns, const std::string& name, json spec) {
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", spec},
          {"status", {{"conditions", json::array()}}}};
}

// The real romana-listener binary.
class ListenerProcess {
 public:
  static std::unique_ptr<ListenerProcess> Start(const std::string& kube, const std::string& romanad,
                                                const std::string& token_file, const std::string& log,
                                                std::vector<std::string> extra) {
    std::vector<std::string> argv = {testing::AppBinary("romana-listener"), "--kube-server=" + kube,
                                     "--romanad=" + romanad, "--romanad-token-file=" + token_file,
                                     "--metrics-listen=127.0.0.1:0", "--resync-interval=0.5",
                                     "--retry-interval=0.2", "--log-level=debug"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<ListenerProcess>();
    p->log_ = log;
    auto s = base::Subprocess::Start({.argv = argv, .output_path = log});
    if (!s.ok()) return nullptr;
    p->process_ = *std::move(s);
    return p;
  }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // The status server's port, from the start-up log line.
  int MetricsPort() const {
    std::smatch m;
    const std::string log = Log();
    if (std::regex_search(log, m, std::regex(R"(/status on 127\.0\.0\.1:(\d+))"))) return std::stoi(m[1]);
    return 0;
  }
  base::Subprocess& process() { return *process_; }

 private:
  std::string log_;
  std::unique_ptr<base::Subprocess> process_;
};

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = k8s::testing::TestApiServer::Start();
    ASSERT_TRUE(k.ok()) << k.status();
    kube_ = *std::move(k);
    auto d = RomanadProcess::Start({.topology_json = kTopology, .token = kToken});
    ASSERT_TRUE(d.ok()) << d.status();
    romanad_ = *std::move(d);
    std::ofstream(dir_.File("token")) << kToken << "\n";
    kube_client_ = std::make_unique<k8s::KubeClient>(http_, k8s::KubeConfig{.server = kube_->url()});
  }
  void TearDown() override {
    if (HasFailure()) {
      for (size_t i = 0; i < listeners_.size(); ++i) {
        if (listeners_[i]) std::cerr << "--- listener " << i << " log:\n" << listeners_[i]->Log().substr(0, 20000);
      }
    }
  }
  ListenerProcess& StartListener(std::vector<std::string> extra = {}) {
    const std::string log = dir_.File(absl::StrCat("listener-", listeners_.size(), ".log"));
    listeners_.push_back(ListenerProcess::Start(kube_->url(), romanad_->url(), dir_.File("token"), log, extra));
    return *listeners_.back();
  }
  api::Client& romanad() { return romanad_->client(); }
  std::optional<api::Host> Host(const std::string& name) {
    auto h = romanad().GetHost(name);
    return h.ok() ? std::optional<api::Host>(*h) : std::nullopt;
  }
  bool HasEndpoint(const std::string& ns, const std::string& name) {
    auto l = romanad().ListEndpoints({.namespace_name = ns});
    if (!l.ok()) return false;
    for (const auto& e : l->items) {
      if (e.name == name) return true;
    }
    return false;
  }
  std::optional<json> StoredPolicy(const std::string& ns, const std::string& name) {
    auto p = romanad().GetNetworkPolicy(ns, name);
    return p.ok() ? std::optional<json>(*p) : std::nullopt;
  }
  // The sum of every series of `name` (0 when absent).
  double MetricSum(ListenerProcess& l, const std::string& name) {
    std::istringstream in(Metrics(l));
    double sum = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(name, 0) != 0 || (line[name.size()] != '{' && line[name.size()] != ' ')) continue;
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return sum;
  }
  std::string Metrics(ListenerProcess& l) {
    http::CurlClient c;
    auto r = c.Send({.url = absl::StrCat("http://127.0.0.1:", l.MetricsPort(), "/metrics")});
    return r.ok() ? r->body : "";
  }

  testing::TempDir dir_;
  http::CurlClient http_;
  std::unique_ptr<k8s::testing::TestApiServer> kube_;
  std::unique_ptr<RomanadProcess> romanad_;
  std::unique_ptr<k8s::KubeClient> kube_client_;
  std::vector<std::unique_ptr<ListenerProcess>> listeners_;
};

TEST_F(ListenerTest, NodesBecomeHostsByInternalIpAreRelabelledAndRemovedStaticHostsStay) {
  ASSERT_TRUE(Host("static-a").has_value());
  kube_->Put("nodes", Node("n1", "192.168.0.11", {{"rack", "r1"}}));
  kube_->Put("nodes", Node("n2", ""));  // no InternalIP yet
  StartListener({"--leader-elect=false"});
  ASSERT_TRUE(WaitUntil([&] { return Host("n1").has_value(); }));
  EXPECT_EQ(Host("n1")->ip, "192.168.0.11");
  EXPECT_EQ(Host("n1")->labels, (api::Labels{{"rack", "r1"}}));
  EXPECT_FALSE(Host("n2").has_value());
  kube_->Put("nodes", Node("n2", "192.168.0.12"));
  ASSERT_TRUE(WaitUntil([&] { return Host("n2").has_value(); }));
  kube_->Put("nodes", Node("n1", "192.168.0.11", {{"rack", "r2"}}));
  ASSERT_TRUE(WaitUntil([&] { return Host("n1") && Host("n1")->labels == api::Labels{{"rack", "r2"}}; }));
  EXPECT_TRUE(kube_->Remove("nodes", "n1"));
  ASSERT_TRUE(WaitUntil([&] { return !Host("n1").has_value(); }));
  // Several full reconciles later the static host (no Node of that name) is still there.
  ASSERT_TRUE(WaitUntil([&] { return Metrics(*listeners_[0]).find("romana_listener_full_reconciles_total 3") != std::string::npos; }))
      << Metrics(*listeners_[0]);
  EXPECT_TRUE(Host("static-a").has_value());
  EXPECT_TRUE(Host("n2").has_value());
  // In steady state a full reconcile re-reads romanad and writes nothing.
  const double writes = MetricSum(*listeners_[0], "romana_listener_romanad_writes_total");
  const double reconciles = MetricSum(*listeners_[0], "romana_listener_full_reconciles_total");
  EXPECT_GT(writes, 0);
  ASSERT_TRUE(WaitUntil([&] { return MetricSum(*listeners_[0], "romana_listener_full_reconciles_total") >= reconciles + 2; }));
  EXPECT_EQ(MetricSum(*listeners_[0], "romana_listener_romanad_writes_total"), writes);
  EXPECT_EQ(MetricSum(*listeners_[0], "romana_listener_romanad_errors_total"), 0);
}

TEST_F(ListenerTest, NamespacesPodsAndPoliciesReachRomanad) {
  kube_->Put("nodes", Node("n1", "192.168.0.11"));
  json blue = {{"apiVersion", "v1"},
               {"kind", "Namespace"},
               {"metadata",
                {{"name", "blue"},
                 {"labels", {{"team", "b"}}},
                 {"annotations", {{"net.beta.kubernetes.io/networkpolicy", R"({"ingress":{"isolation":"DefaultDeny"}})"}}}}}};
  kube_->Put("namespaces", blue);
  kube_->Put("pods", Pod("blue", "web", "n1", "10.20.0.5", {{"app", "web"}}));
  kube_->Put("pods", Pod("blue", "agent", "n1", "192.168.0.11", {}, true));
  kube_->Put("networkpolicies", Policy("blue", "deny", {{"podSelector", json::object()}}));
  StartListener({"--leader-elect=false"});
  ASSERT_TRUE(WaitUntil([&] { return HasEndpoint("blue", "web") && StoredPolicy("blue", "deny"); }));
  auto ns = romanad().ListNamespaces();
  ASSERT_TRUE(ns.ok());
  bool found = false;
  for (const auto& n : ns->items) {
    if (n.name != "blue") continue;
    found = true;
    EXPECT_TRUE(n.isolated);
    EXPECT_EQ(n.labels.at("team"), "b");
  }
  EXPECT_TRUE(found);
  auto eps = romanad().ListEndpoints({.namespace_name = "blue"});
  ASSERT_EQ(eps->items.size(), 1u);  // the hostNetwork pod is no endpoint
  EXPECT_EQ(eps->items[0].ip, "10.20.0.5");
  EXPECT_EQ(eps->items[0].node, "n1");
  EXPECT_EQ(eps->items[0].labels, (api::Labels{{"app", "web"}}));
  EXPECT_EQ(eps->items[0].ports, (std::vector<api::EndpointPort>{{"http", 8080, "TCP"}}));
  EXPECT_FALSE(StoredPolicy("blue", "deny")->contains("status"));

  // Edits reach romanad (the original ignored NetworkPolicy updates).
  kube_->Put("networkpolicies", Policy("blue", "deny", {{"podSelector", {{"matchLabels", {{"app", "web"}}}}}}));
  ASSERT_TRUE(WaitUntil([&] { return StoredPolicy("blue", "deny")->at("spec").contains("policyTypes") ||
                                     StoredPolicy("blue", "deny")->at("spec")["podSelector"].contains("matchLabels"); }));
  kube_->Put("pods", Pod("blue", "web", "n1", "10.20.0.5", {{"app", "web2"}}));
  ASSERT_TRUE(WaitUntil([&] {
    auto e = romanad().ListEndpoints({.namespace_name = "blue"});
    return e.ok() && e->items.size() == 1 && e->items[0].labels.at("app") == "web2";
  }));
  EXPECT_TRUE(kube_->Remove("networkpolicies", "blue", "deny"));
  EXPECT_TRUE(kube_->Remove("pods", "blue", "web"));
  ASSERT_TRUE(WaitUntil([&] { return !StoredPolicy("blue", "deny") && !HasEndpoint("blue", "web"); }));
  EXPECT_TRUE(kube_->Remove("namespaces", "blue"));
  ASSERT_TRUE(WaitUntil([&] {
    auto l = romanad().ListNamespaces();
    return l.ok() && std::none_of(l->items.begin(), l->items.end(), [](const api::Namespace& n) { return n.name == "blue"; });
  }));
}

TEST_F(ListenerTest, RestartedListenerConvergesWithWhatChangedWhileItWasDown) {
  kube_->Put("nodes", Node("n1", "192.168.0.11"));
  kube_->Put("nodes", Node("n2", "192.168.0.12"));
  kube_->Put("pods", Pod("default", "p1", "n1", "10.20.0.5"));
  kube_->Put("networkpolicies", Policy("default", "old", {{"podSelector", json::object()}}));
  ListenerProcess& first = StartListener({"--leader-elect=false"});
  ASSERT_TRUE(WaitUntil([&] { return Host("n2") && HasEndpoint("default", "p1") && StoredPolicy("default", "old"); }));
  ASSERT_EQ(first.process().Stop(), 0);

  // While no listener runs: a node and a policy deleted, a node and a pod added, and a stray
  // non-static host that no node backs.
  kube_->Remove("nodes", "n2");
  kube_->Remove("networkpolicies", "default", "old");
  kube_->Remove("pods", "default", "p1");
  kube_->Put("nodes", Node("n3", "192.168.0.13"));
  kube_->Put("pods", Pod("default", "p2", "n3", "10.20.0.6"));
  kube_->Put("networkpolicies", Policy("default", "new", {{"podSelector", json::object()}}));
  ASSERT_TRUE(romanad().AddHost({"stray", "192.168.0.99", {}}).ok());

  StartListener({"--leader-elect=false"});
  ASSERT_TRUE(WaitUntil([&] {
    return !Host("n2") && !Host("stray") && Host("n3") && !StoredPolicy("default", "old") && StoredPolicy("default", "new") &&
           !HasEndpoint("default", "p1") && HasEndpoint("default", "p2");
  }));
  EXPECT_TRUE(Host("n1").has_value());
  EXPECT_TRUE(Host("static-a").has_value());
}

TEST_F(ListenerTest, TwoReplicasOneWritesAndTheOtherTakesOverWithinTheLeaseDuration) {
  const std::vector<std::string> lease = {"--lease-duration=2", "--renew-deadline=1.3", "--retry-period=0.2"};
  std::vector<std::string> a = lease, b = lease;
  a.push_back("--identity=replica-a");
  b.push_back("--identity=replica-b");
  ListenerProcess& ra = StartListener(a);
  ASSERT_TRUE(WaitUntil([&] {
    auto l = kube_client_->Get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/romana-listener");
    return l.ok() && (*l)["spec"].value("holderIdentity", "") == "replica-a";
  }));
  ListenerProcess& rb = StartListener(b);
  kube_->Put("nodes", Node("n1", "192.168.0.11"));
  ASSERT_TRUE(WaitUntil([&] { return Host("n1").has_value(); }));
  ASSERT_TRUE(WaitUntil([&] { return Metrics(rb).find("romana_listener_leader 0") != std::string::npos; }));
  EXPECT_NE(Metrics(ra).find("romana_listener_leader 1"), std::string::npos);

  // The active replica dies without releasing the Lease.
  ra.process().Signal(SIGKILL);
  ASSERT_TRUE(ra.process().Wait(std::chrono::seconds(5)).ok());
  const auto killed = std::chrono::steady_clock::now();
  kube_->Put("nodes", Node("n2", "192.168.0.12"));
  ASSERT_TRUE(WaitUntil([&] { return Host("n2").has_value(); }, std::chrono::seconds(10)));
  const auto took = std::chrono::steady_clock::now() - killed;
  // Lease duration (2 s) plus the standby's retry period and jitter.
  EXPECT_LT(took, std::chrono::milliseconds(3500)) << std::chrono::duration<double>(took).count() << " s";
  EXPECT_NE(Metrics(rb).find("romana_listener_leader 1"), std::string::npos);
}

TEST_F(ListenerTest, AnAddressWhosePodIsGoneIsReleasedAfterTheGracePeriod) {
  kube_->Put("nodes", Node("n1", "192.168.0.11"));
  ListenerProcess& l =
      StartListener({"--leader-elect=false", "--address-gc-interval=0.2", "--address-gc-grace=1"});
  ASSERT_TRUE(WaitUntil([&] { return Host("n1").has_value(); }));
  // Two CNI ADDs: one pod still exists, the other was deleted and its DEL never came.
  auto kept = romanad().AllocateAddress({.name = "c-kept:eth0", .host = "n1"});
  auto lost = romanad().AllocateAddress({.name = "c-lost:eth0", .host = "n1"});
  ASSERT_TRUE(kept.ok() && lost.ok()) << kept.status() << lost.status();
  kube_->Put("pods", Pod("default", "kept", "n1", kept->address.ip));
  ASSERT_TRUE(WaitUntil([&] { return !romanad().GetAddress("c-lost:eth0").ok(); }, std::chrono::seconds(10)));
  EXPECT_TRUE(romanad().GetAddress("c-kept:eth0").ok());  // its pod exists: never released
  ASSERT_TRUE(WaitUntil([&] { return Metrics(l).find("romana_listener_addresses_released_total 1") != std::string::npos; }))
      << Metrics(l);
  // Now its pod goes away too (the DEL lost again).
  kube_->Remove("pods", "default", "kept");
  ASSERT_TRUE(WaitUntil([&] { return !romanad().GetAddress("c-kept:eth0").ok(); }, std::chrono::seconds(10)));
  ASSERT_TRUE(WaitUntil([&] { return Metrics(l).find("romana_listener_addresses_released_total 2") != std::string::npos; }));
}

// romanad's request counter for one route and method (0 when absent).
double RomanadRequests(api::Client& romanad, const std::string& route, const std::string& method) {
  absl::StatusOr<api::RawResponse> r = romanad.Do("GET", "/metrics");
  if (!r.ok()) return -1;
  std::istringstream in(r->body);
  double sum = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("romanad_http_requests_total{", 0) != 0) continue;
    if (line.find(absl::StrCat("route=\"", route, "\"")) == std::string::npos) continue;
    if (line.find(absl::StrCat("method=\"", method, "\"")) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

// The listener's start-up sync against romanad state seeded beforehand.
class ListenerStartUpTest : public ListenerTest {
 protected:
  // Puts `pods` pods (app=a) into the API. romanad already holds the first `held` of them as they
  // are, the next `relabelled` with an old label, and 5 endpoints whose pods are gone.
  void Seed(int pods, int held, int relabelled) {
    api::EndpointBatch existing;
    for (int i = 0; i < pods; ++i) {
      const std::string ns = absl::StrCat("ns-", i % 3), name = absl::StrCat("pod-", i),
                        ip = absl::StrCat("10.20.", 1 + i / 200, ".", i % 200);
      kube_->Put("pods", Pod(ns, name, "n1", ip, {{"app", "a"}}));
      if (i >= held + relabelled) continue;
      existing.put.push_back({.namespace_name = ns, .name = name, .node = "n1", .ip = ip,
                              .labels = {{"app", i < held ? "a" : "old"}}, .ports = {{.name = "http", .port = 8080}}});
    }
    for (int i = 0; i < 5; ++i) existing.put.push_back({.namespace_name = "ns-0", .name = absl::StrCat("gone-", i)});
    ASSERT_TRUE(romanad().WriteEndpoints(existing).ok());
  }

  // Starts the listener and waits until its first full reconcile left romanad holding exactly
  // `pods` endpoints, all labelled app=a.
  void StartAndWaitForEndpoints(size_t pods) {
    ListenerProcess& l = StartListener({"--leader-elect=false"});
    ASSERT_TRUE(WaitUntil([&] { return Metrics(l).find("romana_listener_full_reconciles_total") != std::string::npos &&
                                       MetricSum(l, "romana_listener_full_reconciles_total") >= 1; }));
    ASSERT_TRUE(WaitUntil([&] {
      auto list = romanad().ListEndpoints();
      if (!list.ok() || list->items.size() != pods) return false;
      for (const api::Endpoint& e : list->items) {
        if (e.labels != api::Labels{{"app", "a"}}) return false;
      }
      return true;
    }, std::chrono::seconds(60)));
  }

  // The endpoint puts and deletes romanad made after revision `before`, up to now.
  std::pair<int, int> EndpointWritesSince(api::Revision before) {
    const api::Revision end = romanad().Snapshot({"endpoints"})->revision;
    int puts = 0, deletes = 0;
    absl::Status s = romanad().Watch(
        {.revision = before + 1, .kinds = {"endpoints"}, .deliver_bookmarks = true,
         .bookmark_interval = std::chrono::milliseconds(20)},
        [&](const api::WatchEvent& e) {
          if (e.type == api::WatchEvent::Type::kBookmark) {
            return e.revision >= end ? absl::CancelledError("caught up") : absl::OkStatus();
          }
          (e.type == api::WatchEvent::Type::kPut ? puts : deletes)++;
          return absl::OkStatus();
        });
    EXPECT_TRUE(absl::IsCancelled(s)) << s;
    return {puts, deletes};
  }
};

TEST_F(ListenerStartUpTest, WritesOnlyTheDifferencesInEndpointBatches) {
  // 300 pods; romanad already holds 100 of them as they are, 20 with old labels, and 5 stale.
  Seed(300, 100, 20);
  const double single_puts = RomanadRequests(romanad(), "endpoint", "PUT");
  const double single_deletes = RomanadRequests(romanad(), "endpoint", "DELETE");
  const double batches = RomanadRequests(romanad(), "endpoints_batch", "POST");
  const api::Revision before = romanad().Snapshot({"endpoints"})->revision;
  StartAndWaitForEndpoints(300);
  EXPECT_EQ(RomanadRequests(romanad(), "endpoint", "PUT"), single_puts) << "no endpoint written alone";
  EXPECT_EQ(RomanadRequests(romanad(), "endpoint", "DELETE"), single_deletes);
  EXPECT_GE(RomanadRequests(romanad(), "endpoints_batch", "POST"), batches + 2) << "deletes, then puts";
  // Only the differences were written: 180 new, 20 relabelled, 5 deleted.
  EXPECT_EQ(EndpointWritesSince(before), (std::pair<int, int>{200, 5}));
}

TEST_F(ListenerStartUpTest, ALargeListPutsOnlyTheDifferencesOnceAndDeletesTheStale) {
  // 4,500 pods: nine list pages, more than one round of early puts (the endpoints of listed pages
  // are put while the list goes on, when hosts, namespaces and policies are written first; the
  // full reconcile after the list must then neither repeat them nor miss the stale endpoints).
  // romanad already holds 1,000 of them as they are, 100 with old labels, and 5 whose pods are gone.
  Seed(4500, 1000, 100);
  const api::Revision before = romanad().Snapshot({"endpoints"})->revision;
  StartAndWaitForEndpoints(4500);
  EXPECT_EQ(EndpointWritesSince(before), (std::pair<int, int>{3500, 5}))
      << "3,400 new and 100 relabelled, each written once; 5 deleted";
}

}  // namespace
}  // namespace romana
