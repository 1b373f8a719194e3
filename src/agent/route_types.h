// route_types.h: the value types the agent's route layers pass around.
//
// A Route is one route the agent owns: either an entry of its `romana` routing table (a
// destination prefix reached via a gateway, the owning node's IP), or an `unreachable` route
// in the main table for addresses this node answers for but no pod holds (its own blocks, its
// group), so that a packet for an unallocated pod address dies at once with an ICMP error
// instead of looping between a router and the node. Addresses are kept in canonical text form
// ("10.112.0.8/29", "192.168.99.11") so that equality is textual and the pure layers need no
// kernel types. Plain values; thread-compatible.
#ifndef ROMANA_AGENT_ROUTE_TYPES_H_
#define ROMANA_AGENT_ROUTE_TYPES_H_

#include <compare>
#include <map>
#include <string>
#include <vector>

namespace romana::agent {

struct Route {
  std::string dst;           // canonical IPv4 prefix, e.g. "10.112.0.8/29"
  std::string gateway;       // IPv4 address of the next hop, e.g. "192.168.99.11"; "" if unreachable
  bool unreachable = false;  // an unreachable route in the main table, not a `romana` table route

  // The identity of the route among ours: its table and destination.
  std::string Key() const { return unreachable ? "unreachable " + dst : dst; }

  static Route Via(std::string dst, std::string gateway) { return {std::move(dst), std::move(gateway), false}; }
  static Route Unreachable(std::string dst) { return {std::move(dst), "", true}; }

  auto operator<=>(const Route&) const = default;
  bool operator==(const Route&) const = default;
};

// Routes keyed by Route::Key(): each table holds at most one route of ours per prefix.
using RouteMap = std::map<std::string, Route>;

struct RouteOp {
  enum class Kind { kAdd, kReplace, kDelete };
  Kind kind = Kind::kAdd;
  Route route;  // for kDelete only route.dst matters

  bool operator==(const RouteOp&) const = default;
};

// "add 10.1.0.0/29 via 192.168.1.2" etc., for logs and test failure messages.
std::string ToString(const Route& route);
std::string ToString(const RouteOp& op);

// Builds a RouteMap from a list (later duplicates of a dst win).
RouteMap ToRouteMap(const std::vector<Route>& routes);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_ROUTE_TYPES_H_
