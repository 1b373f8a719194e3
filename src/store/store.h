// store.h: the key-value store every piece of Romana state lives in, modelled on etcd v3.
//
// Keys are byte strings under a prefix (default "/romana"). Every successful write bumps one
// global revision; each key remembers the revision that created it, the one that last modified
// it and how often it changed (version). Transactions compare then write atomically. Watches
// deliver every change after a revision, in order; a revision that has been compacted away
// gives a distinct error so the watcher knows it must re-list.
//
// Backends: SqliteStore (embedded, one file, the default), EtcdStore (etcd v3 over gRPC),
// MemoryStore (in-process, for tests of code above the store). One conformance suite
// (StoreConformanceTest in store/testing/store_conformance.h, run by store_memory_test,
// store_sqlite_test and store_etcd_test) runs against all of them. docs/store.md has more.
//
// Thread-safety: every Store implementation is safe for concurrent use from many threads.
// A Watcher is used by one thread at a time.
//
// Error codes shared by all backends:
//   Unavailable       the backend cannot be reached now (etcd down, leader change): retry.
//   OutOfRange        a watch or read asked for a revision that was compacted (see IsCompacted).
//   InvalidArgument   a malformed request (empty key, bad limit).
//   NotFound          only from lease calls (unknown or expired lease), and from Commit() when
//                     the chosen branch puts a key with such a lease (nothing is applied).
//                     Get() of a missing key is not an error: it returns std::nullopt.
//   DeadlineExceeded  the call did not finish within the backend's request timeout; the write
//                     may or may not have happened (exactly like etcd): re-read to find out.
#ifndef ROMANA_STORE_STORE_H_
#define ROMANA_STORE_STORE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romana::store {

using Revision = int64_t;
using LeaseId = int64_t;

struct KeyValue {
  std::string key;
  std::string value;
  Revision create_revision = 0;  // revision of the write that created the key
  Revision mod_revision = 0;     // revision of the last write to the key
  int64_t version = 0;           // number of writes since creation (1 after create)
  LeaseId lease = 0;             // 0 = no lease

  bool operator==(const KeyValue&) const = default;
};

// One condition of a transaction. Build with the factories; a missing key has create/mod
// revision 0 and version 0, exactly as in etcd; as in etcd, a kValue compare on a missing key
// is always false (whatever the op).
struct Compare {
  enum class Target { kValue, kVersion, kCreateRevision, kModRevision };
  enum class Op { kEqual, kNotEqual, kLess, kGreater };
  std::string key;
  Target target = Target::kVersion;
  Op op = Op::kEqual;
  std::string value;   // for kValue
  int64_t number = 0;  // for the other targets

  static Compare ValueEquals(std::string key, std::string value);
  static Compare ModRevisionEquals(std::string key, Revision revision);
  static Compare Exists(std::string key);  // version > 0
  static Compare Absent(std::string key);  // version == 0
};

// One write inside a transaction.
struct Op {
  enum class Kind { kPut, kDelete, kDeletePrefix };
  Kind kind = Kind::kPut;
  std::string key;    // for kDeletePrefix: the prefix
  std::string value;  // for kPut
  LeaseId lease = 0;  // for kPut: attach the key to this lease (0 = none)

  static Op Put(std::string key, std::string value, LeaseId lease = 0);
  static Op Delete(std::string key);
  static Op DeletePrefix(std::string prefix);
};

struct Txn {
  std::vector<Compare> compares;  // all must hold for `success` to run
  std::vector<Op> success;
  std::vector<Op> failure;
};

struct TxnResult {
  bool succeeded = false;  // true when every compare held
  Revision revision = 0;   // store revision after the transaction (unchanged if nothing was written)
};

struct RangeRequest {
  std::string prefix;     // every key that starts with this (REQUIRES: non-empty)
  std::string start_key;  // if set, only keys >= start_key (for paging; REQUIRES: starts with prefix)
  int64_t limit = 0;      // at most this many keys (0 = no limit)
  Revision revision = 0;  // read as of this revision (0 = latest); OutOfRange if compacted
};

