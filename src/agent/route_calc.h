// route_calc.h: the pure "calc" layer of the agent's route reconciler.
//
// From a snapshot of the cluster (hosts and blocks, as romanad reports them) and a view of this
// node (its name and the IPv4 subnets its interfaces are directly connected to), computes the
// routes the node's `romana` table must hold:
//   - one route per remote block of an L2-adjacent node (a node whose IP lies inside one of this
//     node's connected subnets), via that node's IP;
//   - the blocks of one node are merged into the fewest covering prefixes first (net::Summarize:
//     two adjacent /29 of node B become one /28 via B), never covering an address that is not in
//     one of B's blocks;
//   - nothing for this node's own blocks (pods are reached by the CNI plugin's /32 routes), for
//     blocks without a host or of hosts missing from the snapshot, and for non-adjacent nodes
//     (they are reached through the group route of an upstream router / the default gateway).
// No I/O, no clock. Thread-safe.
#ifndef ROMANA_AGENT_ROUTE_CALC_H_
#define ROMANA_AGENT_ROUTE_CALC_H_

#include <string>
#include <vector>

#include "agent/route_types.h"

namespace romana::agent {

struct HostInfo {
  std::string name;
  std::string ip;  // IPv4 address text
};

struct BlockInfo {
  std::string cidr;  // IPv4 prefix text
  std::string host;  // owning host name; "" = none
};

struct ClusterSnapshot {
  std::vector<HostInfo> hosts;
  std::vector<BlockInfo> blocks;
  std::vector<std::string> network_cidrs;  // every Romana network (NAT, service-range check)
};

struct NodeView {
  std::string name;                            // this node's Romana host name
  std::vector<std::string> connected_subnets;  // e.g. {"192.168.99.0/24"} (network prefixes)
};

struct RouteCalcResult {
  RouteMap routes;
  int skipped_non_adjacent_blocks = 0;  // blocks of nodes reached through a router
  std::vector<std::string> errors;      // unparsable hosts/blocks (skipped; for logs)
};

RouteCalcResult ComputeRoutes(const ClusterSnapshot& cluster, const NodeView& node);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_ROUTE_CALC_H_
