// `kubectl get` against the lab's Kubernetes API prints the columns a real cluster shows
// (server-side printing, table.h), driven by the real kubectl only. Skips when kubectl is not
// installed (fails in CI: scripts/setup installs it).
#include <filesystem>
#include <fstream>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/clock.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "kube_apiserver/kube_api_server.h"
#include "kube_apiserver/kubectl_runner.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;
using romana::testing::WaitUntil;

using testing::kKubectl;

// kubectl's table split into lines and cells (cells are at least three spaces apart; a header
// such as "NOMINATED NODE" has one).
std::vector<std::vector<std::string>> Table(const std::string& out) {
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipWhitespace())) {
    std::vector<std::string> cells;
    for (absl::string_view cell : absl::StrSplit(line, "  ", absl::SkipWhitespace())) {
      cells.emplace_back(absl::StripAsciiWhitespace(cell));
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}
using Row = std::vector<std::string>;

class KubectlTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kKubectl)) ROMANA_SKIP_UNLESS_CI() << kKubectl << " is not installed";
    absl::StatusOr<std::unique_ptr<KubeApiServer>> s = KubeApiServer::Start({.clock = &clock_});
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    kubectl_ = std::make_unique<testing::KubectlRunner>(dir_.path().string(), server_->url());
  }
  std::vector<std::string> Argv(const std::vector<std::string>& args) { return kubectl_->Argv(args); }
  std::string Kubectl(const std::vector<std::string>& args) { return kubectl_->Run(args); }

  base::FakeClock clock_;  // creationTimestamps and AGE cells: deterministic ages
  romana::testing::TempDir dir_;
  std::unique_ptr<KubeApiServer> server_;
  std::unique_ptr<testing::KubectlRunner> kubectl_;
};

