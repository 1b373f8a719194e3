// End to end with kubectl as the client, as a user drives the lab in Kubernetes mode: the lab's
// Kubernetes API stand-in and the real romana-listener between it and romanad; the real
// /usr/bin/kubectl changes Node, Pod, Namespace and NetworkPolicy objects, and the test observes
// the truth table (real probes between model pods), romanad's hosts, blocks and addresses, and
// every node's routes. Each test builds its own 2-node lab and removes it, also on failure.
// Also as a user sees them: a listener restarted after kubectl changed objects, and the active
// one of two replicas killed (tests/listener covers both in detail).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "kube_apiserver/kubectl_runner.h"
#include "lab/lab.h"
#include "lab/netpol_model.h"
#include "lab/truth_table.h"
#include "lab/testing/test_lab_options.h"

namespace romana::lab {
namespace {

using kube_apiserver::testing::kKubectl;

class KubectlE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root (the lab creates network namespaces)";
    if (!std::filesystem::exists(kKubectl)) ROMANA_SKIP_UNLESS_CI() << kKubectl << " is not installed";
  }
  // A 2-node lab in Kubernetes mode with the model pods `pods` and `listener_replicas`
  // listeners (several: a 2 s Lease).
  void Up(const std::vector<std::string>& pods, int listener_replicas = 1) {
    LabOptions o = testing::TestLabOptions("k", state_.path().string());
    o.shape.nodes = 2;
    o.shape.pods_per_node = 0;
    o.kubernetes = true;
    o.listener_gc_grace_seconds = 1;
    o.listener_replicas = listener_replicas;
    o.listener_lease_seconds = 2;
    absl::StatusOr<std::unique_ptr<Lab>> l = Lab::Up(o);
    ASSERT_TRUE(l.ok()) << l.status();
    lab_ = *std::move(l);
    if (!pods.empty()) {
      absl::Status s = ModelUp(*lab_, pods);
      ASSERT_TRUE(s.ok()) << s;
    }
  }
  std::string Kubectl(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    return kube_apiserver::testing::RunKubectl(lab_->Kubeconfig(), (state_.path() / "kubectl-cache").string(), args,
                                               stdin_data);
  }
  std::string File(const std::string& name, const std::string& text) {
    const std::string path = (state_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // Waits until TCP/80 between the model pods is `table` (FormatTable text) on every node.
  void ExpectTable(const std::string& table, const std::string& after) {
    absl::StatusOr<TruthTable> want = ParseTable(table);
    ASSERT_TRUE(want.ok()) << want.status();
    absl::StatusOr<Convergence> c = WaitForTable(ModelPods(*lab_), 80, Protocol::kTcp, *want,
                                                 std::chrono::steady_clock::now(), std::chrono::seconds(20));
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_TRUE(c->matched) << after << ": expected\n" << table << "observed\n" << FormatTable(c->observed)
                            << FormatMismatches(*want, c->mismatches);
    std::cerr << after << ": enforced on every node after " << c->elapsed.count() << " ms\n";
  }
  // Blocks of `host` in romanad (CIDRs).
  std::vector<std::string> BlocksOf(const std::string& host) {
    std::vector<std::string> out;
    EXPECT_TRUE(lab_->WithRomanad([&](api::Client& c) -> absl::Status {
                      absl::StatusOr<api::List<api::Block>> blocks = c.ListBlocks();
                      if (!blocks.ok()) return blocks.status();
                      for (const api::Block& b : blocks->items) {
                        if (b.host == host) out.push_back(b.cidr);
                      }
                      return absl::OkStatus();
                    }).ok());
    return out;
  }
  bool HostExists(const std::string& name) {
    bool found = false;
    absl::Status s = lab_->WithRomanad([&](api::Client& c) -> absl::Status {
      absl::StatusOr<api::Host> h = c.GetHost(name);
      found = h.ok();
      return h.ok() || absl::IsNotFound(h.status()) ? absl::OkStatus() : h.status();
    });
    return s.ok() && found;
  }
  // Every lab node's routes (RouteTable) hold `line`.
  bool EveryNodeRoutes(const std::string& line, bool present) {
    for (const auto& [n, node] : lab_->nodes()) {
      absl::StatusOr<std::string> routes = lab_->RouteTable(n);
      if (!routes.ok() || absl::StrContains(*routes, line) != present) return false;
    }
    return true;
  }

  bool StoredPolicy(const std::string& namespace_name, const std::string& name) {
    bool found = false;
    absl::Status s = lab_->WithRomanad([&](api::Client& c) -> absl::Status {
      absl::StatusOr<nlohmann::json> p = c.GetNetworkPolicy(namespace_name, name);
      found = p.ok();
      return p.ok() || absl::IsNotFound(p.status()) ? absl::OkStatus() : p.status();
    });
    return s.ok() && found;
  }

  romana::testing::TempDir state_;
  std::unique_ptr<Lab> lab_;
};

constexpr char kDenyAllInX[] = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress]}
)";

// The truth tables with no policy and with kDenyAllInX.

