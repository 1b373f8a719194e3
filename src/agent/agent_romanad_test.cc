// The agent's control loop against a real romanad (started by romana::romanad_testing on
// loopback), with the kernel replaced by the in-memory programmer and nft runner: proves that it
// follows the watch stream (adds and removals), resumes after romanad restarts, registers its
// node, adds and removes its VIPs, refuses a service range that overlaps a network, and runs
// before_ready (romana-agent: writes the CNI config) only once registered, synced and known.
#include "agent/agent.h"

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "agent/cni_install.h"
#include "agent/testing/fake_route_programmer.h"
#include "agent/testing/fake_vip_programmer.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "nft/testing/fake_runner.h"
#include "status_server/status_server.h"

namespace romana::agent {
namespace {

// The agent's loop thread writes, the test thread reads: serialise both through one mutex.
class LockedProgrammer : public RouteProgrammer {
 public:
  absl::StatusOr<RouteMap> ListOwnedRoutes() override { std::lock_guard l(mu); return fake.ListOwnedRoutes(); }
  absl::Status ApplyRoutes(std::span<const RouteOp> ops) override { std::lock_guard l(mu); return fake.ApplyRoutes(ops); }
  absl::StatusOr<std::vector<Rule>> ListOwnedRules() override { std::lock_guard l(mu); return fake.ListOwnedRules(); }
  absl::Status AddRule(const Rule& r) override { std::lock_guard l(mu); return fake.AddRule(r); }
  absl::Status DeleteRule(const Rule& r) override { std::lock_guard l(mu); return fake.DeleteRule(r); }
  RouteMap routes() { std::lock_guard l(mu); return fake.routes(); }
  std::mutex mu;
  testing::FakeRouteProgrammer fake;
};
class LockedNft : public nft::Runner {
 public:
  absl::StatusOr<nlohmann::json> Run(const nlohmann::json& c) override { std::lock_guard l(mu); return fake.Run(c); }
  // `nft -j list table ip romana-nat` of the fake, dumped; "" when the table is absent.
  std::string nat_listing() { return Listing("ip", "romana-nat"); }
  std::string Listing(const std::string& family, const std::string& name) {
    std::lock_guard l(mu);
    absl::StatusOr<nlohmann::json> out = fake.Run(nft::Document(nlohmann::json::array(
        {{{"list", {{"table", {{"family", family}, {"name", name}}}}}}})));
    return out.ok() ? out->dump() : "";
  }
  std::mutex mu;
  nft::testing::FakeRunner fake;
};

class LockedVipProgrammer : public VipProgrammer {
 public:
  absl::StatusOr<std::set<std::string>> ListOwned() override { std::lock_guard l(mu); return fake.ListOwned(); }
  absl::Status Add(const std::string& ip) override { std::lock_guard l(mu); return fake.Add(ip); }
  absl::Status Remove(const std::string& ip) override { std::lock_guard l(mu); return fake.Remove(ip); }
  std::set<std::string> owned() { std::lock_guard l(mu); return fake.owned(); }
  std::mutex mu;
  testing::FakeVipProgrammer fake;
};

constexpr char kTopology[] = R"({"networks":[{"name":"net","cidr":"10.120.0.0/16","block_mask":29}],
  "topologies":[{"networks":["net"],"map":[{"name":"g0","groups":[]},{"name":"g1","groups":[]}]}]})";

class AgentRomanadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    romana::testing::RomanadOptions o;
    o.topology_json = kTopology;
    auto d = romana::testing::RomanadProcess::Start(o);
    ASSERT_TRUE(d.ok()) << d.status();
    romanad_ = *std::move(d);
    api::ClientOptions co;
    co.server = romanad_->url();
    auto c = api::Client::Create(co);
    ASSERT_TRUE(c.ok());
    agent_client_ = *std::move(c);
  }
  void TearDown() override {
    if (agent_) agent_->Stop();
    if (runner_.joinable()) runner_.join();
  }
  void StartAgent(AgentOptions o) {
    agent_ = std::make_unique<Agent>(o, *agent_client_, programmer_, nft_,
                                     [] { return absl::StatusOr<std::vector<std::string>>({"192.168.7.0/24"}); },
                                     clock_, registry_, &vips_);
    runner_ = std::thread([this] { run_status_ = agent_->Run(); });
  }
  AgentOptions Options() {
    AgentOptions o;
    o.node_name = "a";
    o.register_node = true;
    o.node_ip = "192.168.7.1";
    o.retry_backoff = std::chrono::milliseconds(20);
    return o;
  }
  // The value of a counter of the agent's registry (0 when absent).
  double Counter(const std::string& name) {
    for (const prometheus::MetricFamily& f : registry_.Collect()) {
      if (f.name == name && !f.metric.empty()) return f.metric[0].counter.value;
    }
    return 0;
  }
  // Stops romanad and returns the options that restart it on the same store and port.
  romana::testing::RomanadOptions StopRomanad() {
    romana::testing::RomanadOptions o;
    o.topology_json = kTopology;
    o.store_path = romanad_->store_path();
    o.port = romanad_->port();
    romanad_->Stop();
    return o;
  }
  void RestartRomanad(const romana::testing::RomanadOptions& o) {
    auto d = romana::testing::RomanadProcess::Start(o);
    ASSERT_TRUE(d.ok()) << d.status();
    old_romanads_.push_back(std::move(romanad_));  // keeps its temporary directory (the store)
    romanad_ = *std::move(d);
  }
  // before_ready as romana-agent sets it: writes the CNI config into cni_dir_, and records
  // whether romanad knew node "a" at that moment (asked through its own client: the hook runs
  // on the agent's loop thread).
  void WriteConflistWhenReady(AgentOptions& o) {
    std::filesystem::create_directories(cni_dir_.path() / "net.d");
    cni_.conf_dir = cni_dir_.File("net.d");
    cni_.plugin_config = {{"romanad", romanad_->url()}, {"node_name", "a"}};
    auto c = api::Client::Create({.server = romanad_->url()});
    ASSERT_TRUE(c.ok());
    hook_client_ = *std::move(c);
    o.before_ready = [this]() -> absl::Status {
      known_when_written_ = hook_client_->GetHost("a").ok();
      return WriteCniConfig(cni_).status();
    };
  }
  bool ConflistExists() { return std::filesystem::exists(cni_dir_.File("net.d/10-romana.conflist")); }

  // The via-routes of the `romana` table (keyed by destination), without the unreachable ones.
  RouteMap ViaRoutes() {
    RouteMap via = programmer_.routes();
    std::erase_if(via, [](const auto& kv) { return kv.second.unreachable; });
    return via;
  }
  std::string Allocate(const std::string& name, const std::string& host, const std::string& ns = "default") {
    auto a = romanad_->client().AllocateAddress({name, host, ns, "default"});
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? a->address.block : "";
  }

  std::unique_ptr<romana::testing::RomanadProcess> romanad_;
  std::unique_ptr<api::Client> agent_client_;
  LockedProgrammer programmer_;
  LockedNft nft_;
  LockedVipProgrammer vips_;
  base::SystemClock clock_;
  prometheus::Registry registry_;
  std::unique_ptr<Agent> agent_;
  std::thread runner_;
  absl::Status run_status_;
  std::vector<std::unique_ptr<romana::testing::RomanadProcess>> old_romanads_;
  romana::testing::TempDir cni_dir_;
  CniInstallOptions cni_;
  std::unique_ptr<api::Client> hook_client_;
  std::atomic<bool> known_when_written_{false};
};

TEST_F(AgentRomanadTest, FollowsTheStreamAndRegistersItsNode) {
  ASSERT_TRUE(romanad_->client().AddHost({"b", "192.168.7.2", {}}).ok());
  ASSERT_TRUE(romanad_->client().AddHost({"far", "10.99.0.3", {}}).ok());
  const std::string b1 = Allocate("p1", "b");
  StartAgent(Options());
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return agent_->ready(); }));
  EXPECT_TRUE(romanad_->client().GetHost("a").ok());  // registered by the agent
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return ViaRoutes().contains(b1); }));
  EXPECT_EQ(programmer_.routes().at(b1).gateway, "192.168.7.2");
  // a shares group g0 (10.120.0.0/17) with b, its only other member, which is adjacent: the
  // unallocated rest of the group is unreachable here.
  EXPECT_TRUE(programmer_.routes().contains("unreachable 10.120.0.0/17"));
  // A second block of b in another namespace arrives through the watch; the two merge when adjacent.
  const std::string b2 = Allocate("p2", "b", "other");
  EXPECT_TRUE(romana::testing::WaitUntil([&] {
    RouteMap r = ViaRoutes();
    return r.size() == 1 ? !r.contains(b1) : r.contains(b2);
  })) << "routes: " << programmer_.routes().size();
  // Non-adjacent hosts get no route; our own blocks get an unreachable one (pods have /32s).
  Allocate("p3", "far");
  const std::string own = Allocate("p4", "a");
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return programmer_.routes().contains("unreachable " + own); }));
  ASSERT_TRUE(romanad_->client().ReleaseAddress("p2").ok());
  ASSERT_TRUE(romanad_->client().ReleaseAddress("p1").ok());
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return ViaRoutes().empty(); }));
  EXPECT_THAT(nft_.nat_listing(), ::testing::HasSubstr(R"({"prefix":{"addr":"10.120.0.0","len":16}})"));
}

