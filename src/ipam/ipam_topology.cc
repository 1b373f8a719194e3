// Topology replacement (reference §4.9, fixed): accepted only when every host keeps its group
// and every block and address still fits; otherwise every conflict is listed.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ipam/errors.h"
#include "ipam/internal.h"
#include "ipam/ipam.h"

namespace romana::ipam {

namespace internal {
absl::Status ConflictError(const std::vector<std::string>& conflicts);
}  // namespace internal

namespace {

std::string GroupRef(const NetworkPlan& p, const std::string& path) {
  const GroupPlan* g = p.Find(path);
  std::string name = g != nullptr && !g->name.empty() ? absl::StrCat(" \"", g->name, "\"") : "";
  return absl::StrCat("group ", path, name, " of network \"", p.network.name, "\"");
}

}  // namespace

absl::StatusOr<Change> Ipam::PlanSetTopology(const TopologySpec& spec) const {
  absl::StatusOr<std::vector<NetworkPlan>> built = BuildPlans(spec);
  if (!built.ok()) return built.status();
  const std::vector<NetworkPlan>& plans = *built;
  auto find_plan = [&](const std::string& name) -> const NetworkPlan* {
    for (const NetworkPlan& p : plans) {
      if (p.network.name == name) return &p;
    }
    return nullptr;
  };
  std::vector<std::string> conflicts;

  // Hosts keep their group (same path) in every network that still exists.
  std::map<std::string, HostRecord> hosts;
  for (const auto& [name, old] : hosts_) {
    HostRecord h = old;
    h.groups.clear();
    h.is_static = false;
    for (const auto& [net, path] : old.groups) {
      const NetworkPlan* p = find_plan(net);
      if (p == nullptr) continue;  // network removed: blocks held there are reported below
      int gi = p->IndexOf(path);
      if (gi < 0) {
        conflicts.push_back(absl::StrCat("host \"", name, "\" is in group ", path, " of network \"", net,
                                         "\", which the new topology does not have"));
        continue;
      }
      std::string why = LeafRejection(*p, gi, old.labels);
      if (!why.empty() && !old.is_static) {
        conflicts.push_back(absl::StrCat("host \"", name, "\" no longer fits its group: ", why));
        continue;
      }
      if (!p->groups[gi].leaf || p->groups[gi].padding) {
        conflicts.push_back(absl::StrCat("host \"", name, "\" no longer fits its group: ", why));
        continue;
      }
      h.groups[net] = path;
    }
    hosts[name] = std::move(h);
  }
  // Static hosts listed in the new topology.
  std::map<uint32_t, std::string> ips;
  for (const auto& [name, h] : hosts) ips[h.ip.value()] = name;
  for (const NetworkPlan& p : plans) {
    for (const GroupPlan& g : p.groups) {
      for (const HostSpec& sh : g.static_hosts) {
        auto it = hosts.find(sh.name);
        if (it == hosts.end()) {
          if (auto ip = ips.find(sh.ip.value()); ip != ips.end()) {
            conflicts.push_back(absl::StrCat("static host \"", sh.name, "\" has IP ", sh.ip.ToString(),
                                             ", which belongs to host \"", ip->second, "\""));
            continue;
          }
          hosts[sh.name] = HostRecord{sh.name, sh.ip, {}, {{p.network.name, g.path}}, true};
          ips[sh.ip.value()] = sh.name;
          continue;
        }
        HostRecord& h = it->second;
        if (h.ip != sh.ip) {
          conflicts.push_back(absl::StrCat("static host \"", sh.name, "\" is listed with IP ", sh.ip.ToString(),
                                           " but exists with IP ", h.ip.ToString()));
          continue;
        }
        auto cur = hosts_.find(sh.name);
        auto old_group = cur->second.groups.find(p.network.name);
        if (old_group != cur->second.groups.end() && old_group->second != g.path) {
          conflicts.push_back(absl::StrCat("static host \"", sh.name, "\" is listed in ", GroupRef(p, g.path),
                                           " but is in group ", old_group->second));
          continue;
        }
        h.groups[p.network.name] = g.path;
        h.is_static = true;
      }
    }
  }
  // Hosts join networks they are not in yet (least-loaded eligible leaf, like AddHost).
  for (const NetworkPlan& p : plans) {
    std::vector<size_t> load(p.groups.size(), 0);
    for (const auto& [name, h] : hosts) {
      if (auto it = h.groups.find(p.network.name); it != h.groups.end()) {
        int gi = p.IndexOf(it->second);
        if (gi >= 0) ++load[gi];
      }
    }
    for (auto& [name, h] : hosts) {
      if (h.is_static || h.groups.contains(p.network.name)) continue;
      int best = -1;
      for (size_t gi = 0; gi < p.groups.size(); ++gi) {
        if (!LeafAccepts(p, gi, h.labels)) continue;
        if (best < 0 || load[gi] < load[best]) best = static_cast<int>(gi);
      }
      if (best >= 0) {
        h.groups[p.network.name] = p.groups[best].path;
        ++load[best];
      }
    }
  }
  // Blocks must still fit their group and the block size; empty ones that do not are dropped.
  std::vector<BlockRecord> blocks;
  for (const auto& [key, b] : blocks_) {
    const NetworkPlan* p = find_plan(b.network);
    const GroupPlan* g = p != nullptr ? p->Find(b.group) : nullptr;
    bool fits = g != nullptr && g->leaf && !g->padding && g->cidr.Contains(b.cidr) &&
                b.cidr.length() == p->block_mask();
    if (b.host.empty()) {
      if (fits) blocks.push_back(b);
      continue;
    }
    if (p == nullptr) {
      conflicts.push_back(absl::StrCat("block ", b.cidr.ToString(), " of host \"", b.host, "\" (", b.allocated(),
                                       " addresses) is in network \"", b.network, "\", which the new topology removes"));
      continue;
    }
    if (!fits) {
      conflicts.push_back(absl::StrCat(
          "block ", b.cidr.ToString(), " of host \"", b.host, "\" no longer fits ", GroupRef(*p, b.group),
          g == nullptr ? " (the group is gone)"
                       : absl::StrCat(" (group CIDR ", g->cidr.ToString(), ", block size /", p->block_mask(), ")")));
      continue;
    }
    blocks.push_back(b);
  }
  // Addresses must not become reserved, and their namespace must still be allowed.
  for (const auto& [name, a] : addresses_) {
    const NetworkPlan* p = find_plan(a.network);
    if (p == nullptr) continue;  // reported with its block
    for (const net::Ipv4Cidr& r : p->network.reserved) {
      if (r.Contains(a.ip)) {
        conflicts.push_back(absl::StrCat("address \"", name, "\" (", a.ip.ToString(), ") lies in reserved ",
                                         r.ToString(), " of network \"", a.network, "\""));
      }
    }
    const auto& t = p->network.tenants;
    if (!p->network.IsWildcard() && std::find(t.begin(), t.end(), a.namespace_name) == t.end()) {
      conflicts.push_back(absl::StrCat("address \"", name, "\" (", a.ip.ToString(), ") of namespace \"",
                                       a.namespace_name, "\" is in network \"", a.network,
                                       "\", which would no longer allow that namespace"));
    }
  }
  if (!conflicts.empty()) return internal::ConflictError(conflicts);

  std::vector<HostRecord> host_list;
  for (auto& [name, h] : hosts) host_list.push_back(std::move(h));
  std::vector<AddressRecord> addresses;
  for (const auto& [name, a] : addresses_) addresses.push_back(a);
  absl::StatusOr<Ipam> next = FromRecords(spec, std::move(host_list), std::move(blocks), std::move(addresses));
  if (!next.ok()) internal::Fatal(absl::StrCat("topology update built an inconsistent state: ", next.status().message()));
  Change c = DiffRecords(AllRecords(), next->AllRecords());
  if (!c.empty()) c.topology = spec;  // written whenever anything changes
  return c;
}

absl::Status Ipam::SetTopology(const TopologySpec& spec) {
  absl::StatusOr<Change> c = PlanSetTopology(spec);
  if (!c.ok()) return c.status();
  Apply(*c);
  return absl::OkStatus();
}

absl::StatusOr<Change> Ipam::PlanReserved(const std::string& network, std::vector<net::Ipv4Cidr> reserved) const {
  TopologySpec spec = *topology_;
  for (NetworkSpec& n : spec.networks) {
    if (n.name == network) n.reserved = std::move(reserved);
  }
  return PlanSetTopology(spec);
}

absl::StatusOr<Change> Ipam::PlanReserve(const std::string& network, const net::Ipv4Cidr& cidr) const {
  if (!topology_) return absl::FailedPreconditionError("no topology has been applied yet");
  int ni = NetworkIndex(network);
  if (ni < 0) return FieldError(absl::StatusCode::kNotFound, "network", absl::StrCat("unknown network \"", network, "\""));
  const NetworkSpec& n = plans_[ni].network;
  if (!n.cidr.Contains(cidr)) {
    return InvalidField("cidr", absl::StrCat(cidr.ToString(), " is not inside network \"", network, "\" (",
                                             n.cidr.ToString(), ")"));
  }
  if (cidr == n.cidr) return InvalidField("cidr", "cannot reserve the whole network");
  std::vector<net::Ipv4Cidr> reserved;
  for (const net::Ipv4Cidr& r : n.reserved) {
    if (r.Contains(cidr)) return Change();  // already covered: no-op
    if (!cidr.Contains(r)) reserved.push_back(r);  // narrower ones inside `cidr` are replaced
  }
  reserved.push_back(cidr);
  std::sort(reserved.begin(), reserved.end(),
            [](const net::Ipv4Cidr& a, const net::Ipv4Cidr& b) { return a.network() < b.network(); });
  return PlanReserved(network, std::move(reserved));
}

absl::StatusOr<Change> Ipam::PlanUnreserve(const std::string& network, const net::Ipv4Cidr& cidr) const {
  if (!topology_) return absl::FailedPreconditionError("no topology has been applied yet");
  int ni = NetworkIndex(network);
  if (ni < 0) return FieldError(absl::StatusCode::kNotFound, "network", absl::StrCat("unknown network \"", network, "\""));
  std::vector<net::Ipv4Cidr> reserved = plans_[ni].network.reserved;
  auto it = std::find(reserved.begin(), reserved.end(), cidr);
  if (it == reserved.end()) {
    return absl::NotFoundError(absl::StrCat(cidr.ToString(), " is not reserved in network \"", network,
                                            "\" (unreserve needs the exact CIDR)"));
  }
  reserved.erase(it);
  return PlanReserved(network, std::move(reserved));
}

}  // namespace romana::ipam
