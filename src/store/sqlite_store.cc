#include "store/sqlite_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "store/txn_rules.h"

namespace romana::store {
namespace {

constexpr int64_t kPut = 0;
constexpr int64_t kDelete = 1;
// A watcher reads the log in windows of this many revisions.
constexpr Revision kWatchWindow = 1000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kv (
  key BLOB PRIMARY KEY, value BLOB NOT NULL, create_revision INTEGER NOT NULL,
  mod_revision INTEGER NOT NULL, version INTEGER NOT NULL, lease INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_lease ON kv (lease) WHERE lease != 0;
CREATE TABLE IF NOT EXISTS log (
  revision INTEGER NOT NULL, seq INTEGER NOT NULL, key BLOB NOT NULL, type INTEGER NOT NULL,
  value BLOB NOT NULL, create_revision INTEGER NOT NULL, version INTEGER NOT NULL,
  lease INTEGER NOT NULL, PRIMARY KEY (revision, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS log_key ON log (key, revision);
CREATE TABLE IF NOT EXISTS lease (id INTEGER PRIMARY KEY, ttl_seconds INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('schema', 1), ('revision', 1), ('compacted', 0),
                                  ('last_lease', 0);
)sql";

// Binds the upper end of a prefix range: NULL when the prefix has no end.
void BindEnd(SqliteStatement& stmt, int index, const std::string& prefix) {
  std::string end = PrefixEnd(prefix);
  if (end == std::string(1, '\0')) {
    stmt.BindNull(index);
  } else {
    stmt.BindBlob(index, end);
  }
}

}  // namespace

class SqliteStore::SqliteWatcher final : public Watcher {
 public:
  SqliteWatcher(SqliteStore& store, std::string prefix, Revision next)
      : store_(store), prefix_(std::move(prefix)), next_(next) {}

  absl::StatusOr<std::vector<Event>> Next(std::chrono::milliseconds timeout) override {
    const absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
    absl::MutexLock lock(&store_.mu_);
    bool timed_out = false;
    while (true) {
      store_.ExpireLeases();
      if (next_ < store_.compacted_) {
        return CompactedError("watch from revision", next_, store_.compacted_);
      }
      absl::StatusOr<std::vector<Event>> batch = Collect();
      if (!batch.ok() || !batch->empty() || timed_out) return batch;
      if (store_.stopping_) return absl::UnavailableError("sqlite store is shutting down");
      timed_out = store_.changed_.WaitWithDeadline(&store_.mu_, deadline);
    }
  }

 private:
  absl::StatusOr<std::vector<Event>> Collect() ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_.mu_) {
    std::vector<Event> batch;
    while (batch.empty() && next_ <= store_.revision_) {
      const Revision last = std::min(store_.revision_, next_ + kWatchWindow - 1);
      ASSIGN_OR_RETURN(SqliteStatement * stmt,
                       store_.db_->Prepare(
                           "SELECT revision, key, type, value, create_revision, version, lease "
                           "FROM log WHERE revision >= ?1 AND revision <= ?2 AND key >= ?3 "
                           "AND (?4 IS NULL OR key < ?4) ORDER BY revision, seq"));
      stmt->Bind(1, next_).Bind(2, last).BindBlob(3, prefix_);
      BindEnd(*stmt, 4, prefix_);
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        Event e;
        e.type = stmt->Int(2) == kPut ? Event::Type::kPut : Event::Type::kDelete;
        e.kv = KeyValue{stmt->Blob(1), stmt->Blob(3), stmt->Int(4), stmt->Int(0),
                        stmt->Int(5), stmt->Int(6)};
        batch.push_back(std::move(e));
      }
      next_ = last + 1;
    }
    return batch;
  }

  SqliteStore& store_;
  const std::string prefix_;
  Revision next_;  // the first revision not yet delivered
};

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Create(
    const SqliteStoreOptions& options, const base::Clock& clock) {
  if (options.path.empty()) return absl::InvalidArgumentError("sqlite.path: must not be empty");
  absl::StatusOr<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(options.path);
  if (!db.ok()) {
    return absl::Status(db.status().code(), absl::StrCat("sqlite store ", options.path, ": ",
                                                         db.status().message()));
  }
  auto store = std::unique_ptr<SqliteStore>(new SqliteStore(options, clock, *std::move(db)));
  {
    absl::MutexLock lock(&store->mu_);
    if (absl::Status s = store->Load(); !s.ok()) {
      if (s.code() == absl::StatusCode::kUnavailable) {
        return absl::FailedPreconditionError(absl::StrCat(
            "sqlite store ", options.path, ": in use by another process or store (", s.message(),
            ")"));
      }
      return absl::Status(s.code(), absl::StrCat("sqlite store ", options.path, ": ", s.message()));
    }
  }
  if (options.lease_check_interval.count() > 0) {
    store->lease_thread_ = std::thread([s = store.get()] { s->LeaseLoop(); });
  }
  return store;
}

SqliteStore::SqliteStore(const SqliteStoreOptions& options, const base::Clock& clock,
                         std::unique_ptr<SqliteDb> db)
    : options_(options), db_(std::move(db)), leases_(clock) {}

SqliteStore::~SqliteStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  if (lease_thread_.joinable()) lease_thread_.join();
}

absl::Status SqliteStore::Load() {
  RETURN_IF_ERROR(db_->Exec(absl::StrCat("PRAGMA busy_timeout=", options_.busy_timeout.count())));
  // Exclusive locking before WAL: no shared-memory index, and no second process.
  RETURN_IF_ERROR(db_->Exec("PRAGMA locking_mode=EXCLUSIVE"));
  ASSIGN_OR_RETURN(std::string mode, db_->QueryText("PRAGMA journal_mode=WAL"));
  if (mode != "wal") return absl::InternalError(absl::StrCat("cannot enable WAL (got ", mode, ")"));
  RETURN_IF_ERROR(db_->Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status { return db_->Exec(kSchema); }));
  ASSIGN_OR_RETURN(SqliteStatement * meta, db_->Prepare("SELECT name, value FROM meta"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, meta->Step());
    if (!row) break;
    std::string name = meta->Blob(0);
    if (name == "revision") revision_ = meta->Int(1);
    if (name == "compacted") compacted_ = meta->Int(1);
    if (name == "last_lease") last_lease_ = meta->Int(1);
  }
  ASSIGN_OR_RETURN(SqliteStatement * leases, db_->Prepare("SELECT id, ttl_seconds FROM lease"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, leases->Step());
    if (!row) break;
    leases_.Grant(std::chrono::seconds(leases->Int(1)), leases->Int(0));
  }
  return absl::OkStatus();
}

