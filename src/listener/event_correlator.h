// event_correlator.h: Kubernetes Events about objects the listener cannot serve (a bad romanavip
// annotation, a NetworkPolicy romanad refuses, a pod that cannot be translated), de-duplicated
// and rate-limited as client-go's event recorder does (k8s.io/client-go/tools/record,
// events_cache.go). Pure: no I/O; time is passed in. Thread-compatible (EventRecorder locks).
//
//  - De-duplication: an event equal to one already written (same involved object, type, reason,
//    message) is not written again: the existing Event's `count` goes up and `lastTimestamp`
//    moves (a PATCH), so `kubectl describe` shows "x12 over 3m" instead of twelve lines.
//    The last `cache_size` distinct events are remembered (least recently used go first).
//  - Rate limit ("spam filter"): per involved object a token bucket of `burst` events, refilled
//    by one every `refill`; an event without a token is dropped (counted by the caller). A
//    listener retrying a rejected write every second thus writes 25 events, then one per 5 min.
#ifndef ROMANA_LISTENER_EVENT_CORRELATOR_H_
#define ROMANA_LISTENER_EVENT_CORRELATOR_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "nlohmann/json.hpp"

namespace romana::listener {

// core/v1 ObjectReference: the Event's involvedObject.
struct ObjectRef {
  std::string kind;         // "Service"
  std::string api_version;  // "v1", "networking.k8s.io/v1"
  std::string namespace_name;
  std::string name;
  std::string uid;  // "" = unknown (kubectl describe matches on it: EventRecorder looks it up)
  std::string resource_version;
  nlohmann::json ToJson() const;  // empty fields left out
  // "/api/v1/namespaces/ns/services/web", "/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies/p",
  // "/api/v1/nodes/n1": where the object is read.
  std::string Path() const;
};

// The reference of `object` (a Kubernetes object, or a reduced form that keeps its metadata).
ObjectRef ObjectRefOf(const std::string& kind, const std::string& api_version, const nlohmann::json& object);

struct EventCorrelatorOptions {
  std::string component = "romana-listener";  // source.component, reportingComponent
  std::string instance;                       // reportingInstance (the replica's identity)
  int burst = 25;                             // events per object at once
  std::chrono::seconds refill{300};           // one more event per object every
  size_t cache_size = 4096;                   // distinct events (and objects) remembered
};

// One write to the API. kCreate: POST `event` to /api/v1/namespaces/<ns>/events. kPatch: merge
// PATCH `patch` ({count, lastTimestamp}) to .../events/<name>; when that Event is gone (deleted,
// expired), POST `event` instead (it carries the same count).
struct EventWrite {
  enum class Type { kCreate, kPatch };
  Type type = Type::kCreate;
  std::string namespace_name;
  std::string name;
  nlohmann::json event;
  nlohmann::json patch;
};

class EventCorrelator {
 public:
  explicit EventCorrelator(EventCorrelatorOptions options = {}) : options_(std::move(options)) {}

  // The write for one occurrence of an event at wall time `wall` (timestamps) and monotonic
  // time `now` (rate limit); nullopt when the rate limit drops it. `message` is cut to 1024
  // bytes (the API's limit for event notes).
  std::optional<EventWrite> Correlate(const ObjectRef& object, const std::string& type, const std::string& reason,
                                      const std::string& message, std::chrono::system_clock::time_point wall,
                                      std::chrono::steady_clock::time_point now);

  // Forgets the Event of an EventWrite whose write failed for good, so the next occurrence
  // creates a new one.
  void Forget(const EventWrite& write);

 private:
  struct Seen {
    std::string namespace_name;
    std::string name;
    nlohmann::json event;  // as last written
    uint64_t used = 0;     // LRU stamp
  };
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
    uint64_t used = 0;
  };
  template <typename Map>
  void Evict(Map& map);

  EventCorrelatorOptions options_;
  std::map<std::string, Seen> seen_;       // event key -> the Event written for it
  std::map<std::string, Bucket> buckets_;  // object key -> its tokens
  uint64_t stamp_ = 0;
  int64_t last_nanos_ = 0;                 // event names stay unique within a clock tick
};

// RFC 3339 in seconds, UTC ("2026-12-06T15:04:05Z"): Event timestamps.
std::string EventTimestamp(std::chrono::system_clock::time_point t);

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_EVENT_CORRELATOR_H_
