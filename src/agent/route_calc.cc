#include "agent/route_calc.h"

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
  for (const BlockInfo& b : cluster.blocks) {
    if (b.host.empty() || b.host == node.name) continue;
    auto h = hosts.find(b.host);
    if (h == hosts.end()) continue;  // unknown host: wait for it to appear
    if (!h->second.has_value()) {
      ++result.skipped_non_adjacent_blocks;
      continue;
    }
    absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(b.cidr);
    if (!c.ok()) {
      result.errors.push_back(absl::StrCat("block ", b.cidr, ": ", c.status().message()));
      continue;
    }
    blocks_by_host[b.host].push_back(*c);
  }
  for (auto& [host, blocks] : blocks_by_host) {
    const std::string gw = hosts[host]->ToString();
    for (const net::Ipv4Cidr& c : net::Summarize(std::move(blocks))) {
      Route r{c.ToString(), gw};
      result.routes[r.dst] = r;
    }
  }
  return result;
}

}  // namespace romana::agent
