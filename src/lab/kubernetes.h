// kubernetes.h: the lab's Kubernetes mode (docs/lab.md "Kubernetes"): the lab's Kubernetes API
// stand-in (kube_apiserver::KubeApiServer, not a Kubernetes replacement) drives Romana through
// the real romana-listener, as in a cluster.
//
// Where things run: the API server process (`romana-lab kube-apiserver`, ServeKubeApi) lives in
// the host namespace on 127.0.0.1:<port> so that kubectl on the host reaches it, and relays
// 127.0.0.1:<port> of the master namespace to itself, so the listener (in the master namespace,
// next to romanad) reaches it at the same URL: one kubeconfig serves both. HTTPS with a
// self-signed certificate for 127.0.0.1 and a bearer token, both made by MakeKubeCredentials in
// <lab dir>/kubernetes/ (0600), named by <lab dir>/kubeconfig.
//
// KubeObjects is the lab's own client of that API (the lab registers its nodes and pods as Node
// and Pod objects); the object builders are pure.
//
// Thread-safety: ServeKubeApi blocks its caller; KubeObjects is thread-compatible.
#ifndef ROMANA_LAB_KUBERNETES_H_
#define ROMANA_LAB_KUBERNETES_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::http {
class CurlClient;
}

namespace romana::lab {

// Files of the Kubernetes mode under a lab directory.
std::string KubeDir(const std::string& lab_dir);         // <lab_dir>/kubernetes
std::string KubeconfigPath(const std::string& lab_dir);  // <lab_dir>/kubeconfig

// Makes <lab_dir>/kubernetes/{server.crt,server.key,token} (openssl; 0600) unless present.
// Errors: Internal naming openssl's output.
absl::Status MakeKubeCredentials(const std::string& lab_dir);

struct KubeApiServeOptions {
  std::string lab_dir;       // credentials from KubeDir(lab_dir); the URL goes to KubeDir/url
  std::string relay_netns;   // also serve 127.0.0.1:<port> inside this namespace ("" = no relay)
};

// Serves the API (HTTPS, token) on 127.0.0.1:<free port> of the calling namespace, relays that
// port of `relay_netns`, writes "https://127.0.0.1:<port>" to KubeDir/url once both accept, and
// returns when `stop` becomes true (checked every 200 ms). Errors: what stops it from serving.
absl::Status ServeKubeApi(const KubeApiServeOptions& options, const std::atomic<bool>& stop);

// Writes KubeconfigPath(lab_dir) for `server_url` (CA = the server certificate, token inline;
// 0600). Errors: Internal when it cannot be written.
absl::Status WriteKubeconfig(const std::string& lab_dir, const std::string& server_url);

// Objects as the lab registers them. Labels are set exactly as given.
nlohmann::json NodeObject(const std::string& name, const std::string& ip, const std::map<std::string, std::string>& labels);
// `ports`: [{name, port, protocol}] as romanad endpoints carry them (ModelEndpointPorts()).
nlohmann::json PodObject(const std::string& ns, const std::string& name, const std::string& node, const std::string& ip,
                         const std::map<std::string, std::string>& labels,
                         const nlohmann::json& ports = nlohmann::json::array());
nlohmann::json NamespaceObject(const std::string& name, const std::map<std::string, std::string>& labels);

// The lab's client of its API server (URL, CA and token from the lab directory).
class KubeObjects {
 public:
  // FailedPrecondition when the lab has no Kubernetes API (no KubeDir/url).
  static absl::StatusOr<std::unique_ptr<KubeObjects>> ForLab(const std::string& lab_dir);
  ~KubeObjects();
  KubeObjects(const KubeObjects&) = delete;
  KubeObjects& operator=(const KubeObjects&) = delete;

  // `resource` is a plural ("nodes", "pods", "namespaces", "networkpolicies"); `ns` "" for
  // cluster-scoped ones (and, with an empty `name`, for a list across namespaces).
  // Creates the object, or replaces the one of that name (its resourceVersion is kept).
  // Errors: the API's answer (code and message) for anything but success.
  absl::Status Apply(const std::string& resource, const nlohmann::json& object);
  // Deletes; NotFound when it is not there.
  absl::Status Delete(const std::string& resource, const std::string& ns, const std::string& name);
  // The object, or with an empty `name` the list of them. NotFound when it is not there.
  absl::StatusOr<nlohmann::json> Get(const std::string& resource, const std::string& ns, const std::string& name);

 private:
  KubeObjects(std::string url, std::string token, std::unique_ptr<http::CurlClient> http);
  std::string Path(const std::string& resource, const std::string& ns, const std::string& name) const;
  absl::StatusOr<nlohmann::json> Call(const std::string& method, const std::string& path, const nlohmann::json* body);

  std::string url_;
  std::string token_;
  std::unique_ptr<http::CurlClient> http_;
};

}  // namespace romana::lab

#endif  // ROMANA_LAB_KUBERNETES_H_
