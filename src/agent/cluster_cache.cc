#include "agent/cluster_cache.h"

#include "absl/strings/str_cat.h"

namespace romana::agent {
namespace {
std::string BlockId(const api::Block& b) { return absl::StrCat(b.network, "|", b.cidr); }
std::string GroupId(const api::Group& g) { return absl::StrCat(g.network, "|", g.path); }
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
  groups_.clear();
  for (const api::Group& g : groups) groups_[GroupId(g)] = g;
  std::erase_if(key_to_id_, [](const auto& kv) { return kv.second.first == "group"; });
}

ClusterCache::EventResult ClusterCache::ApplyEvent(const api::WatchEvent& e) {
  if (e.kind != "host" && e.kind != "block" && e.kind != "network" && e.kind != "group") {
    return EventResult::kIgnored;
  }
  if (e.type == api::WatchEvent::Type::kPut) {
    if (e.kind == "host") {
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
    if (!e.prev_object.is_null()) {
      key_to_id_.erase(e.key);
      if (e.kind == "host") {
        absl::StatusOr<api::Host> h = api::ParseHost(e.prev_object);
        if (!h.ok()) return EventResult::kNeedRelist;
        return hosts_.erase(h->name) > 0 ? EventResult::kChanged : EventResult::kIgnored;
      }
      if (e.kind == "block") {
        absl::StatusOr<api::Block> b = api::ParseBlock(e.prev_object);
        if (!b.ok()) return EventResult::kNeedRelist;
        return blocks_.erase(BlockId(*b)) > 0 ? EventResult::kChanged : EventResult::kIgnored;
      }
      if (e.kind == "group") {
        absl::StatusOr<api::Group> g = api::ParseGroup(e.prev_object);
        if (!g.ok()) return EventResult::kNeedRelist;
        return groups_.erase(GroupId(*g)) > 0 ? EventResult::kChanged : EventResult::kIgnored;
      }
      absl::StatusOr<api::Network> n = api::ParseNetwork(e.prev_object);
      if (!n.ok()) return EventResult::kNeedRelist;
      return networks_.erase(n->name) > 0 ? EventResult::kChanged : EventResult::kIgnored;
    }
    auto it = key_to_id_.find(e.key);
    if (it == key_to_id_.end()) return EventResult::kNeedRelist;
    const auto [kind, id] = it->second;
    key_to_id_.erase(it);
    if (kind == "host") hosts_.erase(id);
    if (kind == "block") blocks_.erase(id);
    if (kind == "network") networks_.erase(id);
    if (kind == "group") groups_.erase(id);
    return EventResult::kChanged;
  }
  return EventResult::kIgnored;
}

ClusterSnapshot ClusterCache::Snapshot() const {
  ClusterSnapshot s;
  for (const auto& [name, h] : hosts_) s.hosts.push_back({h.name, h.ip});
  for (const auto& [id, b] : blocks_) s.blocks.push_back({b.cidr, b.host});
  for (const auto& [name, n] : networks_) s.network_cidrs.push_back(n.cidr);
  for (const auto& [id, g] : groups_) s.groups.push_back({g.cidr, g.leaf, g.hosts});
  return s;
}

}  // namespace romana::agent