template <typename Body>
absl::Status SqliteStore::InTransaction(Body body) {
  RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  absl::Status status = body();
  if (status.ok()) status = db_->Exec("COMMIT");
  if (!status.ok()) db_->Exec("ROLLBACK").IgnoreError();
  return status;
}

void SqliteStore::LeaseLoop() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    changed_.WaitWithTimeout(&mu_, absl::FromChrono(options_.lease_check_interval));
    if (!stopping_) ExpireLeases();
  }
}

absl::StatusOr<std::optional<KeyValue>> SqliteStore::ReadKey(const std::string& key) {
  ASSIGN_OR_RETURN(SqliteStatement * stmt,
                   db_->Prepare("SELECT value, create_revision, mod_revision, version, lease "
                                "FROM kv WHERE key = ?1"));
  stmt->BindBlob(1, key);
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<KeyValue>();
  KeyValue kv{key, stmt->Blob(0), stmt->Int(1), stmt->Int(2), stmt->Int(3), stmt->Int(4)};
  stmt->Reset();  // do not keep a read open
  return std::optional<KeyValue>(std::move(kv));
}

absl::StatusOr<std::optional<KeyValue>> SqliteStore::Get(const std::string& key) {
  if (key.empty()) return absl::InvalidArgumentError("get.key: must not be empty");
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return ReadKey(key);
}

