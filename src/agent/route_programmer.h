// route_programmer.h: the agent's only door to the kernel's routing state.
//
// Programs routes in the agent's own routing table (default id 10, named `romana`), unreachable
// routes for the node's own blocks and group in the main table, and the one policy rule that
// makes the kernel consult our table. Every route and rule it writes carries the agent's
// protocol number (RouteProgrammerOptions::protocol) and the List calls return only what
// carries it (and, for routes, has our table and kind). Nothing else is modified or deleted. The real implementation
// (NetlinkRouteProgrammer) talks rtnetlink in the caller's network namespace; FakeRouteProgrammer
// (agent/testing) keeps state in memory for the apply layer's tests.
//
// Not thread-safe: use from the agent's loop thread only.
#ifndef ROMANA_AGENT_ROUTE_PROGRAMMER_H_
#define ROMANA_AGENT_ROUTE_PROGRAMMER_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/route_types.h"

namespace romana::agent {

// Ours: `ip route show table 10 proto 82`, `ip route show type unreachable proto 82` and
// `ip rule show proto 82` (82 = 'R' = netlink::kProtoRomana, the marker every Romana component
// puts on what it creates). A rule someone else added that also looks up table 10 is not ours.
inline constexpr uint8_t kDefaultRouteProtocol = 82;
inline constexpr uint32_t kDefaultRouteTable = 10;
inline constexpr uint32_t kDefaultRulePriority = 32000;

struct RouteProgrammerOptions {
  uint32_t table = kDefaultRouteTable;        // the `romana` table
  uint8_t protocol = kDefaultRouteProtocol;   // marks every route we own
  uint32_t rule_priority = kDefaultRulePriority;  // priority of `from all lookup <table>`
};

// The policy rule that sends lookups to our table.
struct Rule {
  uint32_t priority = 0;
  uint32_t table = 0;
  bool operator==(const Rule&) const = default;
};

class RouteProgrammer {
 public:
  virtual ~RouteProgrammer() = default;

  // Every IPv4 route of ours: via-routes in our table and unreachable routes in the main table
  // that carry our protocol. Errors: Unavailable/Internal on a netlink failure (nothing changed).
  virtual absl::StatusOr<RouteMap> ListOwnedRoutes() = 0;

  // Applies `ops` in order. Idempotent per op: adding a route that exists is turned into a
  // replace, deleting an absent route is OK. On error a prefix of `ops` may have been applied;
  // the caller must re-list before trusting its cache.
  virtual absl::Status ApplyRoutes(std::span<const RouteOp> ops) = 0;

  // Every IPv4 rule that carries our protocol.
  virtual absl::StatusOr<std::vector<Rule>> ListOwnedRules() = 0;
  // Adds `from all lookup rule.table priority rule.priority`. Idempotent.
  virtual absl::Status AddRule(const Rule& rule) = 0;
  // Deletes one of our rules. Deleting an absent rule is OK.
  virtual absl::Status DeleteRule(const Rule& rule) = 0;
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_ROUTE_PROGRAMMER_H_
