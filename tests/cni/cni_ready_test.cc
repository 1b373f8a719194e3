// When the real romana-agent writes the CNI config: only once it is ready.
//
// A container runtime (and kubelet, which marks the node network-ready as soon as it sees a
// config) must not call the plugin for a node romanad does not know, nor before the node's routes
// are in place. The real agent runs against a real romanad in a node network namespace the test
// makes (plain HTTP on loopback). romanad starts without a topology, so the agent cannot register
// its node: it retries (romana_agent_registration_failures_total counts it), has already copied
// the plugin binary, and writes no conflist; /readyz says 503. Once the topology is applied the
// agent registers, syncs, writes the conflist and turns ready. Stopping the agent leaves the
// conflist (a restart must not make the node NotReady); with --cni-uninstall it is removed.
// Requires root.
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "netlink/netns.h"
#include "netlink/testing/scoped_netns.h"
#include "nlohmann/json.hpp"

namespace romana {
namespace {

namespace fs = std::filesystem;

constexpr char kTopology[] = R"({
  "networks": [{"name": "pods", "cidr": "10.79.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["pods"], "map": [{"name": "all", "assignment": {}, "groups": []}]}]})";
constexpr char kNodeIp[] = "192.168.202.1";
constexpr char kNodeName[] = "node-ready";

class CniReadyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "needs root (network namespaces, the agent's routes)";
    fs::create_directories(root_.path() / "bin");
    fs::create_directories(root_.path() / "net.d");
    metrics_port_ = testing::FreeLoopbackPort();
  }
  // Starts the real agent (a child of this thread: it lives in the node namespace).
  std::unique_ptr<base::Subprocess> StartAgent(const std::string& url, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {testing::AppBinary("romana-agent"), "--romanad", url,
                                     "--node-name", kNodeName, "--register-node", "--node-ip", kNodeIp,
                                     "--cni-plugin", testing::AppBinary("romana-cni"),
                                     "--cni-bin-dir", root_.File("bin"), "--cni-conf-dir", root_.File("net.d"),
                                     "--vips=false", "--metrics-listen", absl::StrCat("127.0.0.1:", metrics_port_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto agent = base::Subprocess::Start({.argv = argv, .output_path = root_.File("agent.log")});
    EXPECT_TRUE(agent.ok()) << agent.status();
    return agent.ok() ? *std::move(agent) : nullptr;
  }
  // The HTTP status of the agent's `path`, -1 when it does not answer.
  int Get(const std::string& path) {
    auto r = http::CurlClient().Send({.url = absl::StrCat("http://127.0.0.1:", metrics_port_, path)});
    return r.ok() ? r->status : -1;
  }
  // The value of an unlabelled metric on the agent's /metrics (-1 when absent or unreachable).
  double Metric(const std::string& name) {
    auto r = http::CurlClient().Send({.url = absl::StrCat("http://127.0.0.1:", metrics_port_, "/metrics")});
    if (!r.ok() || r->status != 200) return -1;
    for (absl::string_view line : absl::StrSplit(r->body, '\n')) {
      std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
      double value;
      if (parts.size() == 2 && parts[0] == name && absl::SimpleAtod(parts[1], &value)) return value;
    }
    return -1;
  }
  bool ConflistExists() { return fs::exists(root_.File("net.d/10-romana.conflist")); }
  std::string AgentLog() { return testing::ReadFile(root_.File("agent.log")); }

  testing::TempDir root_;
  int metrics_port_ = 0;
};

TEST_F(CniReadyTest, TheConflistAppearsOnlyOnceTheNodeIsRegisteredAndSynced) {
  auto node = netlink::testing::ScopedNetns::Create("cni-ready");
  ASSERT_TRUE(node.ok()) << node.status();
  ASSERT_TRUE((*node)->ExecOrError({"ip", "link", "set", "lo", "up"}).ok());
  ASSERT_TRUE((*node)->ExecOrError({"ip", "addr", "add", std::string(kNodeIp) + "/32", "dev", "lo"}).ok());
  auto in_node = netlink::ScopedNetnsEntry::Enter((*node)->name());
  ASSERT_TRUE(in_node.ok()) << in_node.status();
  auto daemon = testing::RomanadProcess::Start({});  // no topology: no host can register yet
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  std::unique_ptr<base::Subprocess> agent = StartAgent((*daemon)->url());
  ASSERT_NE(agent, nullptr);
  // Started (serving its metrics) and retrying: romanad refused the registration at least twice.
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return Metric("romana_agent_registration_failures_total") >= 2 || !agent->Running(); },
      std::chrono::seconds(30)))
      << AgentLog();
  ASSERT_TRUE(agent->Running()) << AgentLog();
  EXPECT_TRUE(fs::exists(root_.File("bin/romana"))) << "the plugin binary is copied at start-up";
  EXPECT_FALSE(ConflistExists()) << "the conflist is there while romanad does not know the node";
  EXPECT_EQ(Get("/readyz"), 503);
  EXPECT_EQ(Get("/healthz"), 200);

  ASSERT_TRUE((*daemon)->client().PutTopology(nlohmann::json::parse(kTopology)).ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return ConflistExists() || !agent->Running(); }, std::chrono::seconds(30)))
      << AgentLog();
  // The node was registered before the conflist appeared (it cannot be unregistered in between).
  EXPECT_TRUE((*daemon)->client().GetHost(kNodeName).ok());
  EXPECT_TRUE(testing::WaitUntil([&] { return Get("/readyz") == 200; })) << AgentLog();
  EXPECT_GE(Metric("romana_agent_syncs_total"), 1);
  const nlohmann::json conflist =
      nlohmann::json::parse(testing::ReadFile(root_.File("net.d/10-romana.conflist")), nullptr, false);
  ASSERT_TRUE(conflist.is_object());
  EXPECT_EQ(conflist["plugins"][0].value("node_name", ""), kNodeName);

  // Stopped (an upgrade, a restart): the conflist stays, the node stays network-ready.
  EXPECT_EQ(agent->Stop(std::chrono::seconds(10)), 0) << AgentLog();
  EXPECT_TRUE(ConflistExists()) << "a stopped agent removed the conflist";

  // Restarted with --cni-uninstall: it keeps the conflist while it runs, removes it when stopped.
  agent = StartAgent((*daemon)->url(), {"--cni-uninstall=true"});
  ASSERT_NE(agent, nullptr);
  ASSERT_TRUE(testing::WaitUntil([&] { return Get("/readyz") == 200 || !agent->Running(); },
                                 std::chrono::seconds(30)))
      << AgentLog();
  EXPECT_TRUE(ConflistExists());
  EXPECT_EQ(agent->Stop(std::chrono::seconds(10)), 0) << AgentLog();
  EXPECT_FALSE(ConflistExists()) << "--cni-uninstall left the conflist";
  EXPECT_TRUE(fs::exists(root_.File("bin/romana"))) << "the plugin stays, so pods can still be torn down";
}

}  // namespace
}  // namespace romana