absl::StatusOr<RangeResult> SqliteStore::Range(const RangeRequest& request) {
  RETURN_IF_ERROR(ValidateRange(request));
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  if (request.revision > revision_) {
    return absl::InvalidArgumentError(absl::StrCat("range.revision: ", request.revision,
                                                   " is after the current revision ",
                                                   revision_));
  }
  if (request.revision != 0 && request.revision < compacted_) {
    return CompactedError("range at revision", request.revision, compacted_);
  }
  SqliteStatement* stmt = nullptr;
  if (request.revision == 0) {
    ASSIGN_OR_RETURN(stmt, db_->Prepare(
                               "SELECT key, value, create_revision, mod_revision, version, lease "
                               "FROM kv WHERE key >= ?1 AND (?2 IS NULL OR key < ?2) "
                               "ORDER BY key LIMIT ?3"));
  } else {
    // The newest log row of each key at or before the revision, if it is a put.
    ASSIGN_OR_RETURN(stmt, db_->Prepare(
                               "SELECT key, value, create_revision, revision, version, lease "
                               "FROM log AS l WHERE key >= ?1 AND (?2 IS NULL OR key < ?2) "
                               "AND revision <= ?4 AND NOT EXISTS (SELECT 1 FROM log AS n "
                               "WHERE n.key = l.key AND n.revision > l.revision AND "
                               "n.revision <= ?4) AND type = 0 ORDER BY key LIMIT ?3"));
    stmt->Bind(4, request.revision);
  }
  stmt->BindBlob(1, std::max(request.prefix, request.start_key));
  BindEnd(*stmt, 2, request.prefix);
  stmt->Bind(3, request.limit > 0 ? request.limit + 1 : -1);
  RangeResult result;
  result.revision = revision_;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    if (request.limit > 0 && static_cast<int64_t>(result.kvs.size()) == request.limit) {
      result.more = true;
      break;
    }
    result.kvs.push_back(KeyValue{stmt->Blob(0), stmt->Blob(1), stmt->Int(2), stmt->Int(3),
                                  stmt->Int(4), stmt->Int(5)});
  }
  stmt->Reset();
  return result;
}

absl::Status SqliteStore::AppendLog(Revision rev, const KeyValue& kv, bool tombstone) {
  ASSIGN_OR_RETURN(SqliteStatement * stmt,
                   db_->Prepare("INSERT INTO log (revision, seq, key, type, value, "
                                "create_revision, version, lease) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"));
  stmt->Bind(1, rev).Bind(2, log_seq_++).BindBlob(3, kv.key).Bind(4, tombstone ? kDelete : kPut);
  stmt->BindBlob(5, kv.value).Bind(6, kv.create_revision).Bind(7, kv.version).Bind(8, kv.lease);
  return stmt->Run();
}

absl::Status SqliteStore::SetMeta(const char* name, int64_t value) {
  ASSIGN_OR_RETURN(SqliteStatement * stmt,
                   db_->Prepare("UPDATE meta SET value = ?2 WHERE name = ?1"));
  stmt->BindText(1, name).Bind(2, value);
  return stmt->Run();
}

absl::StatusOr<bool> SqliteStore::DeleteKey(const std::string& key, Revision rev) {
  ASSIGN_OR_RETURN(std::optional<KeyValue> existing, ReadKey(key));
  if (!existing.has_value()) return false;
  ASSIGN_OR_RETURN(SqliteStatement * stmt, db_->Prepare("DELETE FROM kv WHERE key = ?1"));
  stmt->BindBlob(1, key);
  RETURN_IF_ERROR(stmt->Run());
  KeyValue tombstone;
  tombstone.key = key;
  RETURN_IF_ERROR(AppendLog(rev, tombstone, /*tombstone=*/true));
  return true;
}

