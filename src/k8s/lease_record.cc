#include "k8s/lease_record.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace romana::k8s {

using nlohmann::json;

absl::StatusOr<LeaseRecord> ParseLeaseRecord(const json& lease) {
  LeaseRecord r;
  if (!lease.is_object() || !lease.contains("spec") || lease["spec"].is_null()) return r;
  const json& spec = lease["spec"];
  if (!spec.is_object()) return absl::InvalidArgumentError("spec: must be an object");
  auto string_field = [&](const char* name, std::string& out) -> absl::Status {
    if (!spec.contains(name) || spec[name].is_null()) return absl::OkStatus();
    if (!spec[name].is_string()) return absl::InvalidArgumentError(absl::StrCat("spec.", name, ": must be a string"));
    out = spec[name].get<std::string>();
    return absl::OkStatus();
  };
  auto int_field = [&](const char* name, int& out) -> absl::Status {
    if (!spec.contains(name) || spec[name].is_null()) return absl::OkStatus();
    if (!spec[name].is_number_integer()) {
      return absl::InvalidArgumentError(absl::StrCat("spec.", name, ": must be an integer"));
    }
    out = spec[name].get<int>();
    return absl::OkStatus();
  };
  for (absl::Status s : {string_field("holderIdentity", r.holder_identity),
                         int_field("leaseDurationSeconds", r.lease_duration_seconds),
                         string_field("acquireTime", r.acquire_time), string_field("renewTime", r.renew_time),
                         int_field("leaseTransitions", r.lease_transitions)}) {
    if (!s.ok()) return s;
  }
  return r;
}

json WithLeaseRecord(json lease, const LeaseRecord& r) {
  lease["spec"] = {{"holderIdentity", r.holder_identity},
                   {"leaseDurationSeconds", r.lease_duration_seconds},
                   {"acquireTime", r.acquire_time},
                   {"renewTime", r.renew_time},
                   {"leaseTransitions", r.lease_transitions}};
  return lease;
}

std::string FormatMicroTime(std::chrono::system_clock::time_point t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromChrono(t), absl::UTCTimeZone());
}

LeaseObservation Observe(const LeaseObservation& last, const LeaseRecord& current,
                         std::chrono::steady_clock::time_point now) {
  if (last.record && *last.record == current) return last;
  return LeaseObservation{current, now};
}

bool MayAcquire(const LeaseObservation& observed, const std::string& identity,
                std::chrono::steady_clock::time_point now) {
  if (!observed.record) return true;
  const LeaseRecord& r = *observed.record;
  if (r.holder_identity.empty() || r.holder_identity == identity) return true;
  return now >= observed.time + std::chrono::seconds(r.lease_duration_seconds);
}

LeaseRecord NextRecord(const std::optional<LeaseRecord>& current, const std::string& identity,
                       int lease_duration_seconds, std::chrono::system_clock::time_point wall_now) {
  LeaseRecord next{.holder_identity = identity,
                   .lease_duration_seconds = lease_duration_seconds,
                   .acquire_time = FormatMicroTime(wall_now),
                   .renew_time = FormatMicroTime(wall_now),
                   .lease_transitions = 0};
  if (!current) return next;
  if (current->holder_identity == identity) {
    next.acquire_time = current->acquire_time;
    next.lease_transitions = current->lease_transitions;
  } else {
    next.lease_transitions = current->lease_transitions + 1;
  }
  return next;
}

}  // namespace romana::k8s