TEST_F(KubectlTableTest, GetPrintsTheColumnsOfARealCluster) {
  server_->Put("pods", json::parse(R"({"metadata":{"name":"web-0","namespace":"shop","labels":{"app":"web"}},
      "spec":{"nodeName":"node-a","containers":[{"name":"app"},{"name":"proxy"}]},
      "status":{"phase":"Running","podIP":"10.1.0.5","containerStatuses":[
        {"name":"app","ready":true,"restartCount":1,"state":{"running":{}}},
        {"name":"proxy","ready":true,"restartCount":0,"state":{"running":{}}}]}})"));
  server_->Put("nodes",
               json::parse(R"j({"metadata":{"name":"node-a","labels":{"node-role.kubernetes.io/control-plane":""}},
      "status":{"conditions":[{"type":"Ready","status":"True"}],
        "addresses":[{"type":"InternalIP","address":"192.168.0.2"}],
        "nodeInfo":{"kubeletVersion":"v1.32.4","osImage":"Debian GNU/Linux 12 (bookworm)",
                    "kernelVersion":"6.1.0","containerRuntimeVersion":"containerd://1.7.0"}}})j"));
  server_->Put("networkpolicies", json::parse(R"({"metadata":{"name":"allow-web","namespace":"shop"},
      "spec":{"podSelector":{"matchLabels":{"app":"web"}}}})"));
  server_->Put("networkpolicies", json::parse(R"({"metadata":{"name":"deny-all","namespace":"shop"},
      "spec":{"podSelector":{}}})"));
  server_->Put("services", json::parse(R"({"metadata":{"name":"web","namespace":"shop"},
      "spec":{"clusterIP":"10.96.0.10","selector":{"app":"web"},"ports":[{"port":80},{"port":443,"nodePort":30443}]}})"));
  clock_.Advance(std::chrono::minutes(5) + std::chrono::seconds(3));

  EXPECT_EQ(
      Table(Kubectl({"get", "pods", "-n", "shop"})),
      std::vector<Row>({{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}, {"web-0", "2/2", "Running", "1", "5m3s"}}));
  EXPECT_EQ(Table(Kubectl({"get", "pods", "-n", "shop", "-o", "wide"})),
            std::vector<Row>(
                {{"NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"},
                 {"web-0", "2/2", "Running", "1", "5m3s", "10.1.0.5", "node-a", "<none>", "<none>"}}));
  EXPECT_EQ(Table(Kubectl({"get", "nodes"})),
            std::vector<Row>({{"NAME", "STATUS", "ROLES", "AGE", "VERSION"},
                              {"node-a", "Ready", "control-plane", "5m3s", "v1.32.4"}}));
  EXPECT_EQ(Table(Kubectl({"get", "nodes", "-o", "wide"}))[1],
            Row({"node-a", "Ready", "control-plane", "5m3s", "v1.32.4", "192.168.0.2", "<none>",
                 "Debian GNU/Linux 12 (bookworm)", "6.1.0", "containerd://1.7.0"}));
  EXPECT_EQ(Table(Kubectl({"get", "networkpolicies", "-n", "shop"})),
            std::vector<Row>(
                {{"NAME", "POD-SELECTOR", "AGE"}, {"allow-web", "app=web", "5m3s"}, {"deny-all", "<none>", "5m3s"}}));
  EXPECT_EQ(
      Table(Kubectl({"get", "services", "-n", "shop", "-o", "wide"})),
      std::vector<Row>({{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"},
                        {"web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,443:30443/TCP", "5m3s", "app=web"}}));
  EXPECT_EQ(Table(Kubectl({"get", "namespaces", "default"})),
            std::vector<Row>({{"NAME", "STATUS", "AGE"}, {"default", "Active", "5m3s"}}));
  EXPECT_EQ(Table(Kubectl({"get", "leases", "-A"}))[0], Row({"No resources found"}));

  // What kubectl adds from each row's object: the namespace with -A, labels with
  // --show-labels; and --sort-by asks for whole objects (includeObject=Object).
  EXPECT_EQ(Table(Kubectl({"get", "pods", "-A", "--show-labels"}))[1],
            Row({"shop", "web-0", "2/2", "Running", "1", "5m3s", "app=web"}));
  EXPECT_EQ(Table(Kubectl({"get", "netpol", "-n", "shop", "--sort-by", "{.metadata.name}", "--no-headers"})),
            std::vector<Row>({{"allow-web", "app=web", "5m3s"}, {"deny-all", "<none>", "5m3s"}}));
  // One object by name, and -o json still answers the object itself.
  EXPECT_EQ(Table(Kubectl({"get", "pod", "web-0", "-n", "shop"}))[1], Row({"web-0", "2/2", "Running", "1", "5m3s"}));
  EXPECT_EQ(json::parse(Kubectl({"get", "pod", "web-0", "-n", "shop", "-o", "json"}))["kind"], "Pod");
}

TEST_F(KubectlTableTest, WatchPrintsRowsWithTheSameColumns) {
  server_->Put("nodes",
               json::parse(R"({"metadata":{"name":"node-a"},"status":{"nodeInfo":{"kubeletVersion":"v1.32.4"}}})"));
  absl::StatusOr<std::unique_ptr<base::Subprocess>> watch = base::Subprocess::Start(
      {.argv = Argv({"get", "nodes", "-w", "--output-watch-events"}), .output_path = dir_.File("watch.out")});
  ASSERT_TRUE(watch.ok()) << watch.status();
  // The complete lines kubectl has written so far (a read may catch a line half written).
  auto rows = [&] {
    std::string out = romana::testing::ReadFile(dir_.File("watch.out"));
    out.erase(out.find_last_of('\n') == std::string::npos ? 0 : out.find_last_of('\n') + 1);
    return Table(out);
  };
  ASSERT_TRUE(WaitUntil([&] { return rows().size() >= 2 && server_->watch_requests() >= 1; }))
      << romana::testing::ReadFile(dir_.File("watch.out"));
  server_->Put("nodes", json::parse(R"({"metadata":{"name":"node-a"},"spec":{"unschedulable":true},
      "status":{"conditions":[{"type":"Ready","status":"True"}],"nodeInfo":{"kubeletVersion":"v1.32.4"}}})"));
  ASSERT_TRUE(WaitUntil([&] { return rows().size() >= 3; })) << romana::testing::ReadFile(dir_.File("watch.out"));
  const std::vector<Row> got = rows();
  EXPECT_EQ(got[0], Row({"EVENT", "NAME", "STATUS", "ROLES", "AGE", "VERSION"}));
  EXPECT_EQ(got[1], Row({"ADDED", "node-a", "Unknown", "<none>", "0s", "v1.32.4"}));
  EXPECT_EQ(got[2], Row({"MODIFIED", "node-a", "Ready,SchedulingDisabled", "<none>", "0s", "v1.32.4"}));
}

}  // namespace
}  // namespace romana::kube_apiserver
