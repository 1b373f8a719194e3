// listener.h: romana-listener's controller: Kubernetes -> romanad (DESIGN §6).
//
// Four informers (nodes, namespaces, pods, networkpolicies) keep the cluster in memory. Their
// events only mark keys dirty; one worker thread turns dirty keys into romanad writes:
//   calc   translate.h (object -> host/namespace/endpoint/policy)
//   diff   reconcile.h (desired vs the cached copy of romanad's state -> ops)
//   apply  here: ops run against romanad through api::Client, up to `parallelism` at a time,
//          deletes before puts; endpoint writes go in batches (POST /endpoints:batch) whenever
//          there is more than one (the start-up sync, a burst of pod changes); each success
//          updates the cached copy.
// A full reconcile re-reads romanad's state (GET /snapshot) and diffs everything: when the
// listener becomes active, every `resync_interval`, and `retry_interval` after any failed write
// (the cached copy is then no longer trusted). So nodes deleted while no listener ran lose their
// hosts (never static topology hosts), policies deleted meanwhile are removed, and so on.
// Address garbage collection runs every `address_gc_interval` (address_gc.h), on a thread of
// its own so that it never delays pod changes.
//
// Only an active listener writes (SetActive, driven by the Lease): a standby keeps its
// informers warm and takes over with one full reconcile. Nothing of a kind is written before
// its informer has synced (an empty cache must never read as "everything was deleted"); each
// kind is reconciled as soon as it has, so hosts, namespaces and policies reach romanad while
// a large cluster's pods are still being listed, and a full reconcile follows each sync.
// One exception, for the cold start of a large cluster: while the pods are first listed, the
// endpoints of each listed page are put as the page arrives (once hosts, namespaces and
// policies are reconciled; against romanad's endpoints read once, only those that differ).
// Puts only: nothing is deleted before the list is complete. The full reconcile after the pod
// list then starts from that read plus the puts that succeeded (a failed put makes it re-read
// romanad), so writing romanad's 150,000 endpoints overlaps listing them, instead of following.
//
// Thread-safety: all public methods are safe from any thread.
#ifndef ROMANA_LISTENER_LISTENER_H_
#define ROMANA_LISTENER_LISTENER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/client.h"
#include "base/clock.h"
#include "k8s/informer.h"
#include "k8s/kube_client.h"
#include "listener/address_gc.h"
#include "listener/reconcile.h"
#include "nlohmann/json.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace romana::listener {

struct ListenerOptions {
  // Full reconcile with romanad's state. Default: 60 s.
  std::chrono::milliseconds resync_interval{60000};
  // Full reconcile after a failed write or read. Default: 1 s.
  std::chrono::milliseconds retry_interval{1000};
  // Address garbage collection: how often, and how long an address must belong to no pod before
  // it is released. Defaults: 60 s, 5 min.
  std::chrono::milliseconds address_gc_interval{60000};
  std::chrono::milliseconds address_gc_grace{300000};
  // Concurrent romanad writes during a reconcile. Default: 16.
  int parallelism = 16;
  // Kubernetes watches: server-side timeout of each watch, reconnect backoff.
  int watch_timeout_seconds = 300;
  // Checked before every write; false = skip it (it counts as failed). The Lease elector's
  // IsLeader(), so a leader whose renewals hang stops writing by itself. null = always write.
  std::function<bool()> may_write;
  std::chrono::milliseconds min_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  // Told about an object that cannot be translated or that romanad refuses as invalid (a 400
  // naming the field): its kind, the object as the informer holds it, and why. romana-listener
  // writes a Warning Event (event_recorder.h). Called on the listener's worker and write
  // threads, each time the object is tried again; must be thread-safe and must not block.
  // null = log only.
  std::function<void(Kind kind, const nlohmann::json& object, const absl::Status& why)> on_rejected;
};

class Listener {
 public:
  // `kube`, `romanad`, `clock` and `registry` must outlive the listener.
  Listener(k8s::KubeClient& kube, api::Client& romanad, const base::Clock& clock, prometheus::Registry& registry,
           ListenerOptions options);
  ~Listener();  // Stop()
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Starts the informers and the worker. Stop() ends them (idempotent; no write after it returns).
  void Start();
  void Stop();

  // Whether this replica writes to romanad. Becoming active forces a full reconcile.
  void SetActive(bool active);
  bool active() const { return active_.load(); }

  // Every informer has listed once.
  bool Synced() const;
  // Synced, and, when active, the last full reconcile succeeded (romanad holds the cluster).
  bool Ready() const;
  int64_t full_reconciles() const { return full_reconciles_.load(); }
  int64_t addresses_released() const { return released_.load(); }
  // For /status: counts per informer, active, last reconcile.
  nlohmann::json Status() const;

