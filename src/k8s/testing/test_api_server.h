// test_api_server.h: a small Kubernetes API server on loopback for tests.
//
// It speaks enough of the real protocol for our clients and for `kubectl`: discovery
// (/version, /api, /apis, /api/v1), and for each configured cluster-scoped resource (default:
// nodes) LIST (resourceVersion in metadata), GET, POST (create), PUT (replace), PATCH (merge
// and strategic-merge patches applied as JSON merge patches), DELETE, and WATCH
// (?watch=true: newline-delimited {"type","object"} events from a resourceVersion, bookmarks
// when asked, timeoutSeconds, and the real "too old resource version" ERROR event with
// code 410 after Compact()). resourceVersions come from one global counter, like etcd's.
// kubectl: `kubectl --server=<url()> get nodes`, `create -f node.yaml --validate=false`,
// `label node`, `delete node`. Thread-safe. Served by the project's http_server (each open watch
// loops on one of its 64 worker threads: fine for tests).
#ifndef ROMANA_K8S_TESTING_TEST_API_SERVER_H_
#define ROMANA_K8S_TESTING_TEST_API_SERVER_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::http_server {
class HttpServer;
}

namespace romana::k8s::testing {

struct ResourceType {
  std::string name;       // plural, "nodes"
  std::string singular;   // "node"
  std::string kind;       // "Node"
  std::vector<std::string> short_names;
};

struct TestApiServerOptions {
  std::vector<ResourceType> resources = {{"nodes", "node", "Node", {"no"}}};
};

class TestApiServer {
 public:
  static absl::StatusOr<std::unique_ptr<TestApiServer>> Start(TestApiServerOptions options = {});
  ~TestApiServer();

  std::string url() const;
  int port() const { return port_; }

  // Test-side changes (same effect as the API calls). Put creates or replaces by name.
  nlohmann::json Put(const std::string& resource, nlohmann::json object);
  bool Remove(const std::string& resource, const std::string& name);
  std::vector<nlohmann::json> Objects(const std::string& resource) const;
  // Forgets the event history: watches from an older resourceVersion get 410.
  void Compact();
  // Ends every open watch stream (clients must reconnect).
  void DropWatches();
  // While held, watch streams (new and reconnecting) send nothing: lets a test change and compact
  // state while its client is certainly away.
  void HoldWatches();
  void ReleaseWatches();
  int64_t resource_version() const;
  int watch_requests() const;

 private:
  struct Event {
    int64_t rv;
    std::string resource;
    std::string type;
    nlohmann::json object;
  };
  TestApiServer() = default;
  void Install(const TestApiServerOptions& options);
  nlohmann::json PutLocked(const std::string& resource, nlohmann::json object, bool* created);
  bool RemoveLocked(const std::string& resource, const std::string& name, nlohmann::json* removed);

  std::unique_ptr<http_server::HttpServer> server_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t rv_ = 1;
  int64_t compacted_ = 0;          // events with rv <= compacted_ are gone
  uint64_t drop_generation_ = 0;
  bool stopping_ = false;
  bool watches_held_ = false;
  int watch_requests_ = 0;
  std::map<std::string, std::map<std::string, nlohmann::json>> objects_;  // resource -> name -> obj
  std::vector<Event> history_;
  std::vector<ResourceType> resources_;
};

}  // namespace romana::k8s::testing

#endif  // ROMANA_K8S_TESTING_TEST_API_SERVER_H_
