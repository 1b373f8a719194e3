// kube_api_server.h: the lab's Kubernetes API stand-in (docs/lab-kubernetes-api.md): enough of
// the Kubernetes API for kubectl, client-go-style clients and romana-listener to drive the
// lab, and for tests. NOT a Kubernetes replacement: no admission, defaulting, schema
// validation, RBAC, finalizers or graceful deletion, server-side apply, or persistence.
//
// Serves, over HTTP or HTTPS on the project's event-driven server (http_server.h):
// discovery and a minimal OpenAPI v3 (discovery.h); core/v1 nodes, namespaces, pods, services,
// endpoints, events, networking.k8s.io/v1 networkpolicies, coordination.k8s.io/v1 leases with get,
// list (labelSelector, fieldSelector, limit/continue), watch (resourceVersion, bookmarks,
// timeoutSeconds, sendInitialEvents, 410 Expired as an ERROR event), create, update (409 on a
// stale resourceVersion), patch (patch.h) and delete; errors are Kubernetes Status objects
// (api_status.h). Optional bearer-token authentication. A watch holds no thread: each is a
// cursor into the store's event window (object_store.h) pumped on its connection's io strand.
// Get, list and watch answer a meta.k8s.io Table when the Accept header asks for one (kubectl
// get; table.h).
//
// The test- and lab-side helpers (Put, Remove, Objects, ...) change the same store as the API,
// with the same events.
//
// Thread-safety: every method is safe from any thread. Destroying the server stops it.
#ifndef ROMANA_KUBE_APISERVER_KUBE_API_SERVER_H_
#define ROMANA_KUBE_APISERVER_KUBE_API_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "nlohmann/json.hpp"

namespace romana::http_server {
class HttpServer;
struct Request;
class Responder;
}  // namespace romana::http_server

namespace romana::kube_apiserver {

class ObjectStore;

struct KubeApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port (see port())
  // Both set: HTTPS with this PEM certificate and key.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Non-empty: every request but /healthz, /livez and /readyz needs "Authorization: Bearer
  // <token>" (else 401 Unauthorized).
  std::string bearer_token;
  int io_threads = 1;
  int worker_threads = 4;  // lists and writes; watches hold none
  // How often a caught-up watch that asked for bookmarks gets one. Default: 1 s.
  std::chrono::milliseconds bookmark_interval{1000};
  // Watch length when the client sends no timeoutSeconds. Default: 30 min.
  std::chrono::seconds default_watch_timeout{1800};
  // Events kept per resource (older watch positions get 410). Default: 50,000.
  size_t window_events = 50000;
  std::vector<std::string> initial_namespaces = {"default", "kube-system", "kube-public", "kube-node-lease"};
  const base::Clock* clock = nullptr;  // creationTimestamp, watch bookmarks; nullptr = system clock; must outlive the server
  uint64_t seed = 0;                   // generateName and uid randomness; 0 = random
};

class KubeApiServer {
 public:
  // Binds and serves. Errors: InvalidArgument (bad TLS files), Unavailable (cannot bind).
  static absl::StatusOr<std::unique_ptr<KubeApiServer>> Start(KubeApiServerOptions options = {});
  ~KubeApiServer();
  KubeApiServer(const KubeApiServer&) = delete;
  KubeApiServer& operator=(const KubeApiServer&) = delete;

  // "http://127.0.0.1:PORT" (https with TLS).
  std::string url() const;
  int port() const { return port_; }

  // Test and lab side. `resource` is a served plural ("nodes", "pods", "networkpolicies", ...;
  // anything else is a programming error and crashes). Objects of namespaced resources go to
  // metadata.namespace (default "default"), which need not exist.
  // Put creates or replaces by name, ignoring resourceVersion; returns the stored object, or
  // the Status object of an invalid one (bad name).
  nlohmann::json Put(const std::string& resource, nlohmann::json object);
  // Deletes; false when absent. The two-argument form is for cluster-scoped resources.
  bool Remove(const std::string& resource, const std::string& name);
  bool Remove(const std::string& resource, const std::string& ns, const std::string& name);
  // The stored objects, in namespace/name order; `ns` "" = every namespace.
  std::vector<nlohmann::json> Objects(const std::string& resource, const std::string& ns = "") const;
  // The latest resourceVersion.
  int64_t resource_version() const;

  // Test hooks. Compact forgets the kept events (watches from before now get 410 Expired).
  void Compact();
  // Ends every open watch stream (clients reconnect).
  void DropWatches();
  // While held, watch streams (new and reconnecting) send nothing, so a test can change and
  // compact state while its client is certainly away.
  void HoldWatches();
  void ReleaseWatches();
  // Watch requests received so far.
  int watch_requests() const;

  // The store behind the API (for in-process users such as benchmarks that preload objects).
  ObjectStore& store() { return *store_; }

  // Shared with watch streams (which may outlive a request, never the server).
  struct WatchControl {
    std::atomic<bool> held{false};
    std::atomic<uint64_t> drop_generation{0};
    std::atomic<int> requests{0};
  };

 private:
  KubeApiServer() = default;
  void Install();
  void Serve(const http_server::Request& req, http_server::Responder responder);

  KubeApiServerOptions options_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<http_server::HttpServer> server_;
  std::string scheme_ = "http";
  int port_ = 0;
  WatchControl control_;
};

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_KUBE_API_SERVER_H_
