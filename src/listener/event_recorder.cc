#include "listener/event_recorder.h"

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace romana::listener {

using nlohmann::json;

namespace {

prometheus::Family<prometheus::Counter>& Family(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("romana_listener_kube_events_total")
      .Help("Kubernetes Events about objects the listener cannot serve: written (created or counted up), "
            "failed, dropped (rate limit or full queue)")
      .Register(registry);
}

}  // namespace

EventRecorder::EventRecorder(k8s::KubeClient& kube, const base::Clock& clock, prometheus::Registry& registry,
                             EventCorrelatorOptions options, size_t max_queued)
    : kube_(kube),
      clock_(clock),
      max_queued_(max_queued),
      correlator_(std::move(options)),
      written_(Family(registry).Add({{"result", "written"}})),
      failed_(Family(registry).Add({{"result", "failed"}})),
      dropped_(Family(registry).Add({{"result", "dropped"}})) {}

EventRecorder::~EventRecorder() { Stop(); }

void EventRecorder::Start() {
  std::lock_guard lock(mu_);
  if (!worker_.joinable() && !stop_) worker_ = std::thread([this] { Loop(); });
}

void EventRecorder::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void EventRecorder::Warning(const ObjectRef& object, const std::string& reason, const std::string& message) {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    std::optional<EventWrite> w =
        correlator_.Correlate(object, "Warning", reason, message, clock_.WallNow(), clock_.Now());
    if (!w.has_value() || queue_.size() >= max_queued_) {
      if (w.has_value()) correlator_.Forget(*w);
      dropped_.Increment();
      return;
    }
    queue_.emplace_back(*std::move(w), object.uid.empty() ? object.Path() : "");
  }
  cv_.notify_all();
}

void EventRecorder::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued is written
    auto [w, path] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    if (w.type == EventWrite::Type::kCreate && !path.empty()) {
      // kubectl describe finds an object's events by its uid too.
      if (absl::StatusOr<json> o = kube_.Get(path); o.ok()) {
        const std::string uid = o->value("metadata", json::object()).value("uid", "");
        if (!uid.empty()) w.event["involvedObject"]["uid"] = uid;
      }
    }
    Write(std::move(w));
    lock.lock();
  }
}

void EventRecorder::Write(EventWrite w) {
  const std::string collection = absl::StrCat("/api/v1/namespaces/", w.namespace_name, "/events");
  absl::Status s;
  if (w.type == EventWrite::Type::kPatch) {
    s = kube_.MergePatch(absl::StrCat(collection, "/", w.name), w.patch).status();
    if (absl::IsNotFound(s)) {  // deleted or expired meanwhile: a new one with the count so far
      w.event["metadata"] = {{"name", w.name}, {"namespace", w.namespace_name}};
      s = kube_.Create(collection, w.event).status();
    }
  } else {
    s = kube_.Create(collection, w.event).status();
  }
  if (s.ok()) {
    written_.Increment();
    return;
  }
  failed_.Increment();
  spdlog::warn("event {}/{} ({}: {}): {}", w.namespace_name, w.name, w.event.value("reason", ""),
               w.event.value("message", ""), s.ToString());
  std::lock_guard lock(mu_);
  correlator_.Forget(w);
}

void RecordRejected(EventRecorder& events, Kind kind, const json& object, const absl::Status& why) {
  switch (kind) {
    case Kind::kHost:
      return;
    case Kind::kNamespace:
      events.Warning(ObjectRefOf("Namespace", "v1", object), kReasonNamespaceRejected,
                     absl::StrCat("not applied to Romana: ", why.message()));
      return;
    case Kind::kEndpoint:
      events.Warning(ObjectRefOf("Pod", "v1", object), kReasonPodRejected,
                     absl::StrCat("not registered with Romana: ", why.message()));
      return;
    case Kind::kNetworkPolicy:
      events.Warning(ObjectRefOf("NetworkPolicy", "networking.k8s.io/v1", object), kReasonPolicyRejected,
                     absl::StrCat("not enforced: romanad rejected it: ", why.message()));
      return;
  }
}

}  // namespace romana::listener
