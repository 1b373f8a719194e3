#include "ipam/ipam_store.h"

#include <cstdint>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "store/txn_rules.h"

namespace romana::ipam {
namespace {

// Reads every key under `prefix` at one revision (0 = latest, then pinned), page by page.
absl::Status ReadAll(store::Store& s, const std::string& prefix, int64_t page, store::Revision& at,
                     std::vector<store::KeyValue>& out) {
  std::string start;
  while (true) {
    store::RangeRequest req;
    req.prefix = prefix;
    req.start_key = start;
    req.limit = page;
    req.revision = at;
    absl::StatusOr<store::RangeResult> r = s.Range(req);
    if (!r.ok()) return r.status();
    if (at == 0) at = r->revision;
    for (store::KeyValue& kv : r->kvs) out.push_back(std::move(kv));
    if (!r->more || out.empty()) return absl::OkStatus();
    start = out.back().key + std::string(1, '\0');
  }
}

template <typename Rec>
absl::Status ParseAll(const std::vector<store::KeyValue>& kvs, absl::StatusOr<Rec> (*parse)(std::string_view),
                      std::vector<Rec>& out) {
  for (const store::KeyValue& kv : kvs) {
    absl::StatusOr<Rec> r = parse(kv.value);
    if (!r.ok()) return absl::DataLossError(absl::StrCat(kv.key, ": ", r.status().message()));
    out.push_back(*std::move(r));
  }
  return absl::OkStatus();
}

size_t OpBytes(const store::Op& op) { return op.key.size() + op.value.size(); }

// Splits `ops` into runs of at most `max_ops` ops and `max_bytes` bytes.
std::vector<std::vector<store::Op>> Chunk(const std::vector<store::Op>& ops, size_t max_ops, size_t max_bytes) {
  std::vector<std::vector<store::Op>> out;
  size_t bytes = 0;
  for (const store::Op& op : ops) {
    if (out.empty() || out.back().size() >= max_ops || bytes + OpBytes(op) > max_bytes) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().push_back(op);
    bytes += OpBytes(op);
  }
  return out;
}

std::string OpsToJson(const std::vector<store::Op>& ops) {
  nlohmann::json arr = nlohmann::json::array();
  for (const store::Op& op : ops) {
    if (op.kind == store::Op::Kind::kPut) {
      arr.push_back({"p", op.key, op.value});
    } else {
      arr.push_back({"d", op.key});
    }
  }
  return arr.dump();
}

absl::StatusOr<std::vector<store::Op>> OpsFromJson(const std::string& text) {
  nlohmann::json arr = nlohmann::json::parse(text, nullptr, false);
  if (arr.is_discarded() || !arr.is_array()) return absl::DataLossError("IPAM journal piece is not a JSON array");
  std::vector<store::Op> ops;
  for (const nlohmann::json& e : arr) {
    if (e.is_array() && e.size() == 3 && e[0] == "p" && e[1].is_string() && e[2].is_string()) {
      ops.push_back(store::Op::Put(e[1].get<std::string>(), e[2].get<std::string>()));
    } else if (e.is_array() && e.size() == 2 && e[0] == "d" && e[1].is_string()) {
      ops.push_back(store::Op::Delete(e[1].get<std::string>()));
    } else {
      return absl::DataLossError("IPAM journal piece holds a malformed op");
    }
  }
  return ops;
}

// The ops of a batch: each key's last op wins (etcd refuses a transaction naming a key twice).
std::vector<store::Op> MergeOps(std::vector<store::Op> ops) {
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < ops.size(); ++i) last[ops[i].key] = i;
  if (last.size() == ops.size()) return ops;
  std::vector<store::Op> merged;
  merged.reserve(last.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    if (last[ops[i].key] == i) merged.push_back(std::move(ops[i]));
  }
  return merged;
}

// Room left in a transaction for IPAM's own ops: one op is the fence put.
constexpr size_t kOpsPerTxn = store::kMaxTxnOps - 1;
constexpr size_t kBytesPerTxn = 1024 * 1024;      // well under etcd's 1.5 MiB request limit
constexpr size_t kJournalPieceBytes = 256 * 1024;

}  // namespace

