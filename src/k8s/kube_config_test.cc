#include "k8s/kube_config.h"

#include <fstream>

#include "base/testing/test_env.h"
#include "k8s/kube_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::k8s {
namespace {

TEST(KubeConfigTest, InCluster) {
  romana::testing::TempDir sa;
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  EXPECT_EQ(LoadInClusterConfig(env, sa.path().string()).status().code(), absl::StatusCode::kNotFound);
  std::ofstream(sa.File("token")) << "tok\n";
  std::ofstream(sa.File("ca.crt")) << "pem";
  auto c = LoadInClusterConfig(env, sa.path().string());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->token_file, sa.File("token"));
  EXPECT_EQ(c->ca_file, sa.File("ca.crt"));
  EXPECT_EQ(LoadInClusterConfig({}, sa.path().string()).status().code(), absl::StatusCode::kNotFound);
}

TEST(KubeConfigTest, ResolveFollowsServerThenKubeconfigThenInCluster) {
  absl::StatusOr<KubeConfig> direct = ResolveKubeConfig("http://127.0.0.1:8080", "/tmp/token", "/no/such", "", {});
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_EQ(direct->server, "http://127.0.0.1:8080");
  EXPECT_EQ(direct->token_file, "/tmp/token");

  romana::testing::TempDir dir;
  std::ofstream(dir.File("config")) << R"(apiVersion: v1
kind: Config
current-context: lab
contexts: [{name: lab, context: {cluster: c1, user: u1}}]
clusters: [{name: c1, cluster: {server: "http://127.0.0.1:6443"}}]
users: [{name: u1, user: {token: t}}]
)";
  // $KUBECONFIG is read when the flag is empty; the flag wins over it.
  absl::StatusOr<KubeConfig> from_env = ResolveKubeConfig("", "", "", "", {{"KUBECONFIG", dir.File("config")}});
  ASSERT_TRUE(from_env.ok()) << from_env.status();
  EXPECT_EQ(from_env->server, "http://127.0.0.1:6443");
  EXPECT_EQ(ResolveKubeConfig("", "", "/no/such", "", {{"KUBECONFIG", dir.File("config")}}).status().code(),
            absl::StatusCode::kNotFound);
  // Nothing given and no cluster around: the in-cluster error.
  EXPECT_EQ(ResolveKubeConfig("", "", "", "", {}).status().code(), absl::StatusCode::kNotFound);
}

TEST(KubeConfigTest, KubeconfigContextsInlineDataAndRelativePaths) {
  romana::testing::TempDir dir;
  std::ofstream(dir.File("config")) << R"(apiVersion: v1
kind: Config
current-context: lab
contexts:
- name: lab
  context: {cluster: c1, user: u1}
- name: other
  context: {cluster: c2, user: u2}
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: aGVsbG8=
- name: c2
  cluster: {server: "http://127.0.0.1:8080", insecure-skip-tls-verify: true, certificate-authority: ca.pem,
            tls-server-name: api.example}
users:
- name: u1
  user: {token: abc, client-certificate-data: Y2VydA==, client-key-data: a2V5}
- name: u2
  user: {client-certificate: crt.pem, client-key: /abs/key.pem}
)";
  auto c = LoadKubeconfig(dir.File("config"), "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "https://127.0.0.1:6443");
  EXPECT_EQ(c->token, "abc");
  EXPECT_EQ(c->client_cert_data, "cert");
  EXPECT_EQ(c->client_key_data, "key");
  EXPECT_EQ(c->ca_data, "hello");
  EXPECT_EQ(c->ca_file, "");
  auto o = LoadKubeconfig(dir.File("config"), "other");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->insecure_skip_verify);
  EXPECT_EQ(o->ca_file, dir.File("ca.pem"));
  EXPECT_EQ(o->tls_server_name, "api.example");
  EXPECT_EQ(o->client_cert_file, dir.File("crt.pem"));
  EXPECT_EQ(o->client_key_file, "/abs/key.pem");
  auto missing = LoadKubeconfig(dir.File("config"), "nope");
  EXPECT_THAT(std::string(missing.status().message()), ::testing::HasSubstr("context 'nope' not found"));
  EXPECT_EQ(LoadKubeconfig(dir.File("absent"), "").status().code(), absl::StatusCode::kNotFound);
  std::ofstream(dir.File("bad")) << R"(current-context: x
contexts: [{name: x, context: {cluster: c}}]
clusters: [{name: c, cluster: {server: "https://h", certificate-authority-data: "!!"}}]
)";
  EXPECT_THAT(std::string(LoadKubeconfig(dir.File("bad"), "").status().message()),
              ::testing::HasSubstr("certificate-authority-data is not base64"));
}

