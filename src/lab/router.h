// router.h: the lab router (racks > 1), programmed the way a VPC route table or a top-of-rack
// router is: one route per leaf prefix group, the group's CIDR via a live member of that group.
//
//   PlanRouterRoutes  pure: the routes for the groups, given which member IPs failed and what
//                     the router holds now. A current gateway that is still a live member is
//                     kept (no flapping, no fail-back); otherwise the first live member (in the
//                     group's host order) is chosen; a group without a live member gets no route.
//   Fetch/Read/Apply  romanad's groups; the router's routes (main table, proto 82, ours only);
//                     the smallest set of `ip route` changes from one to the other.
//   KeepRouter        the loop of `romana-lab keep-router`, run inside the router namespace: every
//                     interval it fetches the groups, pings every member (ICMP echo from the
//                     router, like romana-vpcrouter's health check), plans and applies. A node
//                     whose uplink goes down loses its groups' routes to a live neighbour.
#ifndef ROMANA_LAB_ROUTER_H_
#define ROMANA_LAB_ROUTER_H_

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/client.h"

namespace romana::lab {

struct RouterGroup {
  std::string cidr;
  std::vector<std::string> member_ips;  // in preference order
};

using RouterTable = std::map<std::string, std::string>;  // group CIDR -> gateway IP

RouterTable PlanRouterRoutes(const std::vector<RouterGroup>& groups, const std::set<std::string>& failed_ips,
                             const RouterTable& current);

// Leaf, non-padding groups with their members' IPs (members sorted by host name).
absl::StatusOr<std::vector<RouterGroup>> FetchRouterGroups(api::Client& romanad);
absl::StatusOr<RouterTable> ReadRouterRoutes(const std::string& router_netns);
absl::Status ApplyRouterRoutes(const std::string& router_netns, const RouterTable& want, const RouterTable& have);

struct RouterKeeperOptions {
  std::string romanad_url;
  std::string ca_file;      // verifies an https romanad ("" = system CAs)
  std::string token_file;   // bearer token for romanad ("" = none)
  std::string router_netns;  // where `ip route` runs (the keeper itself runs inside it)
  std::chrono::milliseconds interval{1000};
};

// Runs until `stop` becomes true. A failed round (romanad unreachable, ...) is logged and retried.
absl::Status KeepRouter(const RouterKeeperOptions& options, const std::atomic<bool>& stop);

}  // namespace romana::lab

#endif  // ROMANA_LAB_ROUTER_H_