 private:
  struct Source {
    Kind kind;
    const char* resource;
    std::unique_ptr<k8s::Informer> informer;
    std::unique_ptr<k8s::ChangeHandler> marker;  // marks the object's key dirty
  };

  void MarkDirty(Kind kind, const std::string& key);
  // The pod informer's first list, page by page (on its reflector's thread): queues the pages'
  // endpoints in early_ for the worker.
  void OnFirstPodListPage(std::span<const nlohmann::json> pods);
  // Puts the queued `endpoints` that differ from romanad's (read at the first call).
  absl::Status ApplyEarly(std::vector<api::Endpoint> endpoints);
  // REQUIRES: mu_ held.
  bool EveryKindButEndpointsValid() const;
  void Loop();
  // Address garbage collection, on its own thread: at 150,000 pods one pass takes a while, and
  // pod changes must not wait for it.
  void GcLoop();
  // Each returns OK or the first error (every op is still attempted).
  // Re-reads romanad's state of `kinds` and writes every difference. `endpoints_known`: romanad's
  // endpoints are those in actual_ (ApplyEarly read them and recorded its puts): not re-read.
  absl::Status FullReconcile(const std::set<Kind>& kinds, bool endpoints_known = false);
  absl::Status ApplyDirty(std::set<std::pair<Kind, std::string>> dirty);
  absl::Status Apply(const std::vector<Op>& ops);
  absl::Status Execute(const Op& op);
  // One POST /endpoints:batch (through api::Client::WriteEndpoints) for endpoint puts/deletes.
  absl::Status ExecuteEndpointBatch(const std::vector<const Op*>& batch);
  // Endpoint writes per batch request: big enough that a cold start of 150,000 pods costs a few
  // hundred requests, small enough that several overlap (romanad validates one while it commits
  // another) and one failure repeats little.
  static constexpr size_t kEndpointBatch = 1000;
  // Batches in flight at once. romanad commits them one store transaction at a time, so more
  // only make each request wait longer (past the client's timeout at 32 under load).
  static constexpr int kEndpointBatchesInFlight = 4;
  // Endpoints of the first pod list put at once (ApplyEarly): one batch for each slot in flight.
  static constexpr size_t kEarlyRound = kEndpointBatch * kEndpointBatchesInFlight;
  absl::Status CollectAddresses();
  DesiredState DesiredFor(Kind kind, const std::string& key) const;
  DesiredState DesiredOf(const std::set<Kind>& kinds) const;
  std::set<Kind> SyncedKinds() const;
  static const char* PluralOf(Kind kind);  // romanad's watch kind: "hosts", ...
  static void ForEachObject(const k8s::Informer& informer, const std::function<void(const nlohmann::json&)>& fn);
  void AddDesired(Kind kind, const nlohmann::json& object, DesiredState& out) const;
  // Logs why `object` cannot reach romanad and calls options_.on_rejected.
  void Rejected(Kind kind, const nlohmann::json& object, const absl::Status& why) const;
  const k8s::Informer& InformerOf(Kind kind) const;

  k8s::KubeClient& kube_;
  api::Client& romanad_;
  const base::Clock& clock_;
  const ListenerOptions options_;
  std::vector<Source> sources_;

  mutable std::mutex mu_;  // guards dirty_, *_kinds_, next_*, early_* and wakes the worker
  std::condition_variable cv_;
  std::set<std::pair<Kind, std::string>> dirty_;
  std::set<Kind> valid_kinds_;      // kinds whose copy in actual_ is trusted (their last full reconcile worked)
  std::set<Kind> attempted_kinds_;  // the kinds of the last full reconcile, successful or not
  std::chrono::steady_clock::time_point next_full_;
  std::chrono::steady_clock::time_point next_gc_;
  std::vector<api::Endpoint> early_;  // endpoints of listed pods, before the pod informer synced
  bool early_endpoints_read_ = false;  // ApplyEarly read romanad's endpoints into actual_
  int64_t activations_ = 0;            // SetActive changes: a read from before one is stale
  bool stop_ = false;
  std::atomic<bool> stopping_{false};  // Apply() leaves its remaining ops once set
  std::atomic<bool> active_{false};
  std::atomic<bool> reconciled_{false};

  std::mutex actual_mu_;  // guards actual_ (written by apply threads)
  ActualState actual_;
  AddressGc gc_;
  std::thread worker_;
  std::thread gc_worker_;

  std::atomic<int64_t> full_reconciles_{0};
  std::atomic<int64_t> released_{0};
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& writes_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Gauge& leader_;
  prometheus::Counter& reconciles_;
  prometheus::Gauge& reconcile_seconds_;
  prometheus::Counter& addresses_released_;
  prometheus::Gauge& address_orphans_;
};

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_LISTENER_H_