absl::StatusOr<bool> SqliteStore::ApplyOp(const Op& op, Revision rev) {
  switch (op.kind) {
    case Op::Kind::kPut: {
      ASSIGN_OR_RETURN(std::optional<KeyValue> existing, ReadKey(op.key));
      KeyValue kv{op.key,
                  op.value,
                  existing.has_value() ? existing->create_revision : rev,
                  rev,
                  existing.has_value() ? existing->version + 1 : 1,
                  op.lease};
      ASSIGN_OR_RETURN(SqliteStatement * stmt,
                       db_->Prepare("INSERT OR REPLACE INTO kv (key, value, create_revision, "
                                    "mod_revision, version, lease) VALUES (?1,?2,?3,?4,?5,?6)"));
      stmt->BindBlob(1, kv.key).BindBlob(2, kv.value).Bind(3, kv.create_revision);
      stmt->Bind(4, kv.mod_revision).Bind(5, kv.version).Bind(6, kv.lease);
      RETURN_IF_ERROR(stmt->Run());
      RETURN_IF_ERROR(AppendLog(rev, kv, /*tombstone=*/false));
      return true;
    }
    case Op::Kind::kDelete:
      return DeleteKey(op.key, rev);
    case Op::Kind::kDeletePrefix: {
      ASSIGN_OR_RETURN(SqliteStatement * stmt,
                       db_->Prepare("SELECT key FROM kv WHERE key >= ?1 AND "
                                    "(?2 IS NULL OR key < ?2) ORDER BY key"));
      stmt->BindBlob(1, op.key);
      BindEnd(*stmt, 2, op.key);
      std::vector<std::string> keys;
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        keys.push_back(stmt->Blob(0));
      }
      bool changed = false;
      for (const std::string& key : keys) {
        ASSIGN_OR_RETURN(bool deleted, DeleteKey(key, rev));
        changed |= deleted;
      }
      return changed;
    }
  }
  return false;
}

absl::StatusOr<TxnResult> SqliteStore::CommitInTxn(const Txn& txn, bool& changed) {
  TxnResult result;
  result.succeeded = true;
  for (const Compare& c : txn.compares) {
    ASSIGN_OR_RETURN(std::optional<KeyValue> kv, ReadKey(c.key));
    if (!CompareHolds(c, kv.has_value() ? &*kv : nullptr)) {
      result.succeeded = false;
      break;
    }
  }
  const std::vector<Op>& ops = result.succeeded ? txn.success : txn.failure;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind == Op::Kind::kPut && ops[i].lease != 0 && !leases_.Alive(ops[i].lease)) {
      return absl::NotFoundError(absl::StrCat("txn.", result.succeeded ? "success" : "failure",
                                              "[", i, "].lease: lease ", ops[i].lease,
                                              " not found"));
    }
  }
  const Revision rev = revision_ + 1;
  log_seq_ = 0;
  changed = false;
  for (const Op& op : ops) {
    ASSIGN_OR_RETURN(bool did, ApplyOp(op, rev));
    changed |= did;
  }
  if (changed) RETURN_IF_ERROR(SetMeta("revision", rev));
  result.revision = changed ? rev : revision_;
  return result;
}

absl::StatusOr<TxnResult> SqliteStore::Commit(const Txn& txn) {
  RETURN_IF_ERROR(ValidateTxn(txn));
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  bool changed = false;
  TxnResult result;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(result, CommitInTxn(txn, changed));
    return absl::OkStatus();
  }));
  if (changed) {
    revision_ = result.revision;
    changed_.SignalAll();
    // Automatic compaction, in steps of a tenth of the history kept. A failure here does not
    // undo the commit; the next commit tries again.
    const Revision keep = options_.keep_revisions;
    if (keep > 0 && revision_ - std::max<Revision>(compacted_, 1) >= keep + keep / 10 + 1) {
      CompactLocked(revision_ - keep).IgnoreError();
    }
  }
  return result;
}

