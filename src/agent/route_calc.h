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
//   - no via-route for this node's own blocks (pods are reached by the CNI plugin's /32
//     routes), for blocks without a host or of hosts missing from the snapshot, and for
//     non-adjacent nodes (they are reached through the group route of an upstream router / the
//     default gateway);
//   - an unreachable route for this node's own blocks (merged like the others), and one for
//     each leaf group this node belongs to when every other host of that group is adjacent:
//     then every allocated address of the group is either this node's (a /32) or routed via
//     its owner, and the rest is unallocated. A router that sends such an address to the node
//     (say, the group's gateway) then gets an ICMP unreachable instead of the packet coming
//     back to it by the default route, round and round until its TTL runs out. A group with a
//     non-adjacent member gets no such route: its blocks are reached via the default gateway.
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

struct GroupInfo {
  std::string cidr;                // IPv4 prefix text
  bool leaf = false;               // only leaf groups hold hosts and blocks
  std::vector<std::string> hosts;  // names of the hosts assigned to it
};

struct ClusterSnapshot {
  std::vector<HostInfo> hosts;
  std::vector<BlockInfo> blocks;
  std::vector<GroupInfo> groups;
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