struct RangeResult {
  std::vector<KeyValue> kvs;  // sorted by key
  bool more = false;          // true when `limit` cut the result short
  Revision revision = 0;      // the store revision the read saw
};

struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  // For kPut the new key-value; for kDelete the key with mod_revision = the deleting revision
  // and an empty value.
  KeyValue kv;

  bool operator==(const Event&) const = default;
};

// A stream of events for one prefix. Dropping the Watcher cancels the watch.
class Watcher {
 public:
  virtual ~Watcher() = default;
  // Returns the next batch of events, in revision order, waiting up to `timeout`. An empty
  // vector means nothing happened within the timeout. Errors: OutOfRange when the start
  // revision was compacted (IsCompacted); Unavailable when the backend went away (re-create
  // the watch from the last revision seen).
  virtual absl::StatusOr<std::vector<Event>> Next(std::chrono::milliseconds timeout) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The value at `key`, or std::nullopt if it does not exist.
  virtual absl::StatusOr<std::optional<KeyValue>> Get(const std::string& key) = 0;

  virtual absl::StatusOr<RangeResult> Range(const RangeRequest& request) = 0;

  // Atomically evaluates `txn.compares` and applies `success` or `failure`. Either every op of
  // the chosen branch is applied with one new revision, or none is. A branch that changes
  // nothing (deletes of missing keys, or no ops) does not create a revision.
  // Errors: InvalidArgument for an empty key/prefix, a key put twice in one branch, a put
  // that a delete of the same branch covers, more than 128 compares/ops in a branch or more
  // than ~1.5 MiB of keys and values (etcd's limits, on every backend); NotFound for an
  // unknown lease.
  virtual absl::StatusOr<TxnResult> Commit(const Txn& txn) = 0;

  // Convenience: an unconditional single put; returns the new revision.
  absl::StatusOr<Revision> Put(const std::string& key, const std::string& value);

  // The current store revision.
  virtual absl::StatusOr<Revision> CurrentRevision() = 0;

  // Watches every key under `prefix`, delivering each change with mod_revision >= `from`
  // (`from` = 0 means "changes after now"). A compacted `from` is reported by the Watcher's
  // first Next() (OutOfRange), not by Watch() itself. The compaction revision itself is still
  // watchable.
  virtual absl::StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& prefix,
                                                         Revision from) = 0;

  // Forgets history before `revision`: later reads and watches of older revisions get
  // OutOfRange. Idempotent for revisions already compacted. InvalidArgument when `revision` is
  // after the current revision (a Range at a future revision is InvalidArgument too).
  virtual absl::Status Compact(Revision revision) = 0;

  // Leases: a key put with a lease is deleted (one delete event) when the lease expires or is
  // revoked. Grant returns a new lease living `ttl`; KeepAlive renews it once for its ttl;
  // NotFound when the lease is gone.
  virtual absl::StatusOr<LeaseId> GrantLease(std::chrono::seconds ttl) = 0;
  virtual absl::Status KeepAlive(LeaseId lease) = 0;
  virtual absl::Status RevokeLease(LeaseId lease) = 0;
};

// True for the status a watch or read of a compacted revision returns.
bool IsCompacted(const absl::Status& status);

// The status of a watch or read (`what`: "watch from revision", "range at revision") of revision
// `asked`, older than the history that starts at `compact_revision`: OutOfRange, carrying
// `compact_revision` as a payload for CompactRevisionOf.
absl::Status CompactedError(absl::string_view what, Revision asked, Revision compact_revision);

// The compaction revision a compacted status carries (CompactedError); 0 when it carries none
// (etcd's own answer to a read names it only in its message).
Revision CompactRevisionOf(const absl::Status& status);

// The smallest string greater than every string starting with `prefix` (etcd's range_end).
// When no such string exists (prefix empty or all 0xff) it returns "\0", etcd's "no end".
std::string PrefixEnd(const std::string& prefix);

}  // namespace romana::store

#endif  // ROMANA_STORE_STORE_H_
