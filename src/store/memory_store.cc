#include "store/memory_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "store/txn_rules.h"

namespace romana::store {

// Most events one Next() returns (more only to finish the last revision).
constexpr size_t kMaxBatch = 1000;

class MemoryStore::MemoryWatcher final : public Watcher {
 public:
  MemoryWatcher(MemoryStore& store, std::string prefix, Revision next)
      : store_(store), prefix_(std::move(prefix)), next_(next) {}

  absl::StatusOr<std::vector<Event>> Next(std::chrono::milliseconds timeout) override {
    const absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
    absl::MutexLock lock(&store_.mu_);
    while (true) {
      store_.ExpireLeases();
      if (next_ < store_.compacted_) {
        return CompactedError("watch from revision", next_, store_.compacted_);
      }
      std::vector<Event> batch = Collect();
      if (!batch.empty()) return batch;
      if (store_.stopping_) return absl::UnavailableError("memory store is shutting down");
      if (store_.changed_.WaitWithDeadline(&store_.mu_, deadline)) {
        store_.ExpireLeases();
        if (next_ < store_.compacted_) continue;  // report the compaction
        return Collect();
      }
    }
  }

 private:
  std::vector<Event> Collect() ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_.mu_) {
    std::vector<Event> batch;
    const auto& events = store_.events_;
    auto it = std::lower_bound(events.begin(), events.end(), next_,
                               [](const Event& e, Revision r) { return e.kv.mod_revision < r; });
    for (; it != events.end(); ++it) {
      if (batch.size() >= kMaxBatch && it->kv.mod_revision != batch.back().kv.mod_revision) {
        next_ = batch.back().kv.mod_revision + 1;
        return batch;
      }
      if (HasPrefix(it->kv.key, prefix_)) batch.push_back(*it);
    }
    next_ = std::max(next_, store_.revision_ + 1);
    return batch;
  }

  MemoryStore& store_;
  const std::string prefix_;
  Revision next_;  // the first revision not yet delivered
};

std::unique_ptr<MemoryStore> MemoryStore::Create(const base::Clock& clock,
                                                 const MemoryStoreOptions& options) {
  auto store = std::unique_ptr<MemoryStore>(new MemoryStore(clock, options));
  if (options.lease_check_interval.count() > 0) {
    store->lease_thread_ = std::thread([s = store.get()] { s->LeaseLoop(); });
  }
  return store;
}

MemoryStore::MemoryStore(const base::Clock& clock, const MemoryStoreOptions& options)
    : clock_(clock), options_(options), leases_(clock) {}

MemoryStore::~MemoryStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  if (lease_thread_.joinable()) lease_thread_.join();
}

void MemoryStore::LeaseLoop() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    changed_.WaitWithTimeout(&mu_, absl::FromChrono(options_.lease_check_interval));
    if (!stopping_) ExpireLeases();
  }
}

const KeyValue* MemoryStore::Lookup(const std::string& key, Revision at) const {
  auto it = history_.find(key);
  if (it == history_.end() || it->second.empty()) return nullptr;
  const std::vector<Version>& versions = it->second;
  const Version* found = nullptr;
  if (at == 0) {
    found = &versions.back();
  } else {
    for (auto v = versions.rbegin(); v != versions.rend(); ++v) {
      if (v->kv.mod_revision <= at) {
        found = &*v;
        break;
      }
    }
  }
  if (found == nullptr || found->tombstone) return nullptr;
  return &found->kv;
}

absl::StatusOr<std::optional<KeyValue>> MemoryStore::Get(const std::string& key) {
  if (key.empty()) return absl::InvalidArgumentError("get.key: must not be empty");
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  const KeyValue* kv = Lookup(key, 0);
  if (kv == nullptr) return std::optional<KeyValue>();
  return std::optional<KeyValue>(*kv);
}

absl::StatusOr<RangeResult> MemoryStore::Range(const RangeRequest& request) {
  if (absl::Status s = ValidateRange(request); !s.ok()) return s;
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
  RangeResult result;
  result.revision = revision_;
  const std::string& start = std::max(request.prefix, request.start_key);
  for (auto it = history_.lower_bound(start);
       it != history_.end() && HasPrefix(it->first, request.prefix); ++it) {
    const KeyValue* kv = Lookup(it->first, request.revision);
    if (kv == nullptr) continue;
    if (request.limit > 0 && static_cast<int64_t>(result.kvs.size()) == request.limit) {
      result.more = true;
      break;
    }
    result.kvs.push_back(*kv);
  }
  return result;
}

bool MemoryStore::DeleteKey(const std::string& key, Revision rev) {
  const KeyValue* existing = Lookup(key, 0);
  if (existing == nullptr) return false;
  if (existing->lease != 0) leases_.Detach(existing->lease, key);
  Version tombstone;
  tombstone.tombstone = true;
  tombstone.kv.key = key;
  tombstone.kv.mod_revision = rev;
  history_[key].push_back(tombstone);
  events_.push_back(Event{Event::Type::kDelete, tombstone.kv});
  return true;
}

