// informer.h: a cache of one Kubernetes resource kept in sync by a Reflector (client-go's
// SharedIndexInformer, reduced to what our controllers use).
//
//  - The cache is keyed by "namespace/name" (cluster-scoped objects: "name"), see KeyOf().
//  - Indexes: named functions object -> index values; ByIndex(name, value) lists the objects
//    with that value (e.g. pods by "spec.nodeName").
//  - Handlers get OnAdd / OnUpdate(old, new) / OnDelete(last). After a re-list (start-up, 410
//    Gone) the informer diffs the new list against its cache, so handlers see exactly the adds,
//    updates and deletes that happened while the watch was away: nothing is lost or repeated.
//  - Resync: every `resync_period` (0 = never) every cached object is handed to OnUpdate(obj,
//    obj), so a handler can repair what it applied (client-go's resync).
//  - `transform` (optional) reduces each object before it is cached and handed over (client-go's
//    SetTransform): a controller that reads five fields of a pod need not hold all of them.
//
// Thread-safety: Get/List/ByIndex/HasSynced are safe from any thread. Handlers run one at a
// time (never concurrently with each other) on the informer's threads; they may call the read
// methods. AddHandler/AddIndex only before Start().
#ifndef ROMANA_K8S_INFORMER_H_
#define ROMANA_K8S_INFORMER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "k8s/kube_client.h"
#include "k8s/reflector.h"
#include "nlohmann/json.hpp"

namespace romana::k8s {

class InformerHandler {
 public:
  virtual ~InformerHandler() = default;
  virtual void OnAdd(const nlohmann::json& object) = 0;
  // `old_object` == `object` for a resync.
  virtual void OnUpdate(const nlohmann::json& old_object, const nlohmann::json& object) = 0;
  // `last` is the last state the informer knew (after a re-list it may be older than the
  // object's final state, as client-go's DeletedFinalStateUnknown).
  virtual void OnDelete(const nlohmann::json& last) = 0;
};

// A handler for controllers that only need to know which object changed: `on_change` runs for
// every add and delete and for every update that changed the object (a resync, where the old and
// new states are equal, is skipped).
class ChangeHandler : public InformerHandler {
 public:
  explicit ChangeHandler(std::function<void(const nlohmann::json&)> on_change) : on_change_(std::move(on_change)) {}
  void OnAdd(const nlohmann::json& object) override { on_change_(object); }
  void OnUpdate(const nlohmann::json& old_object, const nlohmann::json& object) override {
    if (old_object != object) on_change_(object);
  }
  void OnDelete(const nlohmann::json& last) override { on_change_(last); }

 private:
  const std::function<void(const nlohmann::json&)> on_change_;
};

using IndexFunc = std::function<std::vector<std::string>(const nlohmann::json&)>;

struct InformerOptions {
  ReflectorOptions reflector;                    // path, selectors, backoff
  std::chrono::milliseconds resync_period{0};    // 0 = no periodic resync
  std::function<nlohmann::json(nlohmann::json)> transform;  // null = cache objects as received
};

class Informer : private ResourceHandler {
 public:
  // `client` must outlive the informer.
  Informer(KubeClient& client, InformerOptions options);
  ~Informer() override;  // Stops.
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // REQUIRES: before Start(). `handler` must outlive the informer.
  void AddHandler(InformerHandler* handler);
  void AddIndex(const std::string& name, IndexFunc func);

  // Starts the list+watch and the resync timer on their own threads. Stop() ends them (idempotent).
  void Start();
  void Stop();
  // Asks the threads to end without waiting for them (a watch notices within about a second), so
  // that several informers stop in parallel: RequestStop() on each, then Stop() on each.
  void RequestStop();

  // True once the first list was handed to the handlers.
  bool HasSynced() const { return synced_.load(); }

  std::optional<nlohmann::json> Get(const std::string& key) const;
  std::vector<nlohmann::json> List() const;
  // Every cached object in key order, shared rather than copied: the cache never changes a
  // stored object (a change stores a new one), so each stays as it was for as long as it is
  // held. For a walk over a large cache (150,000 pods) without copying it or holding its lock.
  std::vector<std::shared_ptr<const nlohmann::json>> Snapshot() const;
  std::vector<std::string> Keys() const;
  size_t Size() const;
  // Objects whose index `index` yields `value`. Empty for an unknown index.
  std::vector<nlohmann::json> ByIndex(const std::string& index, const std::string& value) const;

  // Hands every cached object to OnUpdate(obj, obj) now (the periodic resync calls this).
  void Resync();

  const Reflector& reflector() const { return *reflector_; }

  // "namespace/name", or "name" for a cluster-scoped object.
  static std::string KeyOf(const nlohmann::json& object);

 private:
  void OnSync(std::vector<nlohmann::json> items) override;
  void OnEvent(const std::string& type, const nlohmann::json& object) override;
  // REQUIRES: mu_ held. Replaces (or with null removes) the cached object and its index entries.
  void StoreLocked(const std::string& key, std::shared_ptr<const nlohmann::json> object);
  void ResyncLoop();

  KubeClient& client_;
  const InformerOptions options_;
  std::unique_ptr<Reflector> reflector_;
  std::vector<InformerHandler*> handlers_;
  std::map<std::string, IndexFunc> index_funcs_;

  mutable std::mutex mu_;  // guards items_ and indexes_
  std::map<std::string, std::shared_ptr<const nlohmann::json>> items_;  // never null
  // index name -> value -> keys
  std::map<std::string, std::map<std::string, std::set<std::string>>> indexes_;

  std::mutex dispatch_mu_;  // handlers run one at a time
  std::atomic<bool> synced_{false};
  std::atomic<bool> stop_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::thread watch_thread_;
  std::thread resync_thread_;
};

}  // namespace romana::k8s

#endif  // ROMANA_K8S_INFORMER_H_