std::vector<store::Op> ChangeToOps(const Change& c, const IpamKeys& keys) {
  std::vector<store::Op> ops;
  ops.reserve(c.size());
  if (c.topology) ops.push_back(store::Op::Put(keys.Topology(), TopologyToJson(*c.topology)));
  for (const auto& n : c.deleted_networks) ops.push_back(store::Op::Delete(keys.Network(n)));
  for (const auto& [n, p] : c.deleted_groups) ops.push_back(store::Op::Delete(keys.Group(n, p)));
  for (const auto& h : c.deleted_hosts) ops.push_back(store::Op::Delete(keys.Host(h)));
  for (const auto& [n, cidr] : c.deleted_blocks) ops.push_back(store::Op::Delete(keys.Block(n, cidr)));
  for (const auto& a : c.deleted_addresses) ops.push_back(store::Op::Delete(keys.Address(a)));
  for (const auto& r : c.put_networks) ops.push_back(store::Op::Put(keys.Network(r.name), ToJson(r)));
  for (const auto& r : c.put_groups) ops.push_back(store::Op::Put(keys.Group(r.network, r.path), ToJson(r)));
  for (const auto& r : c.put_hosts) ops.push_back(store::Op::Put(keys.Host(r.name), ToJson(r)));
  for (const auto& r : c.put_blocks) ops.push_back(store::Op::Put(keys.Block(r.network, r.cidr), ToJson(r)));
  for (const auto& r : c.put_addresses) ops.push_back(store::Op::Put(keys.Address(r.name), ToJson(r)));
  return ops;
}

absl::StatusOr<std::unique_ptr<IpamStore>> IpamStore::Open(store::Store& store, IpamStoreOptions options) {
  if (options.prefix.empty() || options.prefix.back() == '/') {
    return absl::InvalidArgumentError(absl::StrCat("IPAM key prefix \"", options.prefix,
                                                   "\" must be non-empty without a trailing '/'"));
  }
  std::unique_ptr<IpamStore> s(new IpamStore(store, std::move(options)));
  if (absl::Status st = s->Reload(); !st.ok()) return st;
  if (absl::Status st = s->RewriteStaleGroupRecords(); !st.ok()) return st;
  return s;
}

// Group records hold only what the topology gives a group. The old layout also listed each
// group's hosts and their IPs ("hosts", "host_ips"), which made every host add rewrite its
// whole group; Reload never reads group records (they are derived), so a store written by the
// old layout loads as is, and this rewrites its group records in the current form (and deletes
// any the topology no longer has) in one fenced write. Nothing is written when they match.
absl::Status IpamStore::RewriteStaleGroupRecords() {
  store::Revision at = 0;
  std::vector<store::KeyValue> stored;
  if (absl::Status s = ReadAll(store_, keys_.GroupsPrefix(), options_.load_page_size, at, stored); !s.ok()) {
    return s;
  }
  std::map<std::string, std::string> want;
  for (const GroupRecord& g : ipam_.Groups()) want[keys_.Group(g.network, g.path)] = ToJson(g);
  std::vector<store::Op> ops;
  for (const store::KeyValue& kv : stored) {
    auto it = want.find(kv.key);
    if (it == want.end()) {
      ops.push_back(store::Op::Delete(kv.key));
    } else if (it->second == kv.value) {
      want.erase(it);
    }
  }
  for (auto& [key, value] : want) ops.push_back(store::Op::Put(key, std::move(value)));
  if (ops.empty()) return absl::OkStatus();
  absl::StatusOr<bool> written = Write(std::move(ops));
  if (written.ok()) {
    // Lost to another writer: the next mutation reloads; whoever opens the store next rewrites.
    if (!*written) stale_ = true;
    return absl::OkStatus();
  }
  // Not the leader (Options::fence): the leader rewrites them when it opens the store.
  if (absl::IsFailedPrecondition(written.status())) return absl::OkStatus();
  return written.status();
}

