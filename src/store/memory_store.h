// memory_store.h: an in-process Store with the full etcd v3 semantics of store.h (revisions,
// versions, transactions, watch from a revision, compaction, leases), kept entirely in memory.
//
// For tests of the code above the store (IPAM, romanad) and as the reference the conformance
// suite checks the real backends against. Nothing survives the object.
//
// Leases expire by the injected Clock: expiry is checked at the start of every call and, when
// `lease_check_interval` > 0, by a background thread every interval of real time, so a
// watcher blocked in Next() sees the delete events of an expired lease after
// FakeClock::Advance() without any further call.
//
// Thread-safety: safe for concurrent use from many threads. A Watcher is used by one thread
// at a time; the store must outlive every Watcher it returned.
#ifndef ROMANA_STORE_MEMORY_STORE_H_
#define ROMANA_STORE_MEMORY_STORE_H_

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "store/lease_table.h"
#include "store/store.h"

namespace romana::store {

struct MemoryStoreOptions {
  // How often (real time) a background thread looks for expired leases. 0 = no thread;
  // leases then expire only when some call is made. Default: 50 ms.
  std::chrono::milliseconds lease_check_interval{50};
};

class MemoryStore final : public Store {
 public:
  // `clock` must outlive the store.
  static std::unique_ptr<MemoryStore> Create(const base::Clock& clock,
                                             const MemoryStoreOptions& options = {});
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  absl::StatusOr<std::optional<KeyValue>> Get(const std::string& key) override;
  absl::StatusOr<RangeResult> Range(const RangeRequest& request) override;
  absl::StatusOr<TxnResult> Commit(const Txn& txn) override;
  absl::StatusOr<Revision> CurrentRevision() override;
  absl::StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& prefix,
                                                 Revision from) override;
  absl::Status Compact(Revision revision) override;
  absl::StatusOr<LeaseId> GrantLease(std::chrono::seconds ttl) override;
  absl::Status KeepAlive(LeaseId lease) override;
  absl::Status RevokeLease(LeaseId lease) override;

 private:
  class MemoryWatcher;
  // One entry of a key's history; a tombstone marks a delete.
  struct Version {
    bool tombstone = false;
    KeyValue kv;  // for a tombstone: key and mod_revision only
  };

  MemoryStore(const base::Clock& clock, const MemoryStoreOptions& options);

  // The key's latest live version at `at` (0 = now), or nullptr.
  const KeyValue* Lookup(const std::string& key, Revision at) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Applies one op at revision `rev`; returns true when it changed something.
  bool ApplyOp(const Op& op, Revision rev) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool DeleteKey(const std::string& key, Revision rev) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Deletes the keys of expired leases (one revision per lease).
  void ExpireLeases() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RevokeLocked(LeaseId lease) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LeaseLoop();

  const base::Clock& clock_;
  const MemoryStoreOptions options_;
  absl::Mutex mu_;
  absl::CondVar changed_;  // signalled on every new revision, compaction and shutdown
  Revision revision_ ABSL_GUARDED_BY(mu_) = 1;
  Revision compacted_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::vector<Version>> history_ ABSL_GUARDED_BY(mu_);
  std::deque<Event> events_ ABSL_GUARDED_BY(mu_);  // every event with revision >= compacted_
  LeaseTable leases_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread lease_thread_;
};

}  // namespace romana::store

#endif  // ROMANA_STORE_MEMORY_STORE_H_
