#include "agent/netlink_route_programmer.h"

#include <set>

#include "net/ipv4.h"

namespace romana::agent {

absl::StatusOr<RouteMap> NetlinkRouteProgrammer::ListOwnedRoutes() {
  absl::StatusOr<std::vector<netlink::Route>> via = netlink_.ListRoutes(
      {.table = static_cast<int>(options_.table), .protocol = options_.protocol});
  if (!via.ok()) return via.status();
  absl::StatusOr<std::vector<netlink::Route>> unreachable = netlink_.ListRoutes(
      {.table = netlink::kMainTable, .protocol = options_.protocol, .type = netlink::kTypeUnreachable});
  if (!unreachable.ok()) return unreachable.status();
  RouteMap out;
  for (const netlink::Route& r : *via) {
    Route route = Route::Via(r.dst, r.gateway);
    out[route.Key()] = route;
  }
  for (const netlink::Route& r : *unreachable) {
    Route route = Route::Unreachable(r.dst);
    out[route.Key()] = route;
  }
  return out;
}

netlink::Route NetlinkRouteProgrammer::ToKernel(const Route& route) const {
  netlink::Route r;
  r.dst = route.dst;
  r.protocol = options_.protocol;
  // Both kinds are universe-scoped; naming the scope lets a delete be one netlink request.
  r.scope = netlink::kScopeUniverse;
  if (route.unreachable) {
    r.table = netlink::kMainTable;
    r.type = netlink::kTypeUnreachable;
  } else {
    r.table = static_cast<int>(options_.table);
    r.gateway = route.gateway;
  }
  return r;
}

absl::Status NetlinkRouteProgrammer::ApplyRoutes(std::span<const RouteOp> ops) {
  for (const RouteOp& op : ops) {
    netlink::Route r = ToKernel(op.route);
    if (op.kind == RouteOp::Kind::kDelete) {
      r.gateway.clear();  // whatever its next hop: the route is identified by table, dst, protocol
      absl::Status s = netlink_.DeleteRoute(r);
      if (!s.ok() && !absl::IsNotFound(s)) return s;
      continue;
    }
    // Replace for adds too: idempotent when the route is already there.
    if (absl::Status s = netlink_.ReplaceRoute(r); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Rule>> NetlinkRouteProgrammer::ListOwnedRules() {
  absl::StatusOr<std::vector<netlink::Rule>> rules = netlink_.ListRules();
  if (!rules.ok()) return rules.status();
  std::vector<Rule> out;
  for (const netlink::Rule& r : *rules) {
    if (r.protocol == options_.protocol) {
      out.push_back(Rule{static_cast<uint32_t>(r.priority), static_cast<uint32_t>(r.table)});
    }
  }
  return out;
}

absl::Status NetlinkRouteProgrammer::AddRule(const Rule& rule) {
  netlink::Rule r;
  r.priority = static_cast<int>(rule.priority);
  r.table = static_cast<int>(rule.table);
  r.protocol = options_.protocol;
  absl::Status s = netlink_.AddRule(r);
  return absl::IsAlreadyExists(s) ? absl::OkStatus() : s;
}

absl::Status NetlinkRouteProgrammer::DeleteRule(const Rule& rule) {
  netlink::Rule r;
  r.priority = static_cast<int>(rule.priority);
  r.table = static_cast<int>(rule.table);
  r.protocol = options_.protocol;
  absl::Status s = netlink_.DeleteRule(r);
  return absl::IsNotFound(s) ? absl::OkStatus() : s;
}

absl::StatusOr<std::vector<std::string>> ConnectedSubnets(netlink::Netlink& netlink) {
  absl::StatusOr<std::vector<netlink::Link>> links = netlink.ListLinks();
  if (!links.ok()) return links.status();
  std::set<std::string> up;
  for (const netlink::Link& l : *links) {
    if (l.up) up.insert(l.name);
  }
  absl::StatusOr<std::vector<netlink::Address>> addrs = netlink.ListAddresses("");
  if (!addrs.ok()) return addrs.status();
  std::set<std::string> subnets;
  for (const netlink::Address& a : *addrs) {
    if (a.scope != netlink::kScopeUniverse || !up.contains(a.dev)) continue;
    size_t slash = a.prefix.find('/');
    if (slash == std::string::npos) continue;
    absl::StatusOr<net::Ipv4Address> ip = net::Ipv4Address::Parse(a.prefix.substr(0, slash));
    int len = std::atoi(a.prefix.c_str() + slash + 1);
    if (!ip.ok() || len <= 0 || len >= 32) continue;
    subnets.insert(net::Ipv4Cidr::Containing(*ip, len).ToString());
  }
  return std::vector<std::string>(subnets.begin(), subnets.end());
}

}  // namespace romana::agent
