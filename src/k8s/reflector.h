// reflector.h: list+watch of one resource, kept in sync forever (client-go's Reflector).
//
// Run() lists the resource, hands the full list to the handler (OnSync), then watches from
// the list's resourceVersion and hands every ADDED/MODIFIED/DELETED event over (OnEvent),
// following bookmarks. When the watch ends it re-watches from the last seen version; on a
// 410 (version compacted) it re-lists; on errors it backs off exponentially (with jitter)
// and retries. Used for nodes by romana-aws and meant to be reused for namespaces, pods and
// network policies. Run() blocks on the calling thread until Stop().
#ifndef ROMANA_K8S_REFLECTOR_H_
#define ROMANA_K8S_REFLECTOR_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "k8s/kube_client.h"
#include "nlohmann/json.hpp"

namespace romana::k8s {

class ResourceHandler {
 public:
  virtual ~ResourceHandler() = default;
  // The complete current set (after every (re-)list): replaces what the handler knew. The
  // handler owns `items` (a cache may move them in instead of copying a large list).
  virtual void OnSync(std::vector<nlohmann::json> items) = 0;
  // One change. `type` is ADDED, MODIFIED or DELETED.
  virtual void OnEvent(const std::string& type, const nlohmann::json& object) = 0;
};

struct ReflectorOptions {
  std::string path;                                   // REQUIRES: e.g. "/api/v1/nodes".
  Selectors selectors;                                // label and field selectors (list and watch)
  // Optional: reduces every listed item and watched object before the handler gets it.
  std::function<nlohmann::json(nlohmann::json)> transform;
  // Optional: sees each page of a (re-)list as it arrives (after `transform`), on the reflector's
  // thread, before OnSync hands over the whole list. For a consumer that can start on a large
  // list early; what the pages show is not yet the handler's state (OnSync is).
  std::function<void(std::span<const nlohmann::json>)> on_list_page;
  int watch_timeout_seconds = 300;                    // Server-side end of each watch.
  std::chrono::milliseconds min_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
};

class Reflector {
 public:
  // `client` and `handler` must outlive the reflector.
  Reflector(KubeClient& client, ResourceHandler& handler, ReflectorOptions options)
      : client_(client), handler_(handler), options_(std::move(options)) {}

  void Run();
  // Makes Run() return soon (the current watch is cancelled). Thread-safe.
  void Stop();

  // Counters for tests and metrics.
  int lists() const { return lists_.load(); }
  int watches() const { return watches_.load(); }
  std::string last_error() const;

 private:
  bool SleepUnlessStopped(std::chrono::milliseconds d);
  KubeClient& client_;
  ResourceHandler& handler_;
  const ReflectorOptions options_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> lists_{0}, watches_{0};
  mutable std::mutex err_mu_;
  std::string last_error_;
};

}  // namespace romana::k8s

#endif  // ROMANA_K8S_REFLECTOR_H_
