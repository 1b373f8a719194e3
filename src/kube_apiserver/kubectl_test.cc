// The lab's Kubernetes API driven by the real kubectl only, as a user would drive it.
// Skips when kubectl is not installed (fails in CI: scripts/setup installs it).
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kKubectl)) ROMANA_SKIP_UNLESS_CI() << kKubectl << " is not installed";
  }
  // Serves plain HTTP, or HTTPS with a bearer token (kubectl sends tokens only over TLS), and
  // writes a kubeconfig for it.
  void StartServer(bool secure = false) {
    KubeApiServerOptions options;
    std::string ca_file, token;
    if (secure) {
      absl::StatusOr<base::CommandResult> gen = base::RunCommand(
          {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days",
           "1", "-subj", "/CN=lab-apiserver", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
           dir_.File("key.pem"), "-out", dir_.File("cert.pem")});
      ASSERT_TRUE(gen.ok() && gen->exit_code == 0) << (gen.ok() ? gen->output : gen.status().ToString());
      options.tls_cert_file = dir_.File("cert.pem");
      options.tls_key_file = dir_.File("key.pem");
      options.bearer_token = "lab-token";
      ca_file = options.tls_cert_file;
      token = options.bearer_token;
    }
    absl::StatusOr<std::unique_ptr<KubeApiServer>> s = KubeApiServer::Start(options);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    kubectl_ = std::make_unique<testing::KubectlRunner>(dir_.path().string(), server_->url(), ca_file, token);
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) { return kubectl_->Argv(args); }
  // Runs kubectl; returns its output, failing the test when it exits non-zero.
  std::string Kubectl(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    return kubectl_->Run(args, stdin_data);
  }
  int KubectlExit(const std::vector<std::string>& args, std::string* out = nullptr) {
    absl::StatusOr<base::CommandResult> r = base::RunCommand(Argv(args));
    if (out) *out = r.ok() ? r->output : "";
    return r.ok() ? r->exit_code : -1;
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name)) << text;
    return dir_.File(name);
  }

  romana::testing::TempDir dir_;
  std::unique_ptr<KubeApiServer> server_;
  std::unique_ptr<testing::KubectlRunner> kubectl_;
};

constexpr char kDenyPolicy[] = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: db}
  policyTypes: [Ingress]
)";

