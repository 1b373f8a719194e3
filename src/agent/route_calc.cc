#include "agent/route_calc.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "net/ipv4.h"

namespace romana::agent {

RouteCalcResult ComputeRoutes(const ClusterSnapshot& cluster, const NodeView& node) {
  RouteCalcResult result;
  std::vector<net::Ipv4Cidr> subnets;
  for (const std::string& s : node.connected_subnets) {
    absl::StatusOr<net::Ipv4Cidr> c = net::ParseCidrOrAddress(s);
    if (!c.ok()) {
      result.errors.push_back(absl::StrCat("connected subnet ", s, ": ", c.status().message()));
      continue;
    }
    subnets.push_back(*c);
  }
  // Adjacent remote hosts: name -> IP.
  std::map<std::string, std::optional<net::Ipv4Address>> hosts;
  for (const HostInfo& h : cluster.hosts) {
    if (h.name == node.name) continue;
    absl::StatusOr<net::Ipv4Address> ip = net::Ipv4Address::Parse(h.ip);
    if (!ip.ok()) {
      result.errors.push_back(absl::StrCat("host ", h.name, " ip ", h.ip, ": ", ip.status().message()));
      continue;
    }
    bool adjacent = false;
    for (const net::Ipv4Cidr& s : subnets) adjacent |= s.length() < 32 && s.Contains(*ip);
    hosts[h.name] = adjacent ? std::optional(*ip) : std::nullopt;
  }
  std::map<std::string, std::vector<net::Ipv4Cidr>> blocks_by_host;
  std::vector<net::Ipv4Cidr> own_blocks;
  for (const BlockInfo& b : cluster.blocks) {
    if (b.host.empty()) continue;
    const bool own = b.host == node.name;
    auto h = hosts.find(b.host);
    if (!own && h == hosts.end()) continue;  // unknown host: wait for it to appear
    if (!own && !h->second.has_value()) {
      ++result.skipped_non_adjacent_blocks;
      continue;
    }
    absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(b.cidr);
    if (!c.ok()) {
      result.errors.push_back(absl::StrCat("block ", b.cidr, ": ", c.status().message()));
      continue;
    }
    (own ? own_blocks : blocks_by_host[b.host]).push_back(*c);
  }
  auto add = [&](Route r) { result.routes[r.Key()] = std::move(r); };
  for (auto& [host, blocks] : blocks_by_host) {
    const std::string gw = hosts[host]->ToString();
    for (const net::Ipv4Cidr& c : net::Summarize(std::move(blocks))) add(Route::Via(c.ToString(), gw));
  }
  for (const net::Ipv4Cidr& c : net::Summarize(std::move(own_blocks))) add(Route::Unreachable(c.ToString()));
  for (const GroupInfo& g : cluster.groups) {
    if (!g.leaf || std::find(g.hosts.begin(), g.hosts.end(), node.name) == g.hosts.end()) continue;
    const bool all_adjacent = std::all_of(g.hosts.begin(), g.hosts.end(), [&](const std::string& name) {
      if (name == node.name) return true;
      auto h = hosts.find(name);
      return h != hosts.end() && h->second.has_value();
    });
    if (!all_adjacent) continue;
    absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(g.cidr);
    if (!c.ok()) {
      result.errors.push_back(absl::StrCat("group ", g.cidr, ": ", c.status().message()));
      continue;
    }
    add(Route::Unreachable(c->ToString()));
  }
  return result;
}

}  // namespace romana::agent
