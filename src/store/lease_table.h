// lease_table.h: in-process lease bookkeeping for the local backends (MemoryStore,
// SqliteStore): which leases exist, when each expires by the injected Clock, and which keys
// each one carries. The backend deletes the keys; this class only keeps the books.
//
// Not thread-safe: the owning store calls it under its own lock.
#ifndef ROMANA_STORE_LEASE_TABLE_H_
#define ROMANA_STORE_LEASE_TABLE_H_

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/clock.h"
#include "store/store.h"

namespace romana::store {

class LeaseTable {
 public:
  // `clock` must outlive this object.
  explicit LeaseTable(const base::Clock& clock) : clock_(clock) {}
  LeaseTable(const LeaseTable&) = delete;
  LeaseTable& operator=(const LeaseTable&) = delete;

  // Checks a TTL for Grant: InvalidArgument unless it is at least one second.
  static absl::Status ValidateTtl(std::chrono::seconds ttl);

  // Adds a lease expiring `ttl` from now. `id` = 0 picks the next free id (ids are positive).
  // REQUIRES: ValidateTtl(ttl) is OK; `id` is 0 or not in the table.
  LeaseId Grant(std::chrono::seconds ttl, LeaseId id = 0);

  // Renews a live lease for its TTL. NotFound if it is unknown or has expired.
  absl::Status KeepAlive(LeaseId id);

  // True when `id` exists and has not expired.
  bool Alive(LeaseId id) const;

  // Records that `key` now carries lease `id` (a live lease) / no longer carries it.
  void Attach(LeaseId id, const std::string& key);
  void Detach(LeaseId id, const std::string& key);

  // Removes lease `id` and returns the keys it carried (sorted). NotFound if unknown.
  absl::StatusOr<std::set<std::string>> Remove(LeaseId id);

  // The leases whose deadline has passed, oldest first (they stay until Remove()).
  std::vector<LeaseId> Expired() const;

  // Every lease id with its TTL (for persisting).
  std::map<LeaseId, std::chrono::seconds> Ttls() const;

 private:
  struct Lease {
    std::chrono::seconds ttl;
    std::chrono::steady_clock::time_point deadline;
    std::set<std::string> keys;
  };
  const base::Clock& clock_;
  std::map<LeaseId, Lease> leases_;
  LeaseId next_id_ = 1;
};

}  // namespace romana::store

#endif  // ROMANA_STORE_LEASE_TABLE_H_