absl::Status IpamStore::Reload() {
  if (absl::Status s = RecoverJournal(); !s.ok()) return s;
  store::Revision at = 0;
  // The fence first: its mod revision is what our next write compares against.
  std::vector<store::KeyValue> fence, topo, hosts_kv, blocks_kv, addresses_kv;
  if (absl::Status s = ReadAll(store_, keys_.Fence(), 1, at, fence); !s.ok()) return s;
  if (absl::Status s = ReadAll(store_, keys_.Topology(), 1, at, topo); !s.ok()) return s;
  int64_t page = options_.load_page_size;
  if (absl::Status s = ReadAll(store_, keys_.HostsPrefix(), page, at, hosts_kv); !s.ok()) return s;
  if (absl::Status s = ReadAll(store_, keys_.BlocksPrefix(), page, at, blocks_kv); !s.ok()) return s;
  if (absl::Status s = ReadAll(store_, keys_.AddressesPrefix(), page, at, addresses_kv); !s.ok()) return s;
  std::optional<TopologySpec> spec;
  for (const store::KeyValue& kv : topo) {
    if (kv.key != keys_.Topology()) continue;  // a longer key that shares the prefix
    absl::StatusOr<TopologySpec> t = ParseTopology(kv.value);
    if (!t.ok()) return absl::DataLossError(absl::StrCat(kv.key, ": ", t.status().message()));
    spec = *std::move(t);
  }
  std::vector<HostRecord> hosts;
  std::vector<BlockRecord> blocks;
  std::vector<AddressRecord> addresses;
  if (absl::Status s = ParseAll(hosts_kv, &HostFromJson, hosts); !s.ok()) return s;
  if (absl::Status s = ParseAll(blocks_kv, &BlockFromJson, blocks); !s.ok()) return s;
  if (absl::Status s = ParseAll(addresses_kv, &AddressFromJson, addresses); !s.ok()) return s;
  absl::StatusOr<Ipam> loaded = Ipam::FromRecords(std::move(spec), std::move(hosts), std::move(blocks),
                                                  std::move(addresses));
  if (!loaded.ok()) return loaded.status();
  ipam_ = *std::move(loaded);
  fence_revision_ = 0;
  for (const store::KeyValue& kv : fence) {
    if (kv.key == keys_.Fence()) fence_revision_ = kv.mod_revision;
  }
  revision_ = at;
  stale_ = false;
  return absl::OkStatus();
}

absl::StatusOr<bool> IpamStore::CommitFenced(std::vector<store::Op> ops) {
  store::Txn txn;
  txn.compares.push_back(fence_revision_ == 0 ? store::Compare::Absent(keys_.Fence())
                                              : store::Compare::ModRevisionEquals(keys_.Fence(), fence_revision_));
  size_t own_compares = txn.compares.size();
  if (options_.fence) {
    for (store::Compare& c : options_.fence()) txn.compares.push_back(std::move(c));
  }
  txn.success = std::move(ops);
  txn.success.push_back(store::Op::Put(keys_.Fence(), std::to_string(transactions_ + 1)));
  ++transactions_;
  absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
  if (!r.ok()) {
    stale_ = true;  // the write may or may not have happened
    return r.status();
  }
  if (!r->succeeded) {
    if (txn.compares.size() > own_compares) {
      // Find out whether our fence or the caller's failed.
      absl::StatusOr<std::optional<store::KeyValue>> f = store_.Get(keys_.Fence());
      if (f.ok() && (f->has_value() ? (*f)->mod_revision : 0) == fence_revision_) {
        return absl::FailedPreconditionError("the IPAM write was fenced off (this writer is not the leader)");
      }
    }
    return false;
  }
  revision_ = r->revision;
  fence_revision_ = r->revision;
  return true;
}

absl::StatusOr<bool> IpamStore::Write(std::vector<store::Op> ops) {
  size_t bytes = 0;
  for (const store::Op& op : ops) bytes += OpBytes(op);
  if (ops.size() <= kOpsPerTxn && bytes <= kBytesPerTxn) return CommitFenced(std::move(ops));
  return WriteJournaled(ops);
}

