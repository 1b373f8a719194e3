// kube_config.h: how to reach the Kubernetes API server: in-cluster (service account token +
// CA), a kubeconfig file (current or named context), or a plain --server URL; and the text of a
// kubeconfig for one server (the lab's, and the kubectl tests').
// Pure loading functions, thread-safe. Libraries do not read the environment: callers pass it.
#ifndef ROMANA_K8S_KUBE_CONFIG_H_
#define ROMANA_K8S_KUBE_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace romana::k8s {

struct KubeConfig {
  std::string server;              // "https://10.96.0.1:443" or "http://127.0.0.1:PORT"
  std::string token;               // Bearer token (static).
  std::string token_file;          // Bearer token re-read on every request (rotating SA tokens).
  // TLS: each of CA, client certificate and key from a PEM file or from PEM text held in
  // memory (kubeconfig *-data fields, decoded; never written to disk). No CA = system default.
  std::string ca_file;
  std::string ca_data;
  std::string client_cert_file;
  std::string client_cert_data;
  std::string client_key_file;
  std::string client_key_data;
  std::string tls_server_name;     // Verify the server certificate against this name.
  bool insecure_skip_verify = false;
};

// KUBERNETES_SERVICE_HOST/PORT from `env`, token and ca.crt from `sa_dir`.
// Errors: NotFound when not running in a cluster (variables or token missing).
absl::StatusOr<KubeConfig> LoadInClusterConfig(
    const std::map<std::string, std::string>& env,
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// The largest kubeconfig read (one with a few dozen clusters and inline certificates is tens of
// KiB).
inline constexpr uintmax_t kMaxKubeconfigBytes = uintmax_t{4} << 20;

// A kubeconfig file; `context` empty = current-context. Inline *-data fields are decoded into
// the *_data members; relative file paths are resolved against the file's directory.
// Errors: NotFound (file), InvalidArgument (names the missing/bad field; a file over
// kMaxKubeconfigBytes; YAML nested deeper than yaml-cpp's depth guard).
absl::StatusOr<KubeConfig> LoadKubeconfig(const std::string& path, const std::string& context);

// Where a binary's flags point it, in this order: `server` (with `token_file`, no TLS settings:
// tests and `kubectl proxy`), else the kubeconfig `kubeconfig` (or $KUBECONFIG from `env`) with
// `context`, else the in-cluster service account. Errors: LoadKubeconfig's and
// LoadInClusterConfig's.
absl::StatusOr<KubeConfig> ResolveKubeConfig(const std::string& server, const std::string& token_file,
                                             const std::string& kubeconfig, const std::string& context,
                                             const std::map<std::string, std::string>& env);

// One server as a kubeconfig names it.
struct KubeconfigEntry {
  std::string name;     // of the cluster, the user and the context
  std::string server;   // URL
  std::string ca_file;  // the cluster's certificate-authority; empty = none (system CAs, or plain HTTP)
  std::string token;    // the user's bearer token; empty = none
};

// The text of a kubeconfig whose one cluster, user and context (the current one) are `entry`:
// JSON, which kubectl and LoadKubeconfig read as YAML. Built as a document, so no value can
// change its structure. Pure.
std::string KubeconfigText(const KubeconfigEntry& entry);

}  // namespace romana::k8s

#endif  // ROMANA_K8S_KUBE_CONFIG_H_