TEST_F(AgentRomanadTest, ReportsPolicyRecordsLeftOutAsTheHostStatus) {
  StartAgent(Options());
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return agent_->ready(); }));
  // Once synced, the agent reports a clean status.
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return romanad_->client().GetHostStatus("a").ok(); }));
  absl::StatusOr<api::HostStatus> clean = romanad_->client().GetHostStatus("a");
  EXPECT_EQ(clean->policy_error_count, 0);
  EXPECT_FALSE(clean->updated.empty());
  // Two endpoints claiming one address: the second cannot be enforced, and the host says so.
  ASSERT_TRUE(romanad_->client().PutEndpoint({"default", "web-1", "a", "10.120.0.9", {}}).ok());
  ASSERT_TRUE(romanad_->client().PutEndpoint({"default", "web-2", "a", "10.120.0.9", {}}).ok());
  std::vector<std::string> errors;
  ASSERT_TRUE(romana::testing::WaitUntil([&] {
    absl::StatusOr<api::HostStatus> st = romanad_->client().GetHostStatus("a");
    if (st.ok()) errors = st->policy_errors;
    return st.ok() && st->policy_error_count == 1;
  })) << errors.size();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::HasSubstr("10.120.0.9"));
  // Fixed in the cluster: the status clears.
  ASSERT_TRUE(romanad_->client().DeleteEndpoint("default", "web-2").ok());
  EXPECT_TRUE(romana::testing::WaitUntil([&] {
    absl::StatusOr<api::HostStatus> st = romanad_->client().GetHostStatus("a");
    return st.ok() && st->policy_error_count == 0 && st->policy_errors.empty();
  }));
}

TEST_F(AgentRomanadTest, ResumesAfterRomanadRestarts) {
  ASSERT_TRUE(romanad_->client().AddHost({"b", "192.168.7.2", {}}).ok());
  StartAgent(Options());
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return agent_->ready(); }));
  // Restart romanad on the same store and port.
  romana::testing::RomanadOptions o;
  o.topology_json = kTopology;
  o.store_path = romanad_->store_path();
  o.port = romanad_->port();
  std::string keep_dir = romanad_->temp_dir();
  romanad_->Stop();
  auto d = romana::testing::RomanadProcess::Start(o);
  ASSERT_TRUE(d.ok()) << d.status();
  auto old = std::move(romanad_);
  romanad_ = *std::move(d);
  const std::string b1 = Allocate("after", "b");
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return programmer_.routes().contains(b1); }, std::chrono::seconds(20)));
  agent_->Stop();
  runner_.join();
  EXPECT_TRUE(run_status_.ok()) << run_status_;
}

// Liveness means "the process works", readiness "synced": an agent started while romanad is
// down answers /healthz 200 and /readyz 503 (so a liveness probe does not restart it in a loop),
// and becomes ready once romanad is up. Served by the agent's status server, as in romana-agent.
TEST_F(AgentRomanadTest, AliveButNotReadyWhileRomanadIsDown) {
  romana::testing::RomanadOptions o;
  o.topology_json = kTopology;
  o.store_path = romanad_->store_path();
  o.port = romanad_->port();
  romanad_->Stop();
  StartAgent(Options());
  auto status = StatusServer::Start({.registry = &registry_,
                                     .healthy = [this] { return agent_->healthy(); },
                                     .ready = [this] { return agent_->ready(); }});
  ASSERT_TRUE(status.ok()) << status.status();
  auto get = [&](const std::string& path) {
    auto r = http::CurlClient().Send({.url = absl::StrCat("http://127.0.0.1:", (*status)->port(), path)});
    return r.ok() ? r->status : -1;
  };
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return get("/healthz") == 200; }));
  EXPECT_EQ(get("/readyz"), 503);
  EXPECT_FALSE(agent_->ready());
  auto d = romana::testing::RomanadProcess::Start(o);
  ASSERT_TRUE(d.ok()) << d.status();
  auto old = std::move(romanad_);
  romanad_ = *std::move(d);
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return get("/readyz") == 200; }, std::chrono::seconds(20)));
  EXPECT_EQ(get("/healthz"), 200);
  agent_->Stop();
  runner_.join();
  EXPECT_EQ(get("/healthz"), 503);  // Run() returned: no longer alive
  EXPECT_TRUE(run_status_.ok()) << run_status_;
}

