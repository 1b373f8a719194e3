// sqlite_store.h: the embedded Store: one SQLite file in WAL mode, the default backend of
// romanad (no other service needed).
//
// Durability: every Commit() returns only after SQLite committed the transaction with
// synchronous=FULL (the WAL is fsync'ed), so an acknowledged write survives a crash of the
// process and of the machine; a transaction is applied whole or not at all.
//
// Layout: table `kv` holds the current keys; table `log` is the change log (revision, seq,
// key, PUT/DELETE, value, ...), written in the same SQLite transaction as `kv`. Watches and
// reads at past revisions are served from `log`. Compact(r) deletes the log rows that are no
// longer needed to answer a read at a revision >= r. Table `meta` holds the revision and
// compaction point; table `lease` the granted leases (id, TTL).
//
// Single process: the file is opened with locking_mode=EXCLUSIVE, so a second process (or a
// second SqliteStore on the same file) gets FailedPrecondition from Create(). Watchers are
// woken through a condition variable when this process commits.
//
// Leases: persisted (id and TTL); their deadlines run on the injected Clock and are kept in
// memory. After a restart every surviving lease gets a full TTL again (etcd does the same
// after a leader change). Expiry is checked at the start of every call and, when
// `lease_check_interval` > 0, by a background thread.
//
// Thread-safety: safe for concurrent use from many threads (calls are serialised on one
// connection). A Watcher is used by one thread at a time; the store must outlive its watchers.
#ifndef ROMANA_STORE_SQLITE_STORE_H_
#define ROMANA_STORE_SQLITE_STORE_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "store/lease_table.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace romana::store {

struct SqliteStoreOptions {
  // The database file; created (with its tables) when missing. REQUIRED: non-empty; the
  // directory must exist. romanad: --store (default /var/lib/romana/romana.db).
  std::string path;
  // How long a call waits for SQLite's file lock before giving up. Default: 5 s.
  std::chrono::milliseconds busy_timeout{5000};
  // How often (real time) a background thread looks for expired leases; 0 = no thread.
  // Default: 100 ms.
  std::chrono::milliseconds lease_check_interval{100};
  // Automatic compaction (like etcd's --auto-compaction-mode=revision): once the history is
  // 10% longer than this many revisions, compact it down to this many. 0 = never compact on
  // our own (history grows until Compact()). Default: 100000.
  int64_t keep_revisions = 100000;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the store. `clock` must outlive it. Errors: InvalidArgument (empty path),
  // FailedPrecondition (another process has the file open), Internal (not a database, I/O).
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Create(const SqliteStoreOptions& options,
                                                             const base::Clock& clock);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

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
  class SqliteWatcher;

  SqliteStore(const SqliteStoreOptions& options, const base::Clock& clock,
              std::unique_ptr<SqliteDb> db);
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::optional<KeyValue>> ReadKey(const std::string& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inside an open SQLite transaction: evaluate and apply; `changed` tells whether anything
  // was written at revision_ + 1.
  absl::StatusOr<TxnResult> CommitInTxn(const Txn& txn, bool& changed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<bool> ApplyOp(const Op& op, Revision rev) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<bool> DeleteKey(const std::string& key, Revision rev)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AppendLog(Revision rev, const KeyValue& kv, bool tombstone)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SetMeta(const char* name, int64_t value) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `body` in BEGIN IMMEDIATE ... COMMIT; rolls back if it or the commit fails.
  absl::Status CompactLocked(Revision revision) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  template <typename Body>
  absl::Status InTransaction(Body body) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RevokeLocked(LeaseId lease) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ExpireLeases() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LeaseLoop();

  const SqliteStoreOptions options_;
  absl::Mutex mu_;
  absl::CondVar changed_;  // signalled on every commit that wrote, compaction and shutdown
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);
  Revision revision_ ABSL_GUARDED_BY(mu_) = 1;
  Revision compacted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t log_seq_ ABSL_GUARDED_BY(mu_) = 0;  // row number within the revision being written
  LeaseId last_lease_ ABSL_GUARDED_BY(mu_) = 0;
  LeaseTable leases_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread lease_thread_;
};

}  // namespace romana::store

#endif  // ROMANA_STORE_SQLITE_STORE_H_