// A change larger than one transaction (etcd's --max-txn-ops / request size) is made atomic with
// a roll-forward journal: (1) the ops are written as journal pieces, (2) one transaction writes
// the commit marker: from then on the change counts as done, (3) the ops are applied in chunks,
// (4) the journal is deleted. Every step is fenced. A loader that finds a committed journal
// applies it (RollForward); an uncommitted one is discarded. Watchers may see the records of
// step 3 arrive over several revisions.
absl::StatusOr<bool> IpamStore::WriteJournaled(const std::vector<store::Op>& ops) {
  std::vector<std::vector<store::Op>> pieces = Chunk(ops, SIZE_MAX, kJournalPieceBytes);
  std::vector<store::Op> batch;
  size_t batch_bytes = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    store::Op put = store::Op::Put(absl::StrCat(keys_.JournalPrefix(), "piece/", i), OpsToJson(pieces[i]));
    if (!batch.empty() && (batch.size() >= kOpsPerTxn || batch_bytes + OpBytes(put) > kBytesPerTxn)) {
      absl::StatusOr<bool> w = CommitFenced(std::move(batch));
      if (!w.ok() || !*w) return w;
      batch.clear();
      batch_bytes = 0;
    }
    batch_bytes += OpBytes(put);
    batch.push_back(std::move(put));
  }
  if (!batch.empty()) {
    absl::StatusOr<bool> w = CommitFenced(std::move(batch));
    if (!w.ok() || !*w) return w;
  }
  absl::StatusOr<bool> committed =
      CommitFenced({store::Op::Put(keys_.JournalCommit(), std::to_string(pieces.size()))});
  if (!committed.ok() || !*committed) return committed;
  // Committed: the change now happens whatever follows (a loader would roll it forward).
  if (absl::Status s = ApplyJournalOps(ops); !s.ok()) {
    stale_ = true;
    return true;
  }
  return true;
}

absl::Status IpamStore::ApplyJournalOps(const std::vector<store::Op>& ops) {
  for (std::vector<store::Op>& chunk : Chunk(ops, kOpsPerTxn, kBytesPerTxn)) {
    absl::StatusOr<bool> w = CommitFenced(std::move(chunk));
    if (!w.ok()) return w.status();
    if (!*w) return absl::AbortedError("lost the IPAM fence while applying a committed journal");
  }
  absl::StatusOr<bool> w = CommitFenced({store::Op::DeletePrefix(keys_.JournalPrefix())});
  if (!w.ok()) return w.status();
  if (!*w) return absl::AbortedError("lost the IPAM fence while deleting the journal");
  return absl::OkStatus();
}

absl::Status IpamStore::RecoverJournal() {
  store::Revision at = 0;
  std::vector<store::KeyValue> journal;
  if (absl::Status s = ReadAll(store_, keys_.JournalPrefix(), options_.load_page_size, at, journal); !s.ok()) {
    return s;
  }
  if (journal.empty()) return absl::OkStatus();
  absl::StatusOr<std::optional<store::KeyValue>> fence = store_.Get(keys_.Fence());
  if (!fence.ok()) return fence.status();
  fence_revision_ = fence->has_value() ? (*fence)->mod_revision : 0;
  const store::KeyValue* commit = nullptr;
  std::map<int, const store::KeyValue*> pieces;
  for (const store::KeyValue& kv : journal) {
    if (kv.key == keys_.JournalCommit()) {
      commit = &kv;
    } else if (kv.key.rfind(keys_.JournalPrefix() + "piece/", 0) == 0) {
      pieces[std::atoi(kv.key.substr(keys_.JournalPrefix().size() + 6).c_str())] = &kv;
    }
  }
  if (commit == nullptr) {
    // An interrupted writer never committed: its change did not happen.
    absl::StatusOr<bool> w = CommitFenced({store::Op::DeletePrefix(keys_.JournalPrefix())});
    return w.ok() ? absl::OkStatus() : w.status();
  }
  int n = std::atoi(commit->value.c_str());
  std::vector<store::Op> ops;
  for (int i = 0; i < n; ++i) {
    auto it = pieces.find(i);
    if (it == pieces.end()) return absl::DataLossError(absl::StrCat("IPAM journal piece ", i, " is missing"));
    absl::StatusOr<std::vector<store::Op>> part = OpsFromJson(it->second->value);
    if (!part.ok()) return part.status();
    ops.insert(ops.end(), part->begin(), part->end());
  }
  return ApplyJournalOps(ops);
}