// The CNI config tells the runtime (and kubelet: node network-ready) that pods can be made: it is
// written only once the node is registered and the first sync is done. While romanad is down the
// agent retries registering (counted) and writes nothing; once romanad is back it registers, syncs
// and only then writes the config.
TEST_F(AgentRomanadTest, WritesTheCniConfigOnlyOnceRegisteredAndSynced) {
  AgentOptions o = Options();
  WriteConflistWhenReady(o);
  const romana::testing::RomanadOptions restart = StopRomanad();
  StartAgent(o);
  ASSERT_TRUE(romana::testing::WaitUntil(
      [&] { return Counter("romana_agent_registration_failures_total") >= 2; }, std::chrono::seconds(20)));
  EXPECT_FALSE(ConflistExists());
  EXPECT_FALSE(agent_->ready());
  RestartRomanad(restart);
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return ConflistExists(); }, std::chrono::seconds(20)));
  EXPECT_TRUE(known_when_written_) << "the config was written before romanad knew the node";
  EXPECT_TRUE(romanad_->client().GetHost("a").ok());
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return agent_->ready(); }));
  EXPECT_GE(Counter("romana_agent_syncs_total"), 1);
  // The agent stops: the config stays (Agent never removes it; --cni-uninstall is romana-agent's).
  agent_->Stop();
  runner_.join();
  EXPECT_TRUE(ConflistExists());
}

// Without --register-node (Kubernetes: the listener makes the node a host), a synced agent whose
// node romanad does not know yet is not ready and writes no CNI config; the host arriving through
// the watch makes it ready.
TEST_F(AgentRomanadTest, NotReadyAndNoCniConfigUntilRomanadKnowsTheNode) {
  AgentOptions o = Options();
  o.register_node = false;
  WriteConflistWhenReady(o);
  StartAgent(o);
  // Synced twice (the loop comes round about every second): the agent works, it is just not ready.
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return Counter("romana_agent_syncs_total") >= 2; },
                                         std::chrono::seconds(20)));
  EXPECT_FALSE(ConflistExists());
  EXPECT_FALSE(agent_->ready());
  EXPECT_EQ(Counter("romana_agent_sync_errors_total"), 0);
  ASSERT_TRUE(romanad_->client().AddHost({"a", "192.168.7.1", {}}).ok());
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return agent_->ready(); }, std::chrono::seconds(20)));
  EXPECT_TRUE(ConflistExists());
  EXPECT_TRUE(known_when_written_);
}