TEST(KubeConfigTest, HttpOptionsCarryTheTlsSettingsAndRetryReads) {
  const KubeConfig c{.server = "https://10.0.0.1:6443",
                     .ca_data = "CA PEM",
                     .client_cert_file = "/c.pem",
                     .client_key_data = "KEY PEM",
                     .tls_server_name = "kubernetes.default"};
  http::CurlClientOptions o = MakeHttpOptions(c);
  EXPECT_TRUE(o.tls.verify);
  EXPECT_EQ(o.tls.ca_pem, "CA PEM");
  EXPECT_EQ(o.tls.ca_file, "");
  EXPECT_EQ(o.tls.client_cert_file, "/c.pem");
  EXPECT_EQ(o.tls.client_key_pem, "KEY PEM");
  EXPECT_EQ(o.tls.server_name, "kubernetes.default");
  EXPECT_GT(o.retry.max_attempts, 1);
  EXPECT_FALSE(MakeHttpOptions({.server = "https://h", .insecure_skip_verify = true}).tls.verify);
}

// Hostile kubeconfigs: over the size bound, or nested deeper than yaml-cpp allows: an error
// naming the file, not a crash.
TEST(KubeConfigTest, HostileFilesAreRefused) {
  romana::testing::TempDir dir;
  std::ofstream(dir.File("big")) << "current-context: x\nx: \"" << std::string(kMaxKubeconfigBytes, 'a') << "\"\n";
  absl::StatusOr<KubeConfig> big = LoadKubeconfig(dir.File("big"), "");
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(big.status().message().find("over the limit"), std::string::npos) << big.status();
  std::ofstream(dir.File("deep")) << "current-context: x\nclusters: " << std::string(100000, '[') << "\n";
  absl::StatusOr<KubeConfig> deep = LoadKubeconfig(dir.File("deep"), "");
  EXPECT_EQ(deep.status().code(), absl::StatusCode::kInvalidArgument) << deep.status();
  EXPECT_NE(deep.status().message().find(dir.File("deep")), std::string::npos) << deep.status();
}

// Found by fuzz/kubeconfig_fuzzer.cc: a context, cluster or user that is not a mapping made
// yaml-cpp throw out of LoadKubeconfig (a crash); now each is an InvalidArgument.
TEST(KubeConfigTest, NonMappingEntriesAreErrorsNotExceptions) {
  romana::testing::TempDir dir;
  const char* cases[] = {
      "apiVersion: v1\nkind: Config\ncurrent-context: lab\ncontexts:\n- name: lab\n  context: V{",
      "current-context: lab\ncontexts:\n- name: lab\n  context: [a, b]",
      "current-context: lab\ncontexts:\n- [x]\n- name: [y]\n- name: lab\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: 7",
      "just a scalar",
      "- a\n- b",
  };
  for (const char* text : cases) {
    std::ofstream(dir.File("config"), std::ios::trunc) << text;
    absl::StatusOr<KubeConfig> c = LoadKubeconfig(dir.File("config"), "");
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << text << ": " << c.status();
  }
}

TEST(KubeConfigTest, KubeconfigTextReadsBackAsWritten) {
  romana::testing::TempDir dir;
  std::ofstream(dir.File("secure")) << KubeconfigText(
      {.name = "lab", .server = "https://127.0.0.1:6443", .ca_file = "/etc/lab/ca.crt", .token = "t0k\"en: [x]"});
  absl::StatusOr<KubeConfig> secure = LoadKubeconfig(dir.File("secure"), "");
  ASSERT_TRUE(secure.ok()) << secure.status();
  EXPECT_EQ(secure->server, "https://127.0.0.1:6443");
  EXPECT_EQ(secure->ca_file, "/etc/lab/ca.crt");
  EXPECT_EQ(secure->token, "t0k\"en: [x]") << "a value with YAML syntax stays a value";
  EXPECT_TRUE(LoadKubeconfig(dir.File("secure"), "lab").ok()) << "the context is named `name`";

  std::ofstream(dir.File("plain")) << KubeconfigText({.name = "lab", .server = "http://127.0.0.1:8080"});
  absl::StatusOr<KubeConfig> plain = LoadKubeconfig(dir.File("plain"), "");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->server, "http://127.0.0.1:8080");
  EXPECT_EQ(plain->ca_file, "");
  EXPECT_EQ(plain->token, "");
}

}  // namespace
}  // namespace romana::k8s
