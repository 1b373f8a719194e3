// netlink_route_programmer.h: RouteProgrammer over romana::netlink (rtnetlink).
//
// Acts in the namespace the given Netlink object is bound to. Via-routes are written to
// options.table, unreachable routes to the main table (so the CNI plugin's /32 pod routes there
// still win by longest prefix), all with options.protocol; ListOwnedRoutes() filters on table,
// protocol and type, so routes of other owners in the same table (someone's `ip route add ...
// table 10`, the plugin's unicast pod routes) are neither listed nor deleted. Rules carry the
// protocol too and only rules carrying it are ours. Not thread-safe. `netlink` must outlive this
// object.
#ifndef ROMANA_AGENT_NETLINK_ROUTE_PROGRAMMER_H_
#define ROMANA_AGENT_NETLINK_ROUTE_PROGRAMMER_H_

#include "agent/route_programmer.h"
#include "netlink/netlink_api.h"

namespace romana::agent {

class NetlinkRouteProgrammer : public RouteProgrammer {
 public:
  NetlinkRouteProgrammer(netlink::Netlink& netlink, RouteProgrammerOptions options)
      : netlink_(netlink), options_(options) {}

  absl::StatusOr<RouteMap> ListOwnedRoutes() override;
  absl::Status ApplyRoutes(std::span<const RouteOp> ops) override;
  absl::StatusOr<std::vector<Rule>> ListOwnedRules() override;
  absl::Status AddRule(const Rule& rule) override;
  absl::Status DeleteRule(const Rule& rule) override;

 private:
  netlink::Route ToKernel(const Route& route) const;

  netlink::Netlink& netlink_;
  const RouteProgrammerOptions options_;
};

// The IPv4 subnets this namespace is directly connected to (the network prefix of every
// global-scope address shorter than /32 on an up link), for route_calc's adjacency test.
absl::StatusOr<std::vector<std::string>> ConnectedSubnets(netlink::Netlink& netlink);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_NETLINK_ROUTE_PROGRAMMER_H_
