// NetworkPolicy on the lab: the upstream e2e model (src/lab/netpol_model.h) and the conformance
// harness (src/lab/netpol_case.h) with the real romanad, romana-agent and romana-cni.
//
//  - ModelServesAndProbes: what holds without any policy: every pod's servers answer TCP and UDP
//    on 80 and 81 from every other pod; the probe sees a refused port as blocked (for TCP and
//    UDP); the expected-vs-observed comparison reports exactly the differing pairs; label
//    changes reach romanad.
//  - SharedCases: every case of ../shared/testdata/netpol/cases (skipped, saying why, when the
//    folder is absent) on one lab of 3 nodes.
//  - OwnCases: the project's cases in tests/e2e/policy_cases on one lab of 3 nodes.
// SharedCases and OwnCases need enforcement (romanad's NetworkPolicy API and the agent's nftables
// policy); without it they fail, printing which probes differ.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lab/exec.h"
#include "lab/lab.h"
#include "lab/netpol_case.h"
#include "lab/netpol_model.h"
#include "lab/probe.h"
#include "lab/truth_table.h"
#include "lab/testing/test_lab_options.h"

namespace romana::lab {
namespace {

using ::testing::HasSubstr;

class NetpolConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root (the lab creates network namespaces)";
  }
  void Up(int nodes) {
    LabOptions o = testing::TestLabOptions("n", state_.path().string());
    o.shape.nodes = nodes;
    o.shape.pods_per_node = 0;
    absl::StatusOr<std::unique_ptr<Lab>> l = Lab::Up(o);
    ASSERT_TRUE(l.ok()) << l.status();
    lab_ = *std::move(l);
  }
  // Runs every case file of `dir` on this test's lab; one failure per failing case.
  void RunCases(const std::vector<std::string>& files) {
    ASSERT_NO_FATAL_FAILURE(Up(3));
    std::ostringstream summary;
    summary << absl::StrFormat("%-48s %-6s %s\n", "CASE", "RESULT", "PROBES (matched/probed; slowest convergence)");
    int passed = 0;
    for (const std::string& f : files) {
      absl::StatusOr<NetpolCase> c = ReadNetpolCase(f);
      ASSERT_TRUE(c.ok()) << c.status();
      CaseResult r = RunNetpolCase(*lab_, *c, std::cerr);
      int matched = 0, probed = 0;
      std::chrono::milliseconds slowest{0};
      for (const ProbeResult& p : r.probes) {
        if (p.skipped) continue;
        ++probed;
        matched += p.matched;
        if (p.matched) slowest = std::max(slowest, p.elapsed);
      }
      EXPECT_TRUE(r.passed) << f << ": " << (r.error.empty() ? "probes differ (see the log above)" : r.error);
      passed += r.passed;
      summary << absl::StrFormat("%-48s %-6s %d/%d; %.2f s%s\n", std::filesystem::path(f).filename().string(),
                                 r.passed ? "PASS" : "FAIL", matched, probed, slowest.count() / 1000.0,
                                 r.error.empty() ? "" : "; " + r.error.substr(0, 120));
    }
    std::cerr << "\n" << summary.str() << passed << " of " << files.size() << " cases pass\n";
  }

  romana::testing::TempDir state_;
  std::unique_ptr<Lab> lab_;
};

