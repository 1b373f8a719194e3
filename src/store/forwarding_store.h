// forwarding_store.h: a Store that passes every call to another Store, for wrappers that change
// one or two calls (fence the commits, count the bytes written, fail on demand).
//
// Contract: every method forwards to `inner` unchanged and returns its answer unchanged, so a
// ForwardingStore by itself behaves exactly as `inner` does (the conformance suite's semantics
// hold). A subclass overrides only the calls it changes and reaches the wrapped store through
// inner(). Put() is not virtual: it goes through Commit(), so an overridden Commit() sees it.
//
// Thread-safety: as the wrapped store; a subclass that adds state must synchronise it itself.
// `inner` must outlive this object.
#ifndef ROMANA_STORE_FORWARDING_STORE_H_
#define ROMANA_STORE_FORWARDING_STORE_H_

#include "store/store.h"

namespace romana::store {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}
  ForwardingStore(const ForwardingStore&) = delete;
  ForwardingStore& operator=(const ForwardingStore&) = delete;

  absl::StatusOr<std::optional<KeyValue>> Get(const std::string& key) override { return inner_.Get(key); }
  absl::StatusOr<RangeResult> Range(const RangeRequest& request) override { return inner_.Range(request); }
  absl::StatusOr<TxnResult> Commit(const Txn& txn) override { return inner_.Commit(txn); }
  absl::StatusOr<Revision> CurrentRevision() override { return inner_.CurrentRevision(); }
  absl::StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& prefix, Revision from) override {
    return inner_.Watch(prefix, from);
  }
  absl::Status Compact(Revision revision) override { return inner_.Compact(revision); }
  absl::StatusOr<LeaseId> GrantLease(std::chrono::seconds ttl) override { return inner_.GrantLease(ttl); }
  absl::Status KeepAlive(LeaseId lease) override { return inner_.KeepAlive(lease); }
  absl::Status RevokeLease(LeaseId lease) override { return inner_.RevokeLease(lease); }

 protected:
  // The wrapped store.
  Store& inner() { return inner_; }

 private:
  Store& inner_;
};

}  // namespace romana::store

#endif  // ROMANA_STORE_FORWARDING_STORE_H_
