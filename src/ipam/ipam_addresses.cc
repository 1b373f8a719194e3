// Addresses: allocate (own blocks, then the group's reusable blocks, then a new block; lowest
// free address; idempotent per name) and release (by name or IP; emptied blocks become reusable).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ipam/errors.h"
#include "ipam/free_list.h"
#include "ipam/internal.h"
#include "ipam/ipam.h"

namespace romana::ipam {

using internal::Fatal;
using net::Ipv4Address;
using net::Ipv4Cidr;

namespace {

bool IsValidAddressName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127 && c != '/'; });
}

bool IsValidOwnerPart(const std::string& s) {
  return s.size() <= 253 && std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127 && c != ':'; });
}

FreeList FreeListOf(const BlockRecord& b) {
  absl::StatusOr<FreeList> fl = FreeList::FromRanges(b.cidr.range(), b.free);
  if (!fl.ok()) Fatal(fl.status().message());
  return *std::move(fl);
}

std::string GroupText(const GroupPlan& g, const std::string& network) {
  return absl::StrCat("group ", g.path, g.name.empty() ? "" : absl::StrCat(" \"", g.name, "\""), " (",
                      g.cidr.ToString(), ") of network \"", network, "\"");
}

}  // namespace

std::optional<BlockRecord> Ipam::NewBlock(int ni, int gi) const {
  const NetworkPlan& p = plans_[ni];
  const GroupPlan& g = p.groups[gi];
  const GroupState& gs = states_[ni].groups[gi];
  const int bm = p.block_mask();
  const uint64_t step = uint64_t{1} << (32 - bm);
  const uint64_t end = uint64_t{g.cidr.last().value()} + 1;
  auto it = gs.blocks.begin();
  uint64_t first = g.cidr.first().value();
  // Blocks are usually contiguous from the group's start (slots are taken lowest first and only
  // a topology update removes blocks): then the first free slot follows the last block, found
  // in O(1) instead of walking every block.
  if (!gs.blocks.empty() &&
      gs.blocks.rbegin()->network().value() == first + (gs.blocks.size() - 1) * step) {
    first += gs.blocks.size() * step;
    it = gs.blocks.end();
  }
  for (uint64_t s = first; s < end; s += step) {
    Ipv4Cidr c = Ipv4Cidr::Containing(Ipv4Address(static_cast<uint32_t>(s)), bm);
    if (it != gs.blocks.end() && *it == c) {
      ++it;
      continue;
    }
    // A slot that is reserved completely would be a block nobody can use: skip it.
    if (ReservedCount(c.range(), states_[ni].reserved) == c.size()) continue;
    return BlockRecord{p.network.name, c, g.path, "", "", {c.range()}};
  }
  return std::nullopt;
}

