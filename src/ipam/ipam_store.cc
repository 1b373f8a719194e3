#include "ipam/ipam_store.h"

#include "absl/strings/str_cat.h"

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
  return s;
}

absl::Status IpamStore::Reload() {
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

absl::StatusOr<bool> IpamStore::Write(const Change& change) {
  store::Txn txn;
  txn.compares.push_back(fence_revision_ == 0 ? store::Compare::Absent(keys_.Fence())
                                              : store::Compare::ModRevisionEquals(keys_.Fence(), fence_revision_));
  size_t own_compares = txn.compares.size();
  if (options_.fence) {
    for (store::Compare& c : options_.fence()) txn.compares.push_back(std::move(c));
  }
  txn.success = ChangeToOps(change, keys_);
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

template <typename T>
absl::StatusOr<T> IpamStore::Mutate(const std::function<absl::StatusOr<Planned<T>>(const Ipam&)>& plan) {
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts); ++attempt) {
    if (stale_ || attempt > 0) {
      if (absl::Status s = Reload(); !s.ok()) return s;
    }
    absl::StatusOr<Planned<T>> p = plan(ipam_);
    if (!p.ok()) return p.status();
    if (p->change.empty()) return p->result;  // nothing to write (idempotent repeat)
    absl::StatusOr<bool> written = Write(p->change);
    if (!written.ok()) return written.status();
    if (*written) {
      ipam_.Apply(p->change);
      return p->result;
    }
  }
  return absl::AbortedError(absl::StrCat("the IPAM state kept changing under another writer (", options_.max_attempts,
                                         " attempts); retry"));
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