absl::StatusOr<Revision> SqliteStore::CurrentRevision() {
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return revision_;
}

absl::StatusOr<std::unique_ptr<Watcher>> SqliteStore::Watch(const std::string& prefix,
                                                            Revision from) {
  RETURN_IF_ERROR(ValidateWatch(prefix, from));
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return std::unique_ptr<Watcher>(
      new SqliteWatcher(*this, prefix, from == 0 ? revision_ + 1 : from));
}

absl::Status SqliteStore::Compact(Revision revision) {
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  if (revision > revision_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "compact.revision: ", revision, " is after the current revision ", revision_));
  }
  return CompactLocked(revision);
}

absl::Status SqliteStore::CompactLocked(Revision revision) {
  if (revision <= compacted_) return absl::OkStatus();
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    // Keep, for each key, the newest row at or before `revision` if it is a put (the state as
    // of `revision`), and every row after it.
    ASSIGN_OR_RETURN(SqliteStatement * stmt,
                     db_->Prepare("DELETE FROM log WHERE revision < ?1 AND (type = 1 OR EXISTS "
                                  "(SELECT 1 FROM log AS n WHERE n.key = log.key AND "
                                  "n.revision > log.revision AND n.revision <= ?1))"));
    stmt->Bind(1, revision);
    RETURN_IF_ERROR(stmt->Run());
    return SetMeta("compacted", revision);
  }));
  compacted_ = revision;
  changed_.SignalAll();
  return absl::OkStatus();
}

absl::StatusOr<LeaseId> SqliteStore::GrantLease(std::chrono::seconds ttl) {
  RETURN_IF_ERROR(LeaseTable::ValidateTtl(ttl));
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  const LeaseId id = last_lease_ + 1;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(SqliteStatement * stmt,
                     db_->Prepare("INSERT INTO lease (id, ttl_seconds) VALUES (?1, ?2)"));
    stmt->Bind(1, id).Bind(2, ttl.count());
    RETURN_IF_ERROR(stmt->Run());
    return SetMeta("last_lease", id);
  }));
  last_lease_ = id;
  return leases_.Grant(ttl, id);
}

absl::Status SqliteStore::KeepAlive(LeaseId lease) {
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return leases_.KeepAlive(lease);
}

absl::Status SqliteStore::RevokeLease(LeaseId lease) {
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  if (!leases_.Alive(lease)) return absl::NotFoundError(absl::StrCat("lease ", lease, ": not found"));
  return RevokeLocked(lease);
}

absl::Status SqliteStore::RevokeLocked(LeaseId lease) {
  const Revision rev = revision_ + 1;
  bool changed = false;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(SqliteStatement * stmt,
                     db_->Prepare("SELECT key FROM kv WHERE lease = ?1 ORDER BY key"));
    stmt->Bind(1, lease);
    std::vector<std::string> keys;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      keys.push_back(stmt->Blob(0));
    }
    log_seq_ = 0;
    for (const std::string& key : keys) {
      ASSIGN_OR_RETURN(bool deleted, DeleteKey(key, rev));
      changed |= deleted;
    }
    if (changed) RETURN_IF_ERROR(SetMeta("revision", rev));
    ASSIGN_OR_RETURN(SqliteStatement * del, db_->Prepare("DELETE FROM lease WHERE id = ?1"));
    del->Bind(1, lease);
    return del->Run();
  }));
  leases_.Remove(lease).IgnoreError();
  if (changed) {
    revision_ = rev;
    changed_.SignalAll();
  }
  return absl::OkStatus();
}

void SqliteStore::ExpireLeases() {
  // A failure (e.g. a full disk) leaves the lease in place; the next call tries again.
  for (LeaseId id : leases_.Expired()) RevokeLocked(id).IgnoreError();
}

}  // namespace romana::store
