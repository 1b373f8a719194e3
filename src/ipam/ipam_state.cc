// The state half of Ipam: indexes, Apply, reads, loading and consistency checks.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ipam/free_list.h"
#include "ipam/internal.h"
#include "ipam/ipam.h"

namespace romana::ipam {

using internal::Fatal;
using net::Ipv4Address;
using net::Ipv4Cidr;

namespace {
constexpr char kConflictsPayloadUrl[] = "type.romana.io/conflicts";
}  // namespace

std::vector<std::string> ErrorConflicts(const absl::Status& status) {
  absl::optional<absl::Cord> c = status.GetPayload(kConflictsPayloadUrl);
  if (!c.has_value()) return {};
  return absl::StrSplit(std::string(*c), '\n', absl::SkipEmpty());
}

namespace internal {
absl::Status ConflictError(const std::vector<std::string>& conflicts) {
  std::vector<std::string> shown(conflicts.begin(), conflicts.begin() + std::min<size_t>(conflicts.size(), 10));
  std::string msg = absl::StrCat("the topology change conflicts with existing state (", conflicts.size(),
                                 " conflict", conflicts.size() == 1 ? "" : "s", "): ", absl::StrJoin(shown, "; "));
  if (conflicts.size() > shown.size()) absl::StrAppend(&msg, "; ...");
  absl::Status s = absl::FailedPreconditionError(msg);
  s.SetPayload(kConflictsPayloadUrl, absl::Cord(absl::StrJoin(conflicts, "\n")));
  return s;
}
}  // namespace internal

int Ipam::NetworkIndex(const std::string& name) const {
  for (size_t i = 0; i < plans_.size(); ++i) {
    if (plans_[i].network.name == name) return static_cast<int>(i);
  }
  return -1;
}

int Ipam::GroupIndex(int network, const std::string& path) const {
  if (network < 0) return -1;
  auto it = states_[network].by_path.find(path);
  return it == states_[network].by_path.end() ? -1 : it->second;
}

void Ipam::SetPlans(std::optional<TopologySpec> topology, std::vector<NetworkPlan> plans) {
  topology_ = std::move(topology);
  plans_ = std::move(plans);
  states_.clear();
  for (const NetworkPlan& p : plans_) {
    NetworkState st;
    st.groups.resize(p.groups.size());
    for (size_t i = 0; i < p.groups.size(); ++i) st.by_path[p.groups[i].path] = static_cast<int>(i);
    std::vector<net::Ipv4Range> r;
    for (const Ipv4Cidr& c : p.network.reserved) r.push_back(c.range());
    st.reserved = net::MergeRanges(std::move(r));
    states_.push_back(std::move(st));
  }
}

void Ipam::IndexHost(const HostRecord& h, bool add) {
  if (add) host_by_ip_[h.ip.value()] = h.name; else host_by_ip_.erase(h.ip.value());
  for (const auto& [net, path] : h.groups) {
    int ni = NetworkIndex(net);
    int gi = GroupIndex(ni, path);
    if (gi < 0) continue;  // reported by CheckConsistency when loading
    if (add) states_[ni].groups[gi].hosts.insert(h.name); else states_[ni].groups[gi].hosts.erase(h.name);
  }
}

void Ipam::IndexBlock(const BlockRecord& b, bool add) {
  int ni = NetworkIndex(b.network);
  int gi = GroupIndex(ni, b.group);
  if (gi >= 0) {
    GroupState& g = states_[ni].groups[gi];
    if (add) g.blocks.insert(b.cidr); else g.blocks.erase(b.cidr);
    if (b.host.empty()) {
      if (add) g.reusable.insert(b.cidr); else g.reusable.erase(b.cidr);
    }
  }
  if (b.host.empty()) return;
  OwnerKey ok{b.network, b.host, b.owner};
  BlockKey bk{b.network, b.cidr};
  if (add) {
    owner_blocks_[ok].insert(b.cidr);
    host_blocks_[b.host].insert(bk);
  } else {
    if (auto it = owner_blocks_.find(ok); it != owner_blocks_.end()) {
      it->second.erase(b.cidr);
      if (it->second.empty()) owner_blocks_.erase(it);
    }
    if (auto it = host_blocks_.find(b.host); it != host_blocks_.end()) {
      it->second.erase(bk);
      if (it->second.empty()) host_blocks_.erase(it);
    }
  }
}

void Ipam::IndexAddress(const AddressRecord& a, bool add) {
  if (add) {
    address_by_ip_[a.ip.value()] = a.name;
    host_addresses_[a.host].insert(a.name);
  } else {
    address_by_ip_.erase(a.ip.value());
    if (auto it = host_addresses_.find(a.host); it != host_addresses_.end()) {
      it->second.erase(a.name);
      if (it->second.empty()) host_addresses_.erase(it);
    }
  }
}

void Ipam::RebuildIndexes() {
  for (NetworkState& st : states_) {
    for (GroupState& g : st.groups) g = GroupState();
  }
  host_by_ip_.clear();
  owner_blocks_.clear();
  host_blocks_.clear();
  address_by_ip_.clear();
  host_addresses_.clear();
  for (const auto& [name, h] : hosts_) IndexHost(h, true);
  for (const auto& [key, b] : blocks_) IndexBlock(b, true);
  for (const auto& [name, a] : addresses_) IndexAddress(a, true);
}

void Ipam::Apply(const Change& change) {
  if (change.topology.has_value()) {
    absl::StatusOr<std::vector<NetworkPlan>> plans = BuildPlans(*change.topology);
    if (!plans.ok()) Fatal(absl::StrCat("Apply of an invalid topology: ", plans.status().ToString()));
    SetPlans(change.topology, *std::move(plans));
  }
  for (const std::string& name : change.deleted_addresses) {
    auto it = addresses_.find(name);
    if (it == addresses_.end()) Fatal(absl::StrCat("Apply deletes unknown address ", name));
    IndexAddress(it->second, false);
    addresses_.erase(it);
  }
  for (const auto& key : change.deleted_blocks) {
    auto it = blocks_.find(key);
    if (it == blocks_.end()) Fatal(absl::StrCat("Apply deletes unknown block ", key.second.ToString()));
    IndexBlock(it->second, false);
    blocks_.erase(it);
  }
  for (const std::string& name : change.deleted_hosts) {
    auto it = hosts_.find(name);
    if (it == hosts_.end()) Fatal(absl::StrCat("Apply deletes unknown host ", name));
    IndexHost(it->second, false);
    hosts_.erase(it);
  }
  for (const HostRecord& h : change.put_hosts) {
    if (auto it = hosts_.find(h.name); it != hosts_.end()) IndexHost(it->second, false);
    hosts_[h.name] = h;
    IndexHost(h, true);
  }
  for (const BlockRecord& b : change.put_blocks) {
    BlockKey key{b.network, b.cidr};
    if (auto it = blocks_.find(key); it != blocks_.end()) IndexBlock(it->second, false);
    blocks_[key] = b;
    IndexBlock(b, true);
  }
  for (const AddressRecord& a : change.put_addresses) {
    if (auto it = addresses_.find(a.name); it != addresses_.end()) IndexAddress(it->second, false);
    addresses_[a.name] = a;
    IndexAddress(a, true);
  }
  if (change.topology.has_value()) RebuildIndexes();
  // Network and group records are derived from the topology and the hosts: nothing to apply.
}

GroupRecord Ipam::MakeGroupRecord(int network, int group) const {
  const NetworkPlan& p = plans_[network];
  const GroupPlan& g = p.groups[group];
  GroupRecord r;
  r.network = p.network.name;
  r.path = g.path;
  r.name = g.name;
  r.cidr = g.cidr;
  r.assignment = g.assignment;
  r.routing = g.routing;
  r.leaf = g.leaf;
  r.padding = g.padding;
  return r;
}

std::vector<NetworkRecord> Ipam::Networks() const {
  std::vector<NetworkRecord> out;
  for (const NetworkPlan& p : plans_) {
    out.push_back({p.network.name, p.network.cidr, p.block_mask(), p.network.tenants, p.network.reserved});
  }
  return out;
}

std::optional<NetworkRecord> Ipam::GetNetwork(const std::string& name) const {
  for (NetworkRecord& r : Networks()) {
    if (r.name == name) return r;
  }
  return std::nullopt;
}

std::vector<GroupRecord> Ipam::Groups() const {
  std::vector<GroupRecord> out;
  for (size_t n = 0; n < plans_.size(); ++n) {
    for (size_t g = 0; g < plans_[n].groups.size(); ++g) out.push_back(MakeGroupRecord(n, g));
  }
  return out;
}

std::optional<GroupRecord> Ipam::GetGroup(const std::string& network, const std::string& path) const {
  int ni = NetworkIndex(network);
  int gi = GroupIndex(ni, path);
  if (gi < 0) return std::nullopt;
  return MakeGroupRecord(ni, gi);
}

std::vector<std::string> Ipam::GroupHosts(const std::string& network, const std::string& path) const {
  int ni = NetworkIndex(network);
  int gi = GroupIndex(ni, path);
  if (gi < 0) return {};
  const std::set<std::string>& hosts = states_[ni].groups[gi].hosts;
  return {hosts.begin(), hosts.end()};
}

std::vector<HostRecord> Ipam::Hosts() const {
  std::vector<HostRecord> out;
  for (const auto& [name, h] : hosts_) out.push_back(h);
  return out;
}

std::optional<HostRecord> Ipam::GetHost(const std::string& name) const {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return std::nullopt;
  return it->second;
}

std::vector<BlockRecord> Ipam::Blocks(const std::string& network, const std::string& host) const {
  std::vector<BlockRecord> out;
  for (const auto& [key, b] : blocks_) {
    if (!network.empty() && b.network != network) continue;
    if (!host.empty() && b.host != host) continue;
    out.push_back(b);
  }
  return out;
}

std::vector<AddressRecord> Ipam::Addresses(const std::string& host) const {
  std::vector<AddressRecord> out;
  if (host.empty()) {
    for (const auto& [name, a] : addresses_) out.push_back(a);
    return out;
  }
  if (auto it = host_addresses_.find(host); it != host_addresses_.end()) {
    for (const std::string& name : it->second) out.push_back(addresses_.at(name));
  }
  return out;
}

std::optional<AddressRecord> Ipam::GetAddress(const std::string& name) const {
  auto it = addresses_.find(name);
  if (it == addresses_.end()) return std::nullopt;
  return it->second;
}

std::optional<AddressRecord> Ipam::GetAddressByIp(Ipv4Address ip) const {
  auto it = address_by_ip_.find(ip.value());
  if (it == address_by_ip_.end()) return std::nullopt;
  return addresses_.at(it->second);
}

absl::StatusOr<Usage> Ipam::GetUsage(const std::string& network, const std::string& path) const {
  int ni = NetworkIndex(network);
  if (ni < 0) return absl::NotFoundError(absl::StrCat("unknown network \"", network, "\""));
  const NetworkPlan& p = plans_[ni];
  const NetworkState& st = states_[ni];
  std::vector<int> leaves;
  if (path.empty()) {
    for (size_t i = 0; i < p.groups.size(); ++i) {
      if (p.groups[i].leaf) leaves.push_back(static_cast<int>(i));
    }
  } else {
    int gi = GroupIndex(ni, path);
    if (gi < 0) return absl::NotFoundError(absl::StrCat("network \"", network, "\" has no group ", path));
    if (!p.groups[gi].leaf) return absl::InvalidArgumentError(absl::StrCat("group ", path, " is not a leaf"));
    leaves.push_back(gi);
  }
  Usage u;
  for (int gi : leaves) {
    const GroupPlan& g = p.groups[gi];
    if (g.padding) continue;
    uint64_t reserved_in_group = ReservedCount(g.cidr.range(), st.reserved);
    u.capacity += g.cidr.size() - reserved_in_group;
    uint64_t block_space = 0, reserved_in_blocks = 0;
    for (const Ipv4Cidr& c : st.groups[gi].blocks) {
      const BlockRecord& b = blocks_.at({network, c});
      absl::StatusOr<FreeList> fl = FreeList::FromRanges(c.range(), b.free);
      if (!fl.ok()) Fatal(fl.status().message());
      u.allocatable += fl->AllocatableCount(st.reserved);
      block_space += c.size();
      reserved_in_blocks += ReservedCount(c.range(), st.reserved);
      ++u.blocks;
    }
    u.allocatable += (g.cidr.size() - block_space) - (reserved_in_group - reserved_in_blocks);
    // Allocated addresses are counted from the address records, independently of free lists.
    for (const auto& [name, a] : addresses_) {
      if (a.network == network && g.cidr.Contains(a.ip)) ++u.allocated;
    }
  }
  return u;
}

Change Ipam::AllRecords() const {
  Change c;
  c.topology = topology_;
  c.put_networks = Networks();
  c.put_groups = Groups();
  c.put_hosts = Hosts();
  for (const auto& [key, b] : blocks_) c.put_blocks.push_back(b);
  for (const auto& [name, a] : addresses_) c.put_addresses.push_back(a);
  return c;
}

absl::StatusOr<Ipam> Ipam::FromRecords(std::optional<TopologySpec> topology, std::vector<HostRecord> hosts,
                                       std::vector<BlockRecord> blocks, std::vector<AddressRecord> addresses) {
  Ipam ipam;
  if (topology.has_value()) {
    absl::StatusOr<std::vector<NetworkPlan>> plans = BuildPlans(*topology);
    if (!plans.ok()) return absl::DataLossError(absl::StrCat("stored topology is invalid: ", plans.status().message()));
    ipam.SetPlans(std::move(topology), *std::move(plans));
  }
  for (HostRecord& h : hosts) {
    std::string name = h.name;
    if (!ipam.hosts_.emplace(name, std::move(h)).second) {
      return absl::DataLossError(absl::StrCat("host \"", name, "\" stored twice"));
    }
  }
  for (BlockRecord& b : blocks) {
    BlockKey key{b.network, b.cidr};
    if (!ipam.blocks_.emplace(key, std::move(b)).second) {
      return absl::DataLossError(absl::StrCat("block ", key.second.ToString(), " stored twice"));
    }
  }
  for (AddressRecord& a : addresses) {
    std::string name = a.name;
    if (!ipam.addresses_.emplace(name, std::move(a)).second) {
      return absl::DataLossError(absl::StrCat("address \"", name, "\" stored twice"));
    }
  }
  ipam.RebuildIndexes();
  if (absl::Status s = ipam.CheckConsistency(); !s.ok()) return s;
  return ipam;
}

absl::Status Ipam::CheckConsistency() const {
  auto bad = [](auto&&... parts) { return absl::DataLossError(absl::StrCat("inconsistent IPAM state: ", parts...)); };
  if (!topology_.has_value() && !(hosts_.empty() && blocks_.empty() && addresses_.empty())) {
    return bad("hosts, blocks or addresses exist without a topology");
  }
  if (host_by_ip_.size() != hosts_.size()) return bad("two hosts share an IP");
  for (const auto& [name, h] : hosts_) {
    for (const auto& [net, path] : h.groups) {
      int ni = NetworkIndex(net);
      int gi = GroupIndex(ni, path);
      if (gi < 0) return bad("host \"", name, "\" is in unknown group ", net, " ", path);
      if (!plans_[ni].groups[gi].leaf || plans_[ni].groups[gi].padding) {
        return bad("host \"", name, "\" is in non-leaf or padding group ", net, " ", path);
      }
    }
  }
  std::map<BlockKey, uint64_t> counted;
  for (const auto& [key, b] : blocks_) {
    int ni = NetworkIndex(b.network);
    int gi = GroupIndex(ni, b.group);
    if (gi < 0) return bad("block ", b.cidr.ToString(), " is in unknown group ", b.network, " ", b.group);
    const GroupPlan& g = plans_[ni].groups[gi];
    if (!g.leaf || g.padding || !g.cidr.Contains(b.cidr) || b.cidr.length() != plans_[ni].block_mask()) {
      return bad("block ", b.cidr.ToString(), " does not fit group ", b.group, " (", g.cidr.ToString(), ")");
    }
    absl::StatusOr<FreeList> fl = FreeList::FromRanges(b.cidr.range(), b.free);
    if (!fl.ok()) return bad("block ", b.cidr.ToString(), ": ", fl.status().message());
    if (b.host.empty()) {
      if (!b.owner.empty() || !fl->all_free()) return bad("reusable block ", b.cidr.ToString(), " is not empty");
    } else {
      auto h = hosts_.find(b.host);
      if (h == hosts_.end()) return bad("block ", b.cidr.ToString(), " belongs to unknown host ", b.host);
      auto hg = h->second.groups.find(b.network);
      if (hg == h->second.groups.end() || hg->second != b.group) {
        return bad("block ", b.cidr.ToString(), " is not in the group of its host ", b.host);
      }
      if (b.owner.empty()) return bad("block ", b.cidr.ToString(), " has a host but no owner");
    }
    counted[key] = 0;
  }
  for (const auto& [name, a] : addresses_) {
    auto it = blocks_.find({a.network, a.block});
    if (it == blocks_.end()) return bad("address \"", name, "\" is in unknown block ", a.block.ToString());
    const BlockRecord& b = it->second;
    if (!b.cidr.Contains(a.ip) || b.host != a.host || b.owner != absl::StrCat(a.namespace_name, ":", a.segment)) {
      return bad("address \"", name, "\" does not match its block ", b.cidr.ToString());
    }
    absl::StatusOr<FreeList> fl = FreeList::FromRanges(b.cidr.range(), b.free);
    if (fl->IsFree(a.ip)) return bad("address \"", name, "\" (", a.ip.ToString(), ") is marked free");
    ++counted[{a.network, a.block}];
  }
  if (address_by_ip_.size() != addresses_.size()) return bad("two addresses share an IP");
  for (const auto& [key, n] : counted) {
    if (blocks_.at(key).allocated() != n) {
      return bad("block ", key.second.ToString(), " has ", blocks_.at(key).allocated(),
                 " addresses taken in its free list but ", n, " address records");
    }
  }
  return absl::OkStatus();
}

}  // namespace romana::ipam