// Policies, namespaces and endpoints arrive through the watch; the agent compiles the plan for
// its node and programs `inet romana`: an isolated local pod gets an ingress map entry, the
// policy its chain; deleting the policy removes both again.
TEST_F(AgentRomanadTest, EnforcesPoliciesFromTheWatch) {
  StartAgent(Options());
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return agent_->ready(); }));
  EXPECT_THAT(nft_.Listing("inet", "romana"), ::testing::HasSubstr(R"("name":"ingress-pods")"));
  ASSERT_TRUE(romanad_->client().PutNamespace({"web", {{"team", "w"}}, false}).ok());
  absl::Status put = romanad_->client().PutEndpoint(
      {"web", "front", "a", "10.120.0.5", {{"romana.io/segment", "front"}}});
  ASSERT_TRUE(put.ok()) << put;
  put = romanad_->client().PutEndpoint({"web", "elsewhere", "b", "10.120.0.9", {{"romana.io/segment", "front"}}});
  ASSERT_TRUE(put.ok()) << put;
  absl::StatusOr<policy::Policy> p = policy::ParseAndValidate(nlohmann::json::parse(R"({
    "id": "allow-80", "direction": "ingress",
    "applied_to": [{"tenant_id": "web", "segment_id": "front"}],
    "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "tcp", "ports": [80]}]}]})"));
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE(romanad_->client().PutPolicy(*p).ok());
  // Only the local pod (node a) is dispatched; the remote one is another agent's business.
  EXPECT_TRUE(romana::testing::WaitUntil([&] {
    return nft_.Listing("inet", "romana").find(R"(["10.120.0.5",{"jump")") != std::string::npos;
  }));
  const std::string table = nft_.Listing("inet", "romana");
  EXPECT_THAT(table, ::testing::Not(::testing::HasSubstr(R"(["10.120.0.9",{"jump")")));
  EXPECT_THAT(table, ::testing::HasSubstr(R"("right":80)"));
  ASSERT_TRUE(romanad_->client().DeletePolicy("allow-80").ok());
  EXPECT_TRUE(romana::testing::WaitUntil([&] {
    return nft_.Listing("inet", "romana").find(R"(["10.120.0.5",{"jump")") == std::string::npos;
  }));
  EXPECT_THAT(nft_.Listing("inet", "romana"), ::testing::Not(::testing::HasSubstr(R"("right":80)")));

  // A Kubernetes NetworkPolicy with a named port: the port resolves on the local pod into an
  // address.protocol.port set.
  api::Endpoint named{"web", "named", "a", "10.120.0.6", {{"app", "api"}}};
  named.ports = {{"http", 8080, "TCP"}};
  ASSERT_TRUE(romanad_->client().PutEndpoint(named).ok());
  absl::StatusOr<bool> np = romanad_->client().PutNetworkPolicy("web", "api", nlohmann::json::parse(R"({
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "api", "namespace": "web"},
    "spec": {"podSelector": {"matchLabels": {"app": "api"}},
             "ingress": [{"ports": [{"port": "http"}]}]}})"));
  ASSERT_TRUE(np.ok()) << np.status();
  EXPECT_TRUE(romana::testing::WaitUntil([&] {
    return nft_.Listing("inet", "romana").find(R"({"concat":["10.120.0.6","tcp",8080]})") != std::string::npos;
  }));
  EXPECT_THAT(nft_.Listing("inet", "romana"), ::testing::HasSubstr(R"(["10.120.0.6",{"jump")"));
}

TEST_F(AgentRomanadTest, AddsTheVipsOfItsNodeOnlyAndRemovesThemWhenTheyMoveOrGo) {
  ASSERT_TRUE(romanad_->client().AddHost({"b", "192.168.7.2", {}}).ok());
  api::Client& c = romanad_->client();
  // One VIP before the agent starts (the list), the others from the watch.
  ASSERT_TRUE(c.PutVip({.namespace_name = "default", .name = "early", .ip = "192.168.99.1", .node = "b"}).ok());
  StartAgent(Options());
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return agent_->ready(); }));
  ASSERT_TRUE(c.PutVip({.namespace_name = "default", .name = "early", .ip = "192.168.99.1", .node = "a"}).ok());
  ASSERT_TRUE(c.PutVip({.namespace_name = "default", .name = "web", .ip = "192.168.99.2", .node = "a"}).ok());
  ASSERT_TRUE(c.PutVip({.namespace_name = "default", .name = "db", .ip = "192.168.99.3", .node = "b"}).ok());
  ASSERT_TRUE(c.PutVip({.namespace_name = "default", .name = "idle", .ip = "192.168.99.4"}).ok());
  const std::set<std::string> mine = {"192.168.99.1", "192.168.99.2"};
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return vips_.owned() == mine; }));
  // Moves away, is deleted: gone.
  ASSERT_TRUE(c.PutVip({.namespace_name = "default", .name = "early", .ip = "192.168.99.1", .node = "b"}).ok());
  ASSERT_TRUE(c.DeleteVip("default", "web").ok());
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return vips_.owned().empty(); }));
}

TEST_F(AgentRomanadTest, ServiceRangeOverlapStopsTheAgent) {
  AgentOptions o = Options();
  o.service_range = "10.120.128.0/17";
  StartAgent(o);
  runner_.join();
  EXPECT_EQ(run_status_.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(run_status_.message(), ::testing::HasSubstr("10.120.0.0/16"));
  EXPECT_TRUE(programmer_.routes().empty());
}

}  // namespace
}  // namespace romana::agent