TEST_F(KubectlTest, NamespacesPoliciesAndPods) {
  StartServer();
  EXPECT_NE(Kubectl({"create", "namespace", "shop"}).find("namespace/shop created"), std::string::npos);
  // Plain apply: no --validate=false (the server's OpenAPI tells kubectl to leave validation to it).
  const std::string policy = Write("deny.yaml", kDenyPolicy);
  EXPECT_NE(Kubectl({"apply", "-f", policy}).find("networkpolicy.networking.k8s.io/deny-all created"),
            std::string::npos);
  std::vector<json> stored = server_->Objects("networkpolicies", "shop");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(stored[0]["metadata"]["annotations"].contains("kubectl.kubernetes.io/last-applied-configuration"));
  // A changed apply patches (client-side apply: GET, then PATCH with the last-applied annotation).
  std::string changed = kDenyPolicy;
  changed.replace(changed.find("policyTypes: [Ingress]"), 22, "policyTypes: [Ingress, Egress]");
  EXPECT_NE(Kubectl({"apply", "-f", Write("deny2.yaml", changed)}).find("configured"), std::string::npos);
  json np = json::parse(Kubectl({"get", "netpol", "deny-all", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(np["spec"]["policyTypes"], json({"Ingress", "Egress"}));
  EXPECT_EQ(np["spec"]["podSelector"]["matchLabels"]["app"], "db");
  EXPECT_NE(Kubectl({"apply", "-f", policy}).find("configured"), std::string::npos);
  EXPECT_EQ(server_->Objects("networkpolicies", "shop")[0]["spec"]["policyTypes"], json({"Ingress"}));

  server_->Put("pods", {{"metadata", {{"name", "db-0"}, {"namespace", "shop"}, {"labels", {{"app", "db"}}}}},
                        {"spec", {{"nodeName", "node-a"}}},
                        {"status", {{"podIP", "10.0.0.5"}, {"phase", "Running"}}}});
  EXPECT_NE(Kubectl({"label", "pod", "db-0", "-n", "shop", "tier=backend"}).find("labeled"), std::string::npos);
  EXPECT_NE(Kubectl({"annotate", "pod", "db-0", "-n", "shop", "note=hi"}).find("annotated"), std::string::npos);
  json pod = json::parse(Kubectl({"get", "pod", "db-0", "-n", "shop", "-o", "json"}));
  EXPECT_EQ(pod["metadata"]["labels"], json({{"app", "db"}, {"tier", "backend"}}));
  EXPECT_EQ(pod["metadata"]["annotations"]["note"], "hi");
  EXPECT_EQ(pod["status"]["podIP"], "10.0.0.5");
  EXPECT_NE(Kubectl({"get", "pods", "-A"}).find("db-0"), std::string::npos);
  EXPECT_NE(Kubectl({"get", "pods", "-n", "shop", "-l", "tier in (backend)", "-o", "name"}).find("pod/db-0"),
            std::string::npos);
  EXPECT_EQ(Kubectl({"get", "pods", "-A", "-l", "tier!=backend", "-o", "name"}), "");
  EXPECT_NE(Kubectl({"get", "pods", "-A", "--field-selector", "spec.nodeName=node-a", "-o", "name"}).find("db-0"),
            std::string::npos);
  EXPECT_NE(Kubectl({"get", "pod", "db-0", "-n", "shop", "-o", "yaml"}).find("tier: backend"), std::string::npos);
  // Labels removed with "key-".
  Kubectl({"label", "pod", "db-0", "-n", "shop", "tier-"});
  EXPECT_FALSE(server_->Objects("pods", "shop")[0]["metadata"]["labels"].contains("tier"));

  // Deleting the namespace deletes what is in it.
  EXPECT_NE(Kubectl({"delete", "namespace", "shop"}).find("namespace \"shop\" deleted"), std::string::npos);
  EXPECT_TRUE(server_->Objects("pods", "shop").empty());
  EXPECT_TRUE(server_->Objects("networkpolicies", "shop").empty());
  std::string out;
  EXPECT_NE(KubectlExit({"get", "namespace", "shop"}, &out), 0);
  EXPECT_NE(out.find("NotFound"), std::string::npos) << out;
}

TEST_F(KubectlTest, ReplaceConflictsAndLeases) {
  StartServer();
  const std::string lease = Write("lease.yaml", "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n"
                                                "  name: romana-listener\n  namespace: kube-system\nspec:\n"
                                                "  holderIdentity: a\n  leaseDurationSeconds: 15\n");
  Kubectl({"create", "-f", lease});
  EXPECT_NE(Kubectl({"get", "leases", "-n", "kube-system"}).find("romana-listener"), std::string::npos);
  json got = json::parse(Kubectl({"get", "lease", "romana-listener", "-n", "kube-system", "-o", "json"}));
  got["spec"]["holderIdentity"] = "b";
  Kubectl({"replace", "-f", Write("lease-b.json", got.dump())});
  EXPECT_EQ(server_->Objects("leases", "kube-system")[0]["spec"]["holderIdentity"], "b");
  // The same stale resourceVersion again: 409 Conflict.
  got["spec"]["holderIdentity"] = "c";
  std::string out;
  EXPECT_NE(KubectlExit({"replace", "-f", Write("lease-c.json", got.dump())}, &out), 0);
  EXPECT_NE(out.find("the object has been modified"), std::string::npos) << out;
  EXPECT_NE(KubectlExit({"create", "-f", lease}, &out), 0);
  EXPECT_NE(out.find("AlreadyExists"), std::string::npos) << out;
  // The three patch types kubectl sends.
  Kubectl({"patch", "lease", "romana-listener", "-n", "kube-system", "--type=json", "-p",
           R"([{"op":"replace","path":"/spec/holderIdentity","value":"d"}])"});
  Kubectl({"patch", "lease", "romana-listener", "-n", "kube-system", "--type=merge", "-p",
           R"({"spec":{"leaseDurationSeconds":30}})"});
  Kubectl({"patch", "lease", "romana-listener", "-n", "kube-system", "-p", R"({"metadata":{"labels":{"a":"b"}}})"});
  json patched = server_->Objects("leases", "kube-system")[0];
  EXPECT_EQ(patched["spec"]["holderIdentity"], "d");
  EXPECT_EQ(patched["spec"]["leaseDurationSeconds"], 30);
  EXPECT_EQ(patched["metadata"]["labels"]["a"], "b");
}

TEST_F(KubectlTest, WatchSeesNodeChangesAndDeletion) {
  StartServer();
  server_->Put("nodes", {{"metadata", {{"name", "node-a"}}}});
  server_->Put("nodes", {{"metadata", {{"name", "node-b"}}}});
  absl::StatusOr<std::unique_ptr<base::Subprocess>> watch = base::Subprocess::Start(
      {.argv = Argv({"get", "nodes", "-w", "--output-watch-events"}), .output_path = dir_.File("watch.out")});
  ASSERT_TRUE(watch.ok()) << watch.status();
  // A line of the watch's table: "EVENT  NAME  STATUS  ROLES  AGE  VERSION".
  auto seen = [&](const std::string& event, const std::string& name) {
    for (absl::string_view line : absl::StrSplit(romana::testing::ReadFile(dir_.File("watch.out")), '\n')) {
      std::vector<absl::string_view> cols = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (cols.size() >= 2 && cols[0] == event && cols[1] == name) return true;
    }
    return false;
  };
  ASSERT_TRUE(WaitUntil([&] { return seen("ADDED", "node-b") && server_->watch_requests() >= 1; }))
      << romana::testing::ReadFile(dir_.File("watch.out"));
  EXPECT_NE(Kubectl({"delete", "node", "node-a"}).find("node \"node-a\" deleted"), std::string::npos);
  Kubectl({"label", "node", "node-b", "zone=x"});
  EXPECT_TRUE(WaitUntil([&] { return seen("DELETED", "node-a") && seen("MODIFIED", "node-b"); }))
      << romana::testing::ReadFile(dir_.File("watch.out"));
  EXPECT_EQ(server_->Objects("nodes").size(), 1u);
}

TEST_F(KubectlTest, TlsWithABearerToken) {
  StartServer(/*secure=*/true);
  server_->Put("nodes", {{"metadata", {{"name", "node-a"}}}});
  EXPECT_NE(Kubectl({"get", "nodes"}).find("node-a"), std::string::npos);
  std::string out;
  EXPECT_NE(KubectlExit({"--token=wrong", "get", "nodes"}, &out), 0);
  EXPECT_NE(out.find("Unauthorized"), std::string::npos) << out;
}

}  // namespace
}  // namespace romana::kube_apiserver