absl::StatusOr<Planned<AllocateResult>> Ipam::PlanAllocate(const AllocateRequest& req) const {
  if (!IsValidAddressName(req.name)) {
    return InvalidField("name", req.name.empty() ? "required"
                                                 : "address names are 1..253 printable characters without '/' or spaces");
  }
  if (req.host.empty()) return InvalidField("host", "required");
  const std::string ns = req.namespace_name.empty() ? "default" : req.namespace_name;
  const std::string seg = req.segment.empty() ? "default" : req.segment;
  if (!IsValidOwnerPart(ns)) return InvalidField("namespace", "must be printable, without ':' or spaces");
  if (!IsValidOwnerPart(seg)) return InvalidField("segment", "must be printable, without ':' or spaces");
  if (auto it = addresses_.find(req.name); it != addresses_.end()) {
    const AddressRecord& a = it->second;
    if (a.host == req.host) return Planned<AllocateResult>{{a, false}, {}};
    return FieldError(absl::StatusCode::kAlreadyExists, "name",
                      absl::StrCat("address name \"", req.name, "\" is already allocated to host \"", a.host,
                                   "\" (", a.ip.ToString(), ")"));
  }
  auto host = hosts_.find(req.host);
  if (host == hosts_.end()) return absl::NotFoundError(absl::StrCat("host \"", req.host, "\" not found"));
  const std::string owner = absl::StrCat(ns, ":", seg);

  // Networks in order: those that name the namespace, then the wildcard ones.
  std::vector<int> order;
  for (size_t i = 0; i < plans_.size(); ++i) {
    const auto& t = plans_[i].network.tenants;
    if (std::find(t.begin(), t.end(), ns) != t.end()) order.push_back(static_cast<int>(i));
  }
  for (size_t i = 0; i < plans_.size(); ++i) {
    if (plans_[i].network.IsWildcard() &&
        std::find(order.begin(), order.end(), static_cast<int>(i)) == order.end()) {
      order.push_back(static_cast<int>(i));
    }
  }
  if (order.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no network accepts namespace \"", ns, "\""));
  }
  std::vector<std::string> tried;
  for (int ni : order) {
    const NetworkPlan& p = plans_[ni];
    auto hg = host->second.groups.find(p.network.name);
    if (hg == host->second.groups.end()) continue;
    int gi = GroupIndex(ni, hg->second);
    if (gi < 0) Fatal("host in unknown group");
    const std::vector<net::Ipv4Range>& reserved = states_[ni].reserved;

    auto take = [&](BlockRecord b) -> std::optional<Planned<AllocateResult>> {
      FreeList fl = FreeListOf(b);
      std::optional<Ipv4Address> ip = fl.TakeLowest(reserved);
      if (!ip.has_value()) return std::nullopt;
      b.free = fl.ranges();
      b.host = req.host;
      b.owner = owner;
      AddressRecord a{req.name, *ip, req.host, p.network.name, b.cidr, ns, seg};
      Planned<AllocateResult> out{{a, true}, {}};
      out.change.put_blocks.push_back(std::move(b));
      out.change.put_addresses.push_back(std::move(a));
      return out;
    };
    // 1. The owner's own blocks on this host, lowest first.
    if (auto own = owner_blocks_.find({p.network.name, req.host, owner}); own != owner_blocks_.end()) {
      for (const Ipv4Cidr& c : own->second) {
        if (auto r = take(blocks_.at({p.network.name, c}))) return *std::move(r);
      }
    }
    // 2. Reusable (empty) blocks of the group, lowest first.
    for (const Ipv4Cidr& c : states_[ni].groups[gi].reusable) {
      if (auto r = take(blocks_.at({p.network.name, c}))) return *std::move(r);
    }
    // 3. A new block in the lowest unused slot of the group.
    if (std::optional<BlockRecord> b = NewBlock(ni, gi)) {
      if (auto r = take(*std::move(b))) return *std::move(r);
    }
    const GroupPlan& g = p.groups[gi];
    tried.push_back(absl::StrCat(GroupText(g, p.network.name), ": all ", g.BlockCapacity(p.block_mask()),
                                 " /", p.block_mask(), " blocks are in use and none has a free address"));
  }
  if (tried.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("host \"", req.host,
                                                      "\" is in no network that namespace \"", ns, "\" may use"));
  }
  return absl::ResourceExhaustedError(absl::StrCat("no free address for host \"", req.host, "\" (namespace \"", ns,
                                                   "\"): ", absl::StrJoin(tried, "; ")));
}

absl::StatusOr<AllocateResult> Ipam::Allocate(const AllocateRequest& request) {
  absl::StatusOr<Planned<AllocateResult>> p = PlanAllocate(request);
  if (!p.ok()) return p.status();
  Apply(p->change);
  return p->result;
}

absl::StatusOr<Planned<AddressRecord>> Ipam::PlanReleaseRecord(const AddressRecord& a) const {
  BlockRecord b = blocks_.at({a.network, a.block});
  FreeList fl = FreeListOf(b);
  if (!fl.Release(a.ip)) Fatal(absl::StrCat("address ", a.ip.ToString(), " already free in its block"));
  b.free = fl.ranges();
  if (fl.all_free()) {
    b.host.clear();
    b.owner.clear();
  }
  Planned<AddressRecord> out{a, {}};
  out.change.put_blocks.push_back(std::move(b));
  out.change.deleted_addresses.push_back(a.name);
  return out;
}

absl::StatusOr<Planned<AddressRecord>> Ipam::PlanRelease(const std::string& name) const {
  auto it = addresses_.find(name);
  if (it == addresses_.end()) return absl::NotFoundError(absl::StrCat("address \"", name, "\" not found"));
  return PlanReleaseRecord(it->second);
}

absl::StatusOr<Planned<AddressRecord>> Ipam::PlanReleaseIp(Ipv4Address ip) const {
  auto it = address_by_ip_.find(ip.value());
  if (it == address_by_ip_.end()) {
    return absl::NotFoundError(absl::StrCat("address ", ip.ToString(), " is not allocated"));
  }
  return PlanReleaseRecord(addresses_.at(it->second));
}

absl::StatusOr<AddressRecord> Ipam::Release(const std::string& name) {
  absl::StatusOr<Planned<AddressRecord>> p = PlanRelease(name);
  if (!p.ok()) return p.status();
  Apply(p->change);
  return p->result;
}

absl::StatusOr<AddressRecord> Ipam::ReleaseIp(Ipv4Address ip) {
  absl::StatusOr<Planned<AddressRecord>> p = PlanReleaseIp(ip);
  if (!p.ok()) return p.status();
  Apply(p->change);
  return p->result;
}

}  // namespace romana::ipam
