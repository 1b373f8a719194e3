// txn_rules.h: the request checks and compare semantics every local backend (MemoryStore,
// SqliteStore) shares, so that they agree with etcd and with each other. Pure functions, no
// I/O; thread-safe.
#ifndef ROMANA_STORE_TXN_RULES_H_
#define ROMANA_STORE_TXN_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "store/store.h"

namespace romana::store {

// Checks `txn` the way etcd does, before anything is read or written. Errors (InvalidArgument,
// the message names the field, e.g. "txn.success[1].key: must not be empty"):
//   - an empty key in a compare or an op, an empty prefix in a DeletePrefix;
//   - a negative lease id;
//   - the same key put twice in one branch, or a put of a key that a delete of the same branch
//     also covers (etcd: "duplicate key given in txn request");
//   - more than kMaxTxnOps compares or ops in one branch, or more than kMaxTxnBytes of keys and
//     values: etcd's default limits (--max-txn-ops, --max-request-bytes), enforced by every
//     backend so that what works on the embedded store also works on etcd.
absl::Status ValidateTxn(const Txn& txn);

inline constexpr size_t kMaxTxnOps = 128;
inline constexpr size_t kMaxTxnBytes = 1536 * 1024 - 4096;  // etcd's 1.5 MiB minus headroom

// Checks a range request: non-empty prefix, limit >= 0, revision >= 0, start_key (if set)
// starts with the prefix. Errors: InvalidArgument naming the field.
absl::Status ValidateRange(const RangeRequest& request);

// Checks a watch request: non-empty prefix, from >= 0. Errors: InvalidArgument.
absl::Status ValidateWatch(const std::string& prefix, Revision from);

// Evaluates one compare against the key's current state (`kv` = nullptr when the key does not
// exist). As in etcd, a kValue compare on a missing key is always false; the numeric targets
// see 0 for a missing key.
bool CompareHolds(const Compare& compare, const KeyValue* kv);

// True when `key` lies in [start, end), where end == PrefixEnd("") ("\0") means "no end".
bool KeyInRange(const std::string& key, const std::string& start, const std::string& end);

// True when `key` starts with `prefix`.
bool HasPrefix(const std::string& key, const std::string& prefix);

}  // namespace romana::store

#endif  // ROMANA_STORE_TXN_RULES_H_