TEST_F(NetpolConformanceTest, ModelServesAndProbes) {
  ASSERT_NO_FATAL_FAILURE(Up(2));
  auto progress = [](const std::string& l) { std::cerr << "[model] " << l << "\n"; };
  absl::Status up = ModelUp(*lab_, AllModelPods(), progress);
  ASSERT_TRUE(up.ok()) << up;
  std::vector<PodInfo> pods = ModelPods(*lab_);
  ASSERT_EQ(pods.size(), 9u);
  EXPECT_NE(pods[0].node, pods[1].node) << "the model's pods are spread over the nodes";
  const TruthTable all(AllModelPods(), Reachability::kAllowed);

  // No policy: every pair reaches every server, on both protocols and both ports.
  for (Protocol proto : {Protocol::kTcp, Protocol::kUdp}) {
    for (int port : {80, 81}) {
      absl::StatusOr<TruthTable> t = ProbeTable(pods, port, proto);
      ASSERT_TRUE(t.ok()) << t.status();
      EXPECT_EQ(t->CountCompared(), 72);
      EXPECT_TRUE(Compare(all, *t).empty()) << ProtocolName(proto) << "/" << port << "\n" << FormatTable(*t);
    }
  }
  EXPECT_EQ(ProbeTable(pods, 80, Protocol::kSctp).status().code(), absl::StatusCode::kUnimplemented);

  // An expectation that does not hold: reported pair by pair, after the timeout.
  TruthTable wrong = all;
  ASSERT_TRUE(wrong.Set("x/a", "y/b", Reachability::kBlocked).ok());
  absl::StatusOr<Convergence> c = WaitForTable(pods, 80, Protocol::kTcp, wrong, std::chrono::steady_clock::now(),
                                               std::chrono::milliseconds(500));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->matched);
  ASSERT_EQ(c->mismatches.size(), 1u);
  EXPECT_EQ(c->mismatches[0].from, "x/a");
  EXPECT_EQ(c->mismatches[0].to, "y/b");
  EXPECT_THAT(FormatMismatches(wrong, c->mismatches), HasSubstr("x/a -> y/b: expected blocked, observed allowed"));

  // Blocked is observed: stop x/a's server (TCP refused, UDP port unreachable) and the column of
  // x/a turns X on both protocols; start it again and everything is reachable again.
  absl::StatusOr<PodInfo> xa = lab_->FindPod("x/a");
  ASSERT_TRUE(xa.ok());
  StopProcess(xa->server_pid);
  TruthTable to_xa_blocked = all;
  for (const std::string& from : AllModelPods()) {
    if (from != "x/a") {
      ASSERT_TRUE(to_xa_blocked.Set(from, "x/a", Reachability::kBlocked).ok());
    }
  }
  for (Protocol proto : {Protocol::kTcp, Protocol::kUdp}) {
    c = WaitForTable(pods, 81, proto, to_xa_blocked, std::chrono::steady_clock::now());
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_TRUE(c->matched) << ProtocolName(proto) << "\n" << FormatMismatches(to_xa_blocked, c->mismatches);
  }
  ASSERT_TRUE(lab_->StartServer("x/a", ModelPorts()).ok());
  c = WaitForTable(ModelPods(*lab_), 81, Protocol::kUdp, all, std::chrono::steady_clock::now());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->matched) << FormatMismatches(all, c->mismatches);

  // Labels reach romanad (read-modify-write keeps the rest of the object).
  ASSERT_TRUE(ChangePodLabels(*lab_, "x/a", {{"role", "db"}}).ok());
  ASSERT_TRUE(ChangeNamespaceLabels(*lab_, "y", {{"team", "blue"}, {"ns", std::nullopt}}).ok());
  ASSERT_TRUE(lab_->WithRomanad([&](api::Client& client) -> absl::Status {
                    absl::StatusOr<api::List<api::Endpoint>> eps = client.ListEndpoints({.namespace_name = "x"});
                    if (!eps.ok()) return eps.status();
                    for (const api::Endpoint& e : eps->items) {
                      if (e.name == "a") {
                        EXPECT_EQ(e.labels, (api::Labels{{"pod", "a"}, {"role", "db"}}));
                        EXPECT_EQ(e.ip, xa->ip);
                        EXPECT_EQ(e.node, NodeName(xa->node));
                        EXPECT_EQ(e.ports.size(), 6u);
                        if (e.ports.size() > 1) {
                          EXPECT_EQ(e.ports[1], (api::EndpointPort{"serve-80-udp", 80, "UDP"}));
                        }
                      }
                    }
                    EXPECT_EQ(eps->items.size(), 3u);
                    absl::StatusOr<api::List<api::Namespace>> nss = client.ListNamespaces();
                    if (!nss.ok()) return nss.status();
                    for (const api::Namespace& n : nss->items) {
                      if (n.name == "y") {
                        EXPECT_EQ(n.labels, (api::Labels{{"kubernetes.io/metadata.name", "y"}, {"team", "blue"}}));
                      }
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(ChangePodLabels(*lab_, "x/q", {{"a", "b"}}).code(), absl::StatusCode::kNotFound);

  // A smaller model: the other pods (and their endpoints) go, labels are reset.
  up = ModelUp(*lab_, {"x/a", "y/b"}, progress);
  ASSERT_TRUE(up.ok()) << up;
  ASSERT_EQ(ModelPods(*lab_).size(), 2u);
  ASSERT_TRUE(lab_->WithRomanad([&](api::Client& client) -> absl::Status {
                    absl::StatusOr<api::List<api::Endpoint>> eps = client.ListEndpoints();
                    if (!eps.ok()) return eps.status();
                    EXPECT_EQ(eps->items.size(), 2u);
                    for (const api::Endpoint& e : eps->items) EXPECT_EQ(e.labels, (api::Labels{{"pod", e.name}}));
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(NetpolConformanceTest, SharedCases) {
  const std::filesystem::path dir = romana::testing::SharedTestdata("netpol");
  if (dir.empty()) {
    GTEST_SKIP() << "../shared/testdata/netpol is absent (looked next to " << romana::testing::SourceDir()
                 << "): the upstream NetworkPolicy cases are not run";
  }
  std::vector<std::string> files = ListCaseFiles((dir / "cases").string());
  ASSERT_FALSE(files.empty()) << dir << "/cases has no *.yaml";
  RunCases(files);
}

TEST_F(NetpolConformanceTest, OwnCases) {
  std::vector<std::string> files = ListCaseFiles((romana::testing::SourceDir() / "tests/e2e/policy_cases").string());
  ASSERT_GE(files.size(), 10u);
  RunCases(files);
}

}  // namespace
}  // namespace romana::lab
