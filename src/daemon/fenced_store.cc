#include "daemon/fenced_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"

namespace romana::daemon {

absl::Status NotLeaderError(const std::string& leader_url) {
  absl::Status s = absl::UnavailableError(
      leader_url.empty() ? "this romanad replica is not the leader and no leader is known yet; retry"
                         : absl::StrCat("this romanad replica is not the leader; send writes to ", leader_url));
  s = api::WithErrorCode(s, "not_leader");
  return api::WithDetail(s, "leader", leader_url);
}

absl::StatusOr<store::TxnResult> FencedStore::Commit(const store::Txn& txn) {
  absl::StatusOr<store::TxnResult> r = CommitFenced(txn);
  // Only revisions this transaction created: a put always creates one; a delete guarded by a
  // compare (romanad's deletes compare the key's mod revision) deleted something. A branch that
  // changed nothing reports the store's revision, which may belong to keys outside the prefix
  // that a watch of the prefix never sees.
  const bool wrote = !txn.compares.empty() || std::any_of(txn.success.begin(), txn.success.end(), [](const store::Op& op) {
    return op.kind == store::Op::Kind::kPut;
  });
  if (r.ok() && r->succeeded && wrote && observer_) observer_(r->revision);
  return r;
}

absl::StatusOr<store::TxnResult> FencedStore::CommitFenced(const store::Txn& txn) {
  std::optional<store::Compare> fence = leadership_.Fence();
  if (!fence.has_value()) return inner().Commit(txn);
  if (!leadership_.IsLeader()) return NotLeaderError(leadership_.LeaderUrl());
  store::Txn fenced;
  fenced.compares = txn.compares;
  fenced.compares.push_back(*fence);
  fenced.success = txn.success;
  absl::StatusOr<store::TxnResult> r = inner().Commit(fenced);
  if (!r.ok() || r->succeeded) return r;
  // Which compare failed? Check the fence alone.
  absl::StatusOr<std::optional<store::KeyValue>> kv = inner().Get(fence->key);
  if (!kv.ok()) return kv.status();
  if (!kv->has_value() || (*kv)->value != fence->value) return NotLeaderError(leadership_.LeaderUrl());
  if (txn.failure.empty()) return r;
  store::Txn second;
  second.compares.push_back(*fence);
  second.success = txn.failure;
  absl::StatusOr<store::TxnResult> f = inner().Commit(second);
  if (!f.ok()) return f.status();
  if (!f->succeeded) return NotLeaderError(leadership_.LeaderUrl());
  return store::TxnResult{false, f->revision};
}

}  // namespace romana::daemon