bool MemoryStore::ApplyOp(const Op& op, Revision rev) {
  switch (op.kind) {
    case Op::Kind::kPut: {
      const KeyValue* existing = Lookup(op.key, 0);
      Version v;
      v.kv.key = op.key;
      v.kv.value = op.value;
      v.kv.create_revision = existing != nullptr ? existing->create_revision : rev;
      v.kv.mod_revision = rev;
      v.kv.version = existing != nullptr ? existing->version + 1 : 1;
      v.kv.lease = op.lease;
      if (existing != nullptr && existing->lease != 0) leases_.Detach(existing->lease, op.key);
      if (op.lease != 0) leases_.Attach(op.lease, op.key);
      history_[op.key].push_back(v);
      events_.push_back(Event{Event::Type::kPut, v.kv});
      return true;
    }
    case Op::Kind::kDelete:
      return DeleteKey(op.key, rev);
    case Op::Kind::kDeletePrefix: {
      std::vector<std::string> keys;
      for (auto it = history_.lower_bound(op.key);
           it != history_.end() && HasPrefix(it->first, op.key); ++it) {
        keys.push_back(it->first);
      }
      bool changed = false;
      for (const std::string& key : keys) changed |= DeleteKey(key, rev);
      return changed;
    }
  }
  return false;
}

absl::StatusOr<TxnResult> MemoryStore::Commit(const Txn& txn) {
  if (absl::Status s = ValidateTxn(txn); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  TxnResult result;
  result.succeeded = std::all_of(txn.compares.begin(), txn.compares.end(),
                                 [&](const Compare& c) { return CompareHolds(c, Lookup(c.key, 0)); });
  const std::vector<Op>& ops = result.succeeded ? txn.success : txn.failure;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind == Op::Kind::kPut && ops[i].lease != 0 && !leases_.Alive(ops[i].lease)) {
      return absl::NotFoundError(absl::StrCat("txn.", result.succeeded ? "success" : "failure",
                                              "[", i, "].lease: lease ", ops[i].lease,
                                              " not found"));
    }
  }
  const Revision rev = revision_ + 1;
  bool changed = false;
  for (const Op& op : ops) changed |= ApplyOp(op, rev);
  if (changed) {
    revision_ = rev;
    changed_.SignalAll();
  }
  result.revision = revision_;
  return result;
}

absl::StatusOr<Revision> MemoryStore::CurrentRevision() {
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return revision_;
}

absl::StatusOr<std::unique_ptr<Watcher>> MemoryStore::Watch(const std::string& prefix,
                                                            Revision from) {
  if (absl::Status s = ValidateWatch(prefix, from); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return std::unique_ptr<Watcher>(
      new MemoryWatcher(*this, prefix, from == 0 ? revision_ + 1 : from));
}

absl::Status MemoryStore::Compact(Revision revision) {
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  if (revision > revision_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "compact.revision: ", revision, " is after the current revision ", revision_));
  }
  if (revision <= compacted_) return absl::OkStatus();
  for (auto it = history_.begin(); it != history_.end();) {
    std::vector<Version>& versions = it->second;
    // Keep the newest version at or before `revision` (the state as of `revision`) unless it
    // is a tombstone, and everything after it.
    size_t keep = 0;
    for (size_t i = 0; i < versions.size(); ++i) {
      if (versions[i].kv.mod_revision <= revision) keep = i;
    }
    if (versions[keep].kv.mod_revision <= revision && versions[keep].tombstone) ++keep;
    versions.erase(versions.begin(), versions.begin() + static_cast<std::ptrdiff_t>(keep));
    it = versions.empty() ? history_.erase(it) : std::next(it);
  }
  while (!events_.empty() && events_.front().kv.mod_revision < revision) events_.pop_front();
  compacted_ = revision;
  changed_.SignalAll();
  return absl::OkStatus();
}

absl::StatusOr<LeaseId> MemoryStore::GrantLease(std::chrono::seconds ttl) {
  if (absl::Status s = LeaseTable::ValidateTtl(ttl); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return leases_.Grant(ttl);
}

absl::Status MemoryStore::KeepAlive(LeaseId lease) {
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return leases_.KeepAlive(lease);
}

absl::Status MemoryStore::RevokeLease(LeaseId lease) {
  absl::MutexLock lock(&mu_);
  ExpireLeases();
  return RevokeLocked(lease);
}

absl::Status MemoryStore::RevokeLocked(LeaseId lease) {
  absl::StatusOr<std::set<std::string>> keys = leases_.Remove(lease);
  if (!keys.ok()) return keys.status();
  const Revision rev = revision_ + 1;
  bool changed = false;
  for (const std::string& key : *keys) changed |= DeleteKey(key, rev);
  if (changed) {
    revision_ = rev;
    changed_.SignalAll();
  }
  return absl::OkStatus();
}

void MemoryStore::ExpireLeases() {
  for (LeaseId id : leases_.Expired()) RevokeLocked(id).IgnoreError();
}

}  // namespace romana::store
