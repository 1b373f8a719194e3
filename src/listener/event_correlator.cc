#include "listener/event_correlator.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace romana::listener {

using nlohmann::json;

json ObjectRef::ToJson() const {
  json out = json::object();
  for (const auto& [k, v] : {std::pair{"kind", &kind}, {"apiVersion", &api_version}, {"namespace", &namespace_name},
                             {"name", &name}, {"uid", &uid}, {"resourceVersion", &resource_version}}) {
    if (!v->empty()) out[k] = *v;
  }
  return out;
}

std::string ObjectRef::Path() const {
  std::string plural = absl::AsciiStrToLower(kind);
  if (!plural.empty() && plural.back() == 'y') {  // networkpolicy -> networkpolicies
    plural.back() = 'i';
    plural += "es";
  } else {
    plural += "s";
  }
  const std::string prefix = api_version.find('/') == std::string::npos ? absl::StrCat("/api/", api_version)
                                                                         : absl::StrCat("/apis/", api_version);
  if (namespace_name.empty()) return absl::StrCat(prefix, "/", plural, "/", name);
  return absl::StrCat(prefix, "/namespaces/", namespace_name, "/", plural, "/", name);
}

ObjectRef ObjectRefOf(const std::string& kind, const std::string& api_version, const json& object) {
  ObjectRef ref{.kind = kind, .api_version = api_version};
  if (!object.is_object()) return ref;
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return ref;
  auto str = [&](const char* key) {
    auto it = md->find(key);
    return it != md->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  ref.namespace_name = str("namespace");
  ref.name = str("name");
  ref.uid = str("uid");
  ref.resource_version = str("resourceVersion");
  return ref;
}

std::string EventTimestamp(std::chrono::system_clock::time_point t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromChrono(t), absl::UTCTimeZone());
}

template <typename Map>
void EventCorrelator::Evict(Map& map) {
  while (map.size() > std::max<size_t>(1, options_.cache_size)) {
    auto oldest = std::min_element(map.begin(), map.end(),
                                   [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
    map.erase(oldest);  // O(n), but only when a new event arrives at a full cache: rare
  }
}

std::optional<EventWrite> EventCorrelator::Correlate(const ObjectRef& object, const std::string& type,
                                                     const std::string& reason, const std::string& message,
                                                     std::chrono::system_clock::time_point wall,
                                                     std::chrono::steady_clock::time_point now) {
  // Rate limit per object (client-go: per source and object).
  const std::string object_key =
      absl::StrCat(object.kind, "\n", object.namespace_name, "\n", object.name, "\n", object.uid);
  auto [b, fresh] = buckets_.try_emplace(object_key);
  Bucket& bucket = b->second;
  if (fresh) {
    bucket.tokens = options_.burst;
  } else {
    const double refilled = std::chrono::duration<double>(now - bucket.at) /
                            std::chrono::duration<double>(std::max(std::chrono::seconds(1), options_.refill));
    bucket.tokens = std::min<double>(options_.burst, bucket.tokens + std::max(0.0, refilled));
  }
  bucket.at = now;
  bucket.used = ++stamp_;
  Evict(buckets_);
  if (bucket.tokens < 1) return std::nullopt;
  bucket.tokens -= 1;

  const std::string note = message.substr(0, 1024);
  const std::string key = absl::StrCat(object_key, "\n", type, "\n", reason, "\n", note);
  const std::string ts = EventTimestamp(wall);
  if (auto it = seen_.find(key); it != seen_.end()) {
    Seen& s = it->second;
    s.used = ++stamp_;
    s.event["count"] = s.event.value("count", 1) + 1;
    s.event["lastTimestamp"] = ts;
    return EventWrite{.type = EventWrite::Type::kPatch,
                      .namespace_name = s.namespace_name,
                      .name = s.name,
                      .event = s.event,
                      .patch = {{"count", s.event["count"]}, {"lastTimestamp", ts}}};
  }
  // client-go names an event <object>.<hex of the time in ns>.
  const int64_t wall_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count();
  const int64_t nanos = std::max(last_nanos_ + 1, wall_nanos);
  last_nanos_ = nanos;
  Seen s{.namespace_name = object.namespace_name.empty() ? "default" : object.namespace_name,
         .name = absl::StrFormat("%s.%x", object.name, nanos)};
  s.event = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"name", s.name}, {"namespace", s.namespace_name}}},
             {"involvedObject", object.ToJson()},
             {"type", type},
             {"reason", reason},
             {"message", note},
             {"source", {{"component", options_.component}}},
             {"reportingComponent", options_.component},
             {"reportingInstance", options_.instance},
             {"firstTimestamp", ts},
             {"lastTimestamp", ts},
             {"count", 1}};
  s.used = ++stamp_;
  EventWrite w{.type = EventWrite::Type::kCreate, .namespace_name = s.namespace_name, .name = s.name, .event = s.event};
  seen_[key] = std::move(s);
  Evict(seen_);
  return w;
}

void EventCorrelator::Forget(const EventWrite& write) {
  for (auto it = seen_.begin(); it != seen_.end(); ++it) {
    if (it->second.name == write.name && it->second.namespace_name == write.namespace_name) {
      seen_.erase(it);
      return;
    }
  }
}

}  // namespace romana::listener