std::vector<absl::Status> IpamStore::MutateBatch(const std::vector<Plan>& plans) {
  std::vector<absl::Status> statuses(plans.size());
  std::vector<size_t> writers;  // plans whose outcome is the write's
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts); ++attempt) {
    if (stale_ || attempt > 0) {
      if (absl::Status s = Reload(); !s.ok()) return std::vector<absl::Status>(plans.size(), s);
    }
    // Each plan sees the ones before it: its change is applied in memory at once. Until the
    // write succeeds the memory is ahead of the store, so anything but success reloads.
    std::vector<store::Op> ops;
    writers.clear();
    for (size_t i = 0; i < plans.size(); ++i) {
      absl::StatusOr<Change> change = plans[i](ipam_);
      statuses[i] = change.status();
      if (!change.ok() || change->empty()) continue;
      std::vector<store::Op> own = ChangeToOps(*change, keys_);
      ops.insert(ops.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
      ipam_.Apply(*change);
      writers.push_back(i);
    }
    if (writers.empty()) return statuses;  // nothing to write (failures or idempotent repeats)
    absl::StatusOr<bool> written = Write(MergeOps(std::move(ops)));
    if (written.ok() && *written) return statuses;
    stale_ = true;
    if (!written.ok()) {
      for (size_t i : writers) statuses[i] = written.status();
      (void)Reload();  // back to what the store holds; if the store is unreachable, the next call reloads
      return statuses;
    }
  }
  const absl::Status lost = absl::AbortedError(
      absl::StrCat("the IPAM state kept changing under another writer (", options_.max_attempts, " attempts); retry"));
  for (size_t i : writers) statuses[i] = lost;
  return statuses;
}

template <typename T>
absl::StatusOr<T> IpamStore::Mutate(const std::function<absl::StatusOr<Planned<T>>(const Ipam&)>& plan) {
  std::optional<T> result;
  if (absl::Status s = MutateBatch({Recording<T>(plan, result)})[0]; !s.ok()) return s;
  return *std::move(result);
}

namespace {
struct Unit {};
absl::StatusOr<Planned<Unit>> AsPlanned(absl::StatusOr<Change> c) {
  if (!c.ok()) return c.status();
  return Planned<Unit>{{}, *std::move(c)};
}
}  // namespace

absl::Status IpamStore::SetTopology(const TopologySpec& spec) {
  return Mutate<Unit>([&](const Ipam& i) { return AsPlanned(i.PlanSetTopology(spec)); }).status();
}

absl::Status IpamStore::Reserve(const std::string& network, const net::Ipv4Cidr& cidr) {
  return Mutate<Unit>([&](const Ipam& i) { return AsPlanned(i.PlanReserve(network, cidr)); }).status();
}

absl::Status IpamStore::Unreserve(const std::string& network, const net::Ipv4Cidr& cidr) {
  return Mutate<Unit>([&](const Ipam& i) { return AsPlanned(i.PlanUnreserve(network, cidr)); }).status();
}

absl::StatusOr<HostRecord> IpamStore::AddHost(const AddHostRequest& request) {
  return Mutate<HostRecord>([&](const Ipam& i) { return i.PlanAddHost(request); });
}

absl::StatusOr<HostRecord> IpamStore::RemoveHost(const std::string& name) {
  return Mutate<HostRecord>([&](const Ipam& i) { return i.PlanRemoveHost(name); });
}

absl::StatusOr<HostRecord> IpamStore::SetHostLabels(const std::string& name, const Labels& labels) {
  return Mutate<HostRecord>([&](const Ipam& i) { return i.PlanSetHostLabels(name, labels); });
}

absl::StatusOr<AllocateResult> IpamStore::Allocate(const AllocateRequest& request) {
  return Mutate<AllocateResult>([&](const Ipam& i) { return i.PlanAllocate(request); });
}

absl::StatusOr<AddressRecord> IpamStore::Release(const std::string& name) {
  return Mutate<AddressRecord>([&](const Ipam& i) { return i.PlanRelease(name); });
}

absl::StatusOr<AddressRecord> IpamStore::ReleaseIp(net::Ipv4Address ip) {
  return Mutate<AddressRecord>([&](const Ipam& i) { return i.PlanReleaseIp(ip); });
}

}  // namespace romana::ipam
