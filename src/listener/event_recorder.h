// event_recorder.h: writes Kubernetes Events (core/v1, type Warning) about objects the listener
// cannot serve, so `kubectl describe <object>` and `kubectl get events` show why, not only the
// listener's log (docs/listener.md, "Events"). De-duplication and rate limit: event_correlator.h.
//
// Warning() only correlates and queues (it never waits for the API); one thread writes the
// queue in order: POST for a new Event (its involvedObject.uid looked up first when the caller
// did not know it), merge PATCH of count/lastTimestamp for a repeat (POST again when that Event
// is gone). A full queue (`max_queued`) drops the event. A failed write is logged and counted,
// never retried (the next occurrence writes again).
//
// Metrics: romana_listener_kube_events_total{result="written|failed|dropped"}.
// Thread-safety: all public methods are safe from any thread.
#ifndef ROMANA_LISTENER_EVENT_RECORDER_H_
#define ROMANA_LISTENER_EVENT_RECORDER_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "k8s/kube_client.h"
#include "listener/event_correlator.h"
#include "listener/reconcile.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace romana::listener {

// Event reasons (the `reason` column of kubectl get events).
inline constexpr char kReasonInvalidVip[] = "InvalidRomanaVIP";
inline constexpr char kReasonPolicyRejected[] = "NetworkPolicyRejected";
inline constexpr char kReasonPodRejected[] = "PodRejected";
inline constexpr char kReasonNamespaceRejected[] = "NamespaceRejected";
inline constexpr char kReasonExternalIpsFailed[] = "RomanaVIPExternalIPsFailed";

class EventRecorder {
 public:
  // `kube`, `clock` and `registry` must outlive the recorder.
  EventRecorder(k8s::KubeClient& kube, const base::Clock& clock, prometheus::Registry& registry,
                EventCorrelatorOptions options, size_t max_queued = 1000);
  ~EventRecorder();  // Stop()
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void Start();
  // Writes what is queued, then ends the writer (idempotent).
  void Stop();

  // Queues a Warning event about `object`. `message` names the field and the reason.
  void Warning(const ObjectRef& object, const std::string& reason, const std::string& message);

 private:
  void Loop();
  void Write(EventWrite w);

  k8s::KubeClient& kube_;
  const base::Clock& clock_;
  const size_t max_queued_;
  std::mutex mu_;  // guards the fields below it
  std::condition_variable cv_;
  EventCorrelator correlator_;
  std::deque<std::pair<EventWrite, std::string>> queue_;  // the write, the object's path (uid lookup)
  bool stop_ = false;
  std::thread worker_;
  prometheus::Counter& written_;
  prometheus::Counter& failed_;
  prometheus::Counter& dropped_;
};

// The Warning for an object of `kind` that the listener cannot translate or romanad refuses
// (ListenerOptions::on_rejected): reason PodRejected, NamespaceRejected or
// NetworkPolicyRejected (a node without an InternalIP is no error and gets none).
void RecordRejected(EventRecorder& events, Kind kind, const nlohmann::json& object, const absl::Status& why);

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_EVENT_RECORDER_H_