constexpr char kAllAllowed[] = R"(
-    x/a  x/b  y/a
x/a  -    .    .
x/b  .    -    .
y/a  .    .    -
)";
constexpr char kDeniedIntoX[] = R"(
-    x/a  x/b  y/a
x/a  -    X    .
x/b  X    -    .
y/a  X    X    -
)";

TEST_F(KubectlE2eTest, NetworkPolicyApplyReplaceDeleteChangesTheTruthTable) {
  ASSERT_NO_FATAL_FAILURE(Up({"x/a", "x/b", "y/a"}));
  ExpectTable(kAllAllowed, "no policy");
  const std::string deny = File("deny.yaml", kDenyAllInX);
  EXPECT_TRUE(absl::StrContains(Kubectl({"apply", "-f", deny}), "created"));
  ExpectTable(kDeniedIntoX, "kubectl apply deny-all in x");
  // Same name, new spec: ingress to x only from namespace y.
  const std::string from_y = File("from-y.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: "y"}}}]}]
)");
  Kubectl({"replace", "-f", from_y});
  ExpectTable(R"(
-    x/a  x/b  y/a
x/a  -    X    .
x/b  X    -    .
y/a  .    .    -
)", "kubectl replace: allow from namespace y");
  Kubectl({"delete", "networkpolicy", "-n", "x", "web"});
  ExpectTable(kAllAllowed, "kubectl delete networkpolicy");
  // The lab's own `policy apply` writes the Kubernetes object too (the listener owns romanad's copy).
  absl::StatusOr<std::string> applied = ApplyPolicy(
      *lab_, nlohmann::json::parse(R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
          "metadata": {"name": "lab-deny", "namespace": "y"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})"));
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(Kubectl({"get", "networkpolicy", "-n", "y", "-o", "name"}),
            "networkpolicy.networking.k8s.io/lab-deny\n");
  ExpectTable(R"(
-    x/a  x/b  y/a
x/a  -    .    X
x/b  .    -    X
y/a  .    .    -
)", "romana-lab policy apply (through the Kubernetes API) deny-all in y");
}

TEST_F(KubectlE2eTest, LabellingAPodOrANamespaceChangesMembership) {
  ASSERT_NO_FATAL_FAILURE(Up({"x/a", "x/b", "y/a"}));
  // x/b admits pods labelled role=client in x and any pod of a namespace labelled team=blue.
  const std::string policy = File("clients.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: clients, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {role: client}}
    - namespaceSelector: {matchLabels: {team: blue}}
)");
  Kubectl({"apply", "-f", policy});
  ExpectTable(R"(
-    x/a  x/b  y/a
x/a  -    X    .
x/b  .    -    .
y/a  .    X    -
)", "policy: x/b only from role=client pods and team=blue namespaces");
  Kubectl({"label", "pod", "-n", "x", "a", "role=client"});
  ExpectTable(R"(
-    x/a  x/b  y/a
x/a  -    .    .
x/b  .    -    .
y/a  .    X    -
)", "kubectl label pod x/a role=client");
  Kubectl({"label", "namespace", "y", "team=blue"});
  ExpectTable(kAllAllowed, "kubectl label namespace y team=blue");
  Kubectl({"label", "pod", "-n", "x", "a", "role-"});
  ExpectTable(R"(
-    x/a  x/b  y/a
x/a  -    X    .
x/b  .    -    .
y/a  .    .    -
)", "kubectl label pod x/a role-");
}

TEST_F(KubectlE2eTest, AddingAndDeletingANodeGivesAndTakesItsHostBlocksAndRoutes) {
  ASSERT_NO_FATAL_FAILURE(Up({}));
  const std::string node = File("node.yaml", R"(apiVersion: v1
kind: Node
metadata:
  name: node-9
  labels: {rack: r0, kubernetes.io/hostname: node-9}
status:
  addresses: [{type: InternalIP, address: 192.168.100.59}, {type: Hostname, address: node-9}]
)");
  Kubectl({"create", "-f", node});
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return HostExists("node-9"); }, std::chrono::seconds(20)))
      << "the listener never made node-9 a host";
  // A pod's address on the new node (what its CNI plugin would ask for) gives it a block.
  std::string block;
  ASSERT_TRUE(lab_->WithRomanad([&](api::Client& c) -> absl::Status {
                    absl::StatusOr<api::Allocation> a = c.AllocateAddress(
                        {.name = "kubectl-e2e-pod", .host = "node-9", .namespace_name = "default", .segment = "default"});
                    if (!a.ok()) return a.status();
                    return absl::OkStatus();
                  }).ok());
  std::vector<std::string> blocks = BlocksOf("node-9");
  ASSERT_EQ(blocks.size(), 1u);
  block = blocks[0];
  const std::string route = block + " via 192.168.100.59";
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return EveryNodeRoutes(route, true); }, std::chrono::seconds(20)))
      << "not every node routes " << route;

  Kubectl({"delete", "node", "node-9"});
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return !HostExists("node-9"); }, std::chrono::seconds(20)))
      << "the listener never removed host node-9";
  EXPECT_TRUE(BlocksOf("node-9").empty());
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return EveryNodeRoutes(route, false); }, std::chrono::seconds(20)))
      << "a node still routes " << route;
}

