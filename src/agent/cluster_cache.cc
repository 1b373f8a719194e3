#include "agent/cluster_cache.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "net/ipv4.h"
#include "policy/network_policy.h"

namespace romana::agent {
namespace {
std::string BlockId(const api::Block& b) { return absl::StrCat(b.network, "|", b.cidr); }
std::string EndpointId(const api::Endpoint& e) { return absl::StrCat(e.namespace_name, "/", e.name); }
std::string GroupId(const api::Group& g) { return absl::StrCat(g.network, "|", g.path); }
std::string NetworkPolicyId(const policy::NetworkPolicy& p) { return absl::StrCat(p.namespace_name, "/", p.name); }
std::string VipId(const api::Vip& v) { return absl::StrCat(v.namespace_name, "/", v.name); }

// The identity (as the cache keys it) of a deleted object of `kind`, from the DELETE event's
// prev_object; nullopt when it does not decode.
std::optional<std::string> DeletedId(const std::string& kind, const nlohmann::json& prev) {
  auto id = [](auto parsed, auto fn) -> std::optional<std::string> {
    if (!parsed.ok()) return std::nullopt;
    return fn(*parsed);
  };
  if (kind == "host") return id(api::ParseHost(prev), [](const api::Host& h) { return h.name; });
  if (kind == "block") return id(api::ParseBlock(prev), BlockId);
  if (kind == "network") return id(api::ParseNetwork(prev), [](const api::Network& n) { return n.name; });
  if (kind == "group") return id(api::ParseGroup(prev), GroupId);
  if (kind == "namespace") return id(api::ParseNamespace(prev), [](const api::Namespace& n) { return n.name; });
  if (kind == "endpoint") return id(api::ParseEndpoint(prev), EndpointId);
  if (kind == "policy") return id(api::ParsePolicy(prev), [](const policy::Policy& p) { return p.id; });
  if (kind == "networkpolicy") return id(policy::ParseNetworkPolicy(prev), NetworkPolicyId);
  if (kind == "vip") return id(api::ParseVip(prev), VipId);
  return std::nullopt;
}

template <typename T, typename IdFn>
void Replace(std::map<std::string, T>& into, const std::vector<T>& items, IdFn id,
             std::map<std::string, std::pair<std::string, std::string>>& key_to_id, const char* kind) {
  into.clear();
  for (const T& x : items) into[id(x)] = x;
  std::erase_if(key_to_id, [&](const auto& kv) { return kv.second.first == kind; });
}
}  // namespace

void ClusterCache::ReplaceHosts(const std::vector<api::Host>& hosts) {
  hosts_.clear();
  for (const api::Host& h : hosts) hosts_[h.name] = h;
  std::erase_if(key_to_id_, [](const auto& kv) { return kv.second.first == "host"; });
}

void ClusterCache::ReplaceBlocks(const std::vector<api::Block>& blocks) {
  blocks_.clear();
  for (const api::Block& b : blocks) blocks_[BlockId(b)] = b;
  std::erase_if(key_to_id_, [](const auto& kv) { return kv.second.first == "block"; });
}

void ClusterCache::ReplaceNetworks(const std::vector<api::Network>& networks) {
  networks_.clear();
  for (const api::Network& n : networks) networks_[n.name] = n;
  std::erase_if(key_to_id_, [](const auto& kv) { return kv.second.first == "network"; });
}

void ClusterCache::ReplaceGroups(const std::vector<api::Group>& groups) {
  Replace(groups_, groups, GroupId, key_to_id_, "group");
}

void ClusterCache::ReplaceNamespaces(const std::vector<api::Namespace>& namespaces) {
  Replace(namespaces_, namespaces, [](const api::Namespace& n) { return n.name; }, key_to_id_, "namespace");
}

void ClusterCache::ReplaceEndpoints(const std::vector<api::Endpoint>& endpoints) {
  Replace(endpoints_, endpoints, EndpointId, key_to_id_, "endpoint");
}

void ClusterCache::ReplaceVips(const std::vector<api::Vip>& vips) {
  Replace(vips_, vips, VipId, key_to_id_, "vip");
}

void ClusterCache::ReplacePolicies(const std::vector<policy::Policy>& policies) {
  Replace(policies_, policies, [](const policy::Policy& p) { return p.id; }, key_to_id_, "policy");
  std::erase_if(bad_policies_, [](const auto& kv) { return kv.first.find("networkpolic") == std::string::npos; });
}

void ClusterCache::ReplaceNetworkPolicies(const std::vector<nlohmann::json>& network_policies) {
  network_policies_.clear();
  std::erase_if(key_to_id_, [](const auto& kv) { return kv.second.first == "networkpolicy"; });
  std::erase_if(bad_policies_, [](const auto& kv) { return kv.first.find("networkpolic") != std::string::npos; });
  for (size_t i = 0; i < network_policies.size(); ++i) {
    absl::StatusOr<policy::NetworkPolicy> np = policy::ParseNetworkPolicy(network_policies[i]);
    if (!np.ok()) {
      bad_policies_[absl::StrCat("networkpolicies list item ", i)] = std::string(np.status().message());
      continue;
    }
    network_policies_[NetworkPolicyId(*np)] = *std::move(np);
  }
}

ClusterCache::EventResult ClusterCache::ApplyEvent(const api::WatchEvent& e) {
  static constexpr const char* kKinds[] = {"host",     "block",  "network",      "group", "namespace",
                                           "endpoint", "policy", "networkpolicy", "vip"};
  if (std::find(std::begin(kKinds), std::end(kKinds), e.kind) == std::end(kKinds)) return EventResult::kIgnored;
  if (e.type == api::WatchEvent::Type::kPut && e.kind == "policy") {
    absl::StatusOr<policy::Policy> p = api::ParsePolicy(e.object);
    if (!p.ok()) {
      // Remove what this key held before; report the record instead of re-listing forever.
      if (auto it = key_to_id_.find(e.key); it != key_to_id_.end()) policies_.erase(it->second.second);
      key_to_id_.erase(e.key);
      bad_policies_[e.key] = std::string(p.status().message());
      return EventResult::kChanged;
    }
    bad_policies_.erase(e.key);
    key_to_id_[e.key] = {"policy", p->id};
    policies_[p->id] = *std::move(p);
    return EventResult::kChanged;
  }
  if (e.type == api::WatchEvent::Type::kPut && e.kind == "networkpolicy") {
    absl::StatusOr<policy::NetworkPolicy> np = policy::ParseNetworkPolicy(e.object);
    if (!np.ok()) {
      if (auto it = key_to_id_.find(e.key); it != key_to_id_.end()) network_policies_.erase(it->second.second);
      // Known only from a list (no key yet): the object's own metadata names what it replaces.
      const nlohmann::json& md = e.object.is_object() ? e.object.value("metadata", nlohmann::json()) : nlohmann::json();
      if (md.is_object() && md.value("namespace", nlohmann::json()).is_string() && md.value("name", nlohmann::json()).is_string()) {
        network_policies_.erase(absl::StrCat(md["namespace"].get<std::string>(), "/", md["name"].get<std::string>()));
      }
      key_to_id_.erase(e.key);
      bad_policies_[e.key] = std::string(np.status().message());
      return EventResult::kChanged;
    }
    bad_policies_.erase(e.key);
    key_to_id_[e.key] = {"networkpolicy", NetworkPolicyId(*np)};
    network_policies_[NetworkPolicyId(*np)] = *std::move(np);
    return EventResult::kChanged;
  }
  if (e.type == api::WatchEvent::Type::kPut) {
    if (e.kind == "namespace") {
      absl::StatusOr<api::Namespace> n = api::ParseNamespace(e.object);
      if (!n.ok()) return EventResult::kNeedRelist;
      key_to_id_[e.key] = {"namespace", n->name};
      namespaces_[n->name] = *std::move(n);
    } else if (e.kind == "endpoint") {
      absl::StatusOr<api::Endpoint> ep = api::ParseEndpoint(e.object);
      if (!ep.ok()) return EventResult::kNeedRelist;
      key_to_id_[e.key] = {"endpoint", EndpointId(*ep)};
      endpoints_[EndpointId(*ep)] = *std::move(ep);
    } else if (e.kind == "vip") {
      absl::StatusOr<api::Vip> v = api::ParseVip(e.object);
      if (!v.ok()) return EventResult::kNeedRelist;
      key_to_id_[e.key] = {"vip", VipId(*v)};
      vips_[VipId(*v)] = *std::move(v);
    } else if (e.kind == "host") {
      absl::StatusOr<api::Host> h = api::ParseHost(e.object);
      if (!h.ok()) return EventResult::kNeedRelist;
      key_to_id_[e.key] = {"host", h->name};
      hosts_[h->name] = *h;
    } else if (e.kind == "block") {
      absl::StatusOr<api::Block> b = api::ParseBlock(e.object);
      if (!b.ok()) return EventResult::kNeedRelist;
      key_to_id_[e.key] = {"block", BlockId(*b)};
      blocks_[BlockId(*b)] = *b;
    } else if (e.kind == "group") {
      absl::StatusOr<api::Group> g = api::ParseGroup(e.object);
      if (!g.ok()) return EventResult::kNeedRelist;
      key_to_id_[e.key] = {"group", GroupId(*g)};
      groups_[GroupId(*g)] = *g;
    } else {
      absl::StatusOr<api::Network> n = api::ParseNetwork(e.object);
      if (!n.ok()) return EventResult::kNeedRelist;
      key_to_id_[e.key] = {"network", n->name};
      networks_[n->name] = *n;
    }
    return EventResult::kChanged;
  }
  if (e.type == api::WatchEvent::Type::kDelete) {
    if (bad_policies_.erase(e.key) > 0) return EventResult::kChanged;
    std::string kind, id;
    if (auto it = key_to_id_.find(e.key); it != key_to_id_.end()) {
      std::tie(kind, id) = it->second;
      key_to_id_.erase(it);
    } else if (std::optional<std::string> deleted = DeletedId(e.kind, e.prev_object); deleted.has_value()) {
      kind = e.kind;  // known only from a list: the deleted object names itself
      id = *deleted;
    } else {
      return EventResult::kNeedRelist;
    }
    size_t erased = 0;
    if (kind == "host") erased = hosts_.erase(id);
    if (kind == "block") erased = blocks_.erase(id);
    if (kind == "network") erased = networks_.erase(id);
    if (kind == "group") erased = groups_.erase(id);
    if (kind == "namespace") erased = namespaces_.erase(id);
    if (kind == "endpoint") erased = endpoints_.erase(id);
    if (kind == "policy") erased = policies_.erase(id);
    if (kind == "networkpolicy") erased = network_policies_.erase(id);
    if (kind == "vip") erased = vips_.erase(id);
    return erased > 0 ? EventResult::kChanged : EventResult::kIgnored;
  }
  return EventResult::kIgnored;
}

ClusterSnapshot ClusterCache::Snapshot() const {
  ClusterSnapshot s;
  // Group membership comes from the host records (api::HostsByGroup); hosts_ is sorted by name.
  api::GroupHosts members;
  for (const auto& [name, h] : hosts_) {
    s.hosts.push_back({h.name, h.ip});
    for (const auto& [network, path] : h.groups) members[{network, path}].push_back(h.name);
  }
  for (const auto& [id, b] : blocks_) s.blocks.push_back({b.cidr, b.host});
  for (const auto& [name, n] : networks_) s.network_cidrs.push_back(n.cidr);
  for (const auto& [id, g] : groups_) {
    auto m = members.find({g.network, g.path});
    s.groups.push_back({g.cidr, g.leaf, m != members.end() ? std::move(m->second) : std::vector<std::string>{}});
  }
  return s;
}

ClusterCache::PolicyInputs ClusterCache::PolicyInputsSnapshot() const {
  PolicyInputs in;
  for (const auto& [name, n] : namespaces_) in.cluster.namespaces.push_back({n.name, n.labels, n.isolated});
  std::map<uint32_t, std::string> seen;  // ip -> endpoint id: an address names one pod
  for (const auto& [id, e] : endpoints_) {
    absl::StatusOr<net::Ipv4Address> ip = net::Ipv4Address::Parse(e.ip);
    if (!ip.ok() || ip->value() == 0) {
      if (!e.ip.empty()) in.errors.push_back(absl::StrCat("endpoint ", id, ": ip '", e.ip, "' is not usable"));
      continue;
    }
    auto [it, fresh] = seen.emplace(ip->value(), id);
    if (!fresh) {
      in.errors.push_back(absl::StrCat("endpoint ", id, ": ip ", e.ip, " is also endpoint ", it->second, "'s"));
      continue;
    }
    policy::Pod pod{.namespace_name = e.namespace_name, .name = e.name, .ip = ip->value(), .node = e.node,
                    .labels = e.labels};
    for (const api::EndpointPort& port : e.ports) {
      if (port.name.empty()) continue;  // only named ports matter to policy
      policy::Protocol proto = port.protocol == "UDP" ? policy::Protocol::kUdp
                               : port.protocol == "SCTP" ? policy::Protocol::kSctp : policy::Protocol::kTcp;
      pod.ports.push_back({port.name, proto, static_cast<uint16_t>(port.port)});
    }
    in.cluster.pods.push_back(std::move(pod));
  }
  for (const auto& [id, p] : policies_) in.policies.romana_policies.push_back(p);
  for (const auto& [id, p] : network_policies_) in.policies.network_policies.push_back(p);
  for (const auto& [key, message] : bad_policies_) {
    in.errors.push_back(absl::StrCat("policy at ", key, ": ", message));
  }
  return in;
}

}  // namespace romana::agent
