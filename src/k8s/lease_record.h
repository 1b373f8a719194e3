// lease_record.h: the leader-election record held in a coordination.k8s.io/v1 Lease, and the
// rule deciding who may take it (client-go's leaderelection, pure: no I/O, time passed in).
//
// Expiry is judged by observed time, as client-go does: a candidate notes the local steady time
// at which it last saw the record change, and treats the lease as expired once
// leaseDurationSeconds passed since then without a change. Clocks of different machines are
// never compared (renewTime is written for humans and other tools only).
// Thread-compatible value types and pure functions.
#ifndef ROMANA_K8S_LEASE_RECORD_H_
#define ROMANA_K8S_LEASE_RECORD_H_

#include <chrono>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::k8s {

struct LeaseRecord {
  std::string holder_identity;     // "" = released
  int lease_duration_seconds = 0;
  std::string acquire_time;        // RFC 3339 with microseconds (MicroTime)
  std::string renew_time;
  int lease_transitions = 0;
  bool operator==(const LeaseRecord&) const = default;
};

// The record in `lease.spec` (missing fields are zero/empty). InvalidArgument naming the field
// when a present field has the wrong type.
absl::StatusOr<LeaseRecord> ParseLeaseRecord(const nlohmann::json& lease);
// `lease` with its spec replaced by `record` (metadata, resourceVersion included, kept).
nlohmann::json WithLeaseRecord(nlohmann::json lease, const LeaseRecord& record);
// Kubernetes MicroTime: "2026-12-06T08:30:00.123456Z".
std::string FormatMicroTime(std::chrono::system_clock::time_point t);

// What a candidate knows about the lease between two reads.
struct LeaseObservation {
  std::optional<LeaseRecord> record;          // last record seen
  std::chrono::steady_clock::time_point time;  // when it was first seen in that state
};

// Notes `current` (just read) at `now`: the observation time moves only when the record changed.
LeaseObservation Observe(const LeaseObservation& last, const LeaseRecord& current,
                         std::chrono::steady_clock::time_point now);

// True when `identity` may write itself into the lease now: it holds it already, it was
// released (empty holder), or the holder has not renewed for leaseDurationSeconds of
// observed time.
bool MayAcquire(const LeaseObservation& observed, const std::string& identity,
                std::chrono::steady_clock::time_point now);

// The record `identity` writes to take or renew the lease (client-go's rules: the acquire time
// and transition count are kept on renewal; a take-over counts one transition).
LeaseRecord NextRecord(const std::optional<LeaseRecord>& current, const std::string& identity,
                       int lease_duration_seconds, std::chrono::system_clock::time_point wall_now);

}  // namespace romana::k8s

#endif  // ROMANA_K8S_LEASE_RECORD_H_
