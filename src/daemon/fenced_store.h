// fenced_store.h: a Store whose every transaction also requires this replica to be the leader.
//
// Wraps the real store. Commit() appends Leadership::Fence() to the compares (none for
// SoleLeader). When the transaction fails and the fence is what failed, the caller gets
// Unavailable with error code "not_leader" (and nothing was written); when the caller's own
// compares failed, it gets succeeded = false as usual. A transaction with `failure` ops runs
// them in a second fenced transaction (etcd has no "which compare failed"); callers in romanad
// use none. Reads, watches and leases pass through unchanged. A commit observer, when set, is
// told the revision of every successful transaction that wrote a put or had compares (a
// compare-guarded delete); romanad's reads wait for the watch cache to reach it.
//
// Thread-safety: as the wrapped store. `store` and `leadership` must outlive this object.
#ifndef ROMANA_DAEMON_FENCED_STORE_H_
#define ROMANA_DAEMON_FENCED_STORE_H_

#include <functional>

#include "daemon/leadership.h"
#include "store/forwarding_store.h"

namespace romana::daemon {

class FencedStore final : public store::ForwardingStore {
 public:
  FencedStore(store::Store& store, const Leadership& leadership)
      : store::ForwardingStore(store), leadership_(leadership) {}

  absl::StatusOr<store::TxnResult> Commit(const store::Txn& txn) override;

  // Called with the revision of every successful Commit(). REQUIRES: set before the store is
  // used from other threads (it is not synchronised).
  void SetCommitObserver(std::function<void(store::Revision)> observer) { observer_ = std::move(observer); }

 private:
  absl::StatusOr<store::TxnResult> CommitFenced(const store::Txn& txn);

  const Leadership& leadership_;
  std::function<void(store::Revision)> observer_;
};

// The status a write gets when this replica does not lead (code "not_leader", detail "leader").
absl::Status NotLeaderError(const std::string& leader_url);

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_FENCED_STORE_H_