TEST_F(KubectlE2eTest, APodDeletedWithoutCniDelHasItsAddressReleased) {
  ASSERT_NO_FATAL_FAILURE(Up({"x/a", "x/b"}));
  absl::StatusOr<PodInfo> pod = lab_->FindPod("x/a");
  ASSERT_TRUE(pod.ok());
  auto address_held = [&](const std::string& ip) {
    bool held = false;
    absl::Status s = lab_->WithRomanad([&](api::Client& c) -> absl::Status {
      absl::StatusOr<api::Address> a = c.GetAddressByIp(ip);
      held = a.ok();
      return a.ok() || absl::IsNotFound(a.status()) ? absl::OkStatus() : a.status();
    });
    return s.ok() && held;
  };
  ASSERT_TRUE(address_held(pod->ip));
  // The Pod object goes away; the lab's pod namespace stays and no CNI DEL runs (a kubelet that
  // crashed). The listener's address GC (grace 1 s) releases the address.
  Kubectl({"delete", "pod", "-n", "x", "a"});
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return !address_held(pod->ip); }, std::chrono::seconds(20)))
      << "address " << pod->ip << " of the deleted pod x/a was never released";
  absl::StatusOr<PodInfo> other = lab_->FindPod("x/b");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(address_held(other->ip)) << "the address of the live pod x/b was released";
}

TEST_F(KubectlE2eTest, ARestartedListenerConvergesWithWhatKubectlChangedWhileItWasDown) {
  ASSERT_NO_FATAL_FAILURE(Up({"x/a", "x/b", "y/a"}));
  Kubectl({"apply", "-f", File("deny-x.yaml", kDenyAllInX)});
  ExpectTable(kDeniedIntoX, "kubectl apply deny-all in x");
  ASSERT_TRUE(lab_->StopListener(0).ok());
  // While no listener runs: the policy moves from x to y, and a node joins.
  Kubectl({"delete", "networkpolicy", "-n", "x", "web"});
  Kubectl({"apply", "-f", File("deny-y.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: "y"}
spec: {podSelector: {}, policyTypes: [Ingress]}
)")});
  Kubectl({"create", "-f", File("node.yaml", R"(apiVersion: v1
kind: Node
metadata:
  name: node-9
  labels: {rack: r0, kubernetes.io/hostname: node-9}
status:
  addresses: [{type: InternalIP, address: 192.168.100.59}]
)")});
  // Nothing else writes romanad: it still has what the listener last wrote.
  EXPECT_TRUE(StoredPolicy("x", "web"));
  EXPECT_FALSE(HostExists("node-9"));

  ASSERT_TRUE(lab_->StartListener(0).ok());
  ExpectTable(R"(
-    x/a  x/b  y/a
x/a  -    .    X
x/b  .    -    X
y/a  .    .    -
)", "listener restarted: deny-all now in y only");
  EXPECT_FALSE(StoredPolicy("x", "web"));
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return HostExists("node-9"); }, std::chrono::seconds(20)))
      << "the restarted listener never made node-9 a host";
}

TEST_F(KubectlE2eTest, WhenTheActiveListenerIsKilledTheOtherTakesOverWithinTheLeaseDuration) {
  ASSERT_NO_FATAL_FAILURE(Up({"x/a", "x/b", "y/a"}, /*listener_replicas=*/2));
  const std::vector<std::string> holder = {"get", "lease", "-n", "kube-system", "romana-listener",
                                           "-o", "jsonpath={.spec.holderIdentity}"};
  std::string active;
  ASSERT_TRUE(romana::testing::WaitUntil([&] {
    active = Kubectl(holder);
    return active == Lab::ListenerIdentity(0) || active == Lab::ListenerIdentity(1);
  })) << "no listener holds the Lease: '" << active << "'";
  const int killed = active == Lab::ListenerIdentity(0) ? 0 : 1;
  const std::string standby = Lab::ListenerIdentity(1 - killed);

  // The active replica dies holding the Lease; a policy applied right after must still be enforced.
  ASSERT_TRUE(lab_->StopListener(killed, /*sigkill=*/true).ok());
  const auto died = std::chrono::steady_clock::now();
  Kubectl({"apply", "-f", File("deny-x.yaml", kDenyAllInX)});
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return Kubectl(holder) == standby; }, std::chrono::seconds(20)))
      << "the standby " << standby << " never took the Lease";
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - died).count();
  std::cerr << standby << " took the Lease " << took << " s after " << Lab::ListenerIdentity(killed) << " died\n";
  // The Lease lasts 2 s from the dead replica's last renewal; the standby retries every 0.2 s.
  EXPECT_LT(took, 4.0);
  ExpectTable(kDeniedIntoX, "deny-all in x, applied while the active listener was dead");
}

}  // namespace
}  // namespace romana::lab
