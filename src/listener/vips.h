// vips.h: romana-listener's VIP controller: Services with the `romanavip` annotation -> romanad
// VIP records (GET/PUT/DELETE /vips), which the agent of each record's node adds to its primary
// link (docs/listener.md, "Service VIPs"; rules in vip_plan.h).
//
// Two informers (services, endpoints; each object reduced to what VIPs need) mark the plan
// dirty; one worker thread recomputes the whole plan (PlanVips: annotated Services are few) and
// writes the difference from its cached copy of romanad's VIPs: deletes first, then puts. The
// cached copy (and the set of romanad's hosts, the nodes a VIP may go to) is re-read (GET /vips,
// GET /hosts) when the controller becomes active, every
// `resync_interval`, and `retry_interval` after any failed write, so VIPs of Services deleted
// while no listener ran are removed. In a cluster the listener owns every VIP record.
// A Service whose annotation is bad gets no VIP; the reason is logged once (until it changes),
// counted in romana_listener_vip_errors, shown in Status() and, with an EventRecorder, written as
// a Warning Event (reason InvalidRomanaVIP) on the Service.
//
// With `external_ips` (--vip-external-ips, default on) each pass also makes every Service's
// spec.externalIPs hold its VIP, so kube-proxy forwards the address to the Service's pods
// (vip_external_ips.h: a merge patch with the read resourceVersion as precondition; only the
// address the listener added is ever removed). A Service patched from resourceVersion R is not
// patched again until the informer shows a newer version (the patch's own watch event), so a
// pass never repeats a write it already made; a 409 waits for that newer version.
//
// Only an active controller writes (SetActive, driven by the Lease, as Listener); nothing is
// written before both informers have synced.
//
// Thread-safety: all public methods are safe from any thread.
#ifndef ROMANA_LISTENER_VIPS_H_
#define ROMANA_LISTENER_VIPS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "api/client.h"
#include "base/clock.h"
#include "k8s/informer.h"
#include "k8s/kube_client.h"
#include "listener/event_recorder.h"
#include "nlohmann/json.hpp"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace romana::listener {

struct VipControllerOptions {
  std::chrono::milliseconds resync_interval{60000};  // re-read romanad's VIPs; default 60 s
  std::chrono::milliseconds retry_interval{1000};    // after a failed read or write; default 1 s
  // Pool for {"auto": true}: an IPv4 CIDR ("" = auto is refused). REQUIRES: valid when set.
  std::string vip_cidr;
  int watch_timeout_seconds = 300;
  std::function<bool()> may_write;  // as ListenerOptions::may_write
  // Add each Service's VIP to its spec.externalIPs (and remove it when it goes). Default: on.
  bool external_ips = true;
  // Where Warning Events go (bad annotations, failed externalIPs patches). null = log only. Must
  // outlive the controller.
  EventRecorder* events = nullptr;
  std::chrono::milliseconds min_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
};

class VipController {
 public:
  // `kube`, `romanad`, `clock` and `registry` must outlive the controller.
  VipController(k8s::KubeClient& kube, api::Client& romanad, const base::Clock& clock, prometheus::Registry& registry,
                VipControllerOptions options);
  ~VipController();  // Stop()
  VipController(const VipController&) = delete;
  VipController& operator=(const VipController&) = delete;

  void Start();
  void Stop();  // idempotent; no write after it returns
  void SetActive(bool active);

  bool Synced() const;
  // Synced, and, when active, romanad holds the plan (the last pass wrote everything).
  bool Ready() const;
  // {"services": n, "endpoints": n, "vips": n, "errors": {"ns/name": reason}}
  nlohmann::json Status() const;

 private:
  // Whether an Endpoints change matters: its Service has the annotation (a Service change marks
  // the plan dirty by itself).
  bool ServiceHasVip(const std::string& key) const;
  void MarkDirty();
  void Loop();
  // Re-reads romanad when `reread`, plans, and writes the difference. OK or the first error.
  absl::Status Pass(bool reread);
  // Patches each Service whose externalIPs do not hold its VIP in `vips` (see above). OK or the
  // first error other than a conflict or a Service deleted meanwhile.
  absl::Status SyncExternalIps(const std::map<std::string, api::Vip>& vips);

  k8s::KubeClient& kube_;
  api::Client& romanad_;
  const base::Clock& clock_;
  const VipControllerOptions options_;
  std::unique_ptr<k8s::ChangeHandler> service_marker_;    // marks the plan dirty
  std::unique_ptr<k8s::ChangeHandler> endpoints_marker_;  // the same, for annotated Services
  std::unique_ptr<k8s::Informer> services_;
  std::unique_ptr<k8s::Informer> endpoints_;

  mutable std::mutex mu_;  // guards the fields below it and wakes the worker
  std::condition_variable cv_;
  bool dirty_ = true;
  bool actual_valid_ = false;
  bool stop_ = false;
  std::chrono::steady_clock::time_point next_read_;
  std::map<std::string, std::string> errors_by_service_;  // last plan's errors (Status, logging)
  size_t vip_count_ = 0;
  std::atomic<bool> active_{false};
  std::atomic<bool> in_sync_{false};
  std::map<std::string, api::Vip> actual_;  // worker thread only: romanad's VIPs as last read/written
  std::set<std::string> hosts_;             // worker thread only: romanad's hosts as last read
  bool unknown_node_ = false;               // worker thread only: the last plan met a node no host
  // worker thread only: Service key -> the resourceVersion its last externalIPs patch was made
  // from (not patched again from that version).
  std::map<std::string, std::string> patched_from_;
  // worker thread only: Service key -> the resourceVersion whose patch the API refused (400,
  // 403, 422); cleared at each re-read of romanad (resync).
  std::map<std::string, std::string> refused_at_;
  bool external_ips_failed_ = false;  // worker thread only: a patch failed otherwise; pass again soon
  std::thread worker_;

  prometheus::Counter& writes_;
  prometheus::Counter& write_errors_;
  prometheus::Gauge& vips_;
  prometheus::Gauge& errors_;
  prometheus::Counter& external_ip_patches_;
};

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_VIPS_H_
