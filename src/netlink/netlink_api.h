// netlink_api.h: the interface every Romana component uses to read and change the kernel's network
// configuration (links, veth pairs, addresses, routes, policy rules, neighbours) in ONE network
// namespace: the one the implementation was bound to at creation.
//
// Error contract (every method): absl::Status codes map the kernel errno
//   EEXIST -> AlreadyExists, ENOENT/ESRCH/ENODEV/EADDRNOTAVAIL -> NotFound,
//   EPERM/EACCES -> PermissionDenied, EINVAL/ERANGE -> InvalidArgument,
//   EBUSY/EAGAIN -> Unavailable, anything else -> Internal,
// and the message names the operation, the object ("add route 10.0.0.5/32 dev romana1 table
// 254 proto 82") and the errno ("File exists (errno 17)"). A failed call changes nothing
// (each call is a single netlink request) unless its comment says otherwise.
//
// Implementations: LibnlNetlink (libnl_netlink.h). Not thread-safe: use one object per thread.
#ifndef ROMANA_NETLINK_NETLINK_API_H_
#define ROMANA_NETLINK_NETLINK_API_H_

#include <string>

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "netlink/objects.h"

namespace romana::netlink {

class Netlink {
 public:
  virtual ~Netlink() = default;

  // --- links ---
  virtual absl::StatusOr<std::vector<Link>> ListLinks() = 0;
  // NotFound when no link has that name.
  virtual absl::StatusOr<Link> GetLink(const std::string& name) = 0;
  // Creates a veth pair (both ends down) with the MTU on both ends, the peer created directly
  // in spec.peer_netns. AlreadyExists when either name is taken in its netns; NotFound when the
  // peer netns does not exist; InvalidArgument for names longer than 15 bytes or empty.
  virtual absl::Status CreateVeth(const VethSpec& spec) = 0;
  // Deletes a link (a veth end takes its peer with it). NotFound when absent.
  virtual absl::Status DeleteLink(const std::string& name) = 0;
  // Sets the link administratively up or down. Idempotent. NotFound when absent.
  virtual absl::Status SetLinkUp(const std::string& name, bool up) = 0;
  virtual absl::Status SetLinkMtu(const std::string& name, int mtu) = 0;
  // Moves a link into another netns (name or path). NotFound when the link or netns is absent.
  virtual absl::Status MoveLinkToNetns(const std::string& name, const std::string& netns) = 0;

  // --- addresses (IPv4) ---
  // `dev` empty = all links.
  virtual absl::StatusOr<std::vector<Address>> ListAddresses(const std::string& dev) = 0;
  // Adds `prefix` ("10.0.0.5/32") to `dev` with `scope` and `label` (IFA_LABEL, at most 15
  // characters; "" = the kernel's default, the link's name). AlreadyExists when present.
  virtual absl::Status AddAddress(const std::string& dev, const std::string& prefix,
                                  int scope = kScopeUniverse, const std::string& label = "") = 0;
  // NotFound when `dev` or the address is absent.
  virtual absl::Status DeleteAddress(const std::string& dev, const std::string& prefix) = 0;

  // --- routes (IPv4) ---
  // Only routes of filter.type (unicast unless asked otherwise).
  virtual absl::StatusOr<std::vector<Route>> ListRoutes(const RouteFilter& filter) = 0;
  // Adds a route: route.dst, route.table, route.protocol, route.metric identify it; the next
  // hop is route.gateway and/or route.dev (or route.oif); an unreachable or blackhole route
  // (route.type) has none. AlreadyExists when a route with the same dst/table/metric exists
  // (whatever its next hop).
  virtual absl::Status AddRoute(const Route& route) = 0;
  // Adds or replaces the route with the same dst/table/metric. Idempotent.
  virtual absl::Status ReplaceRoute(const Route& route) = 0;
  // Deletes the route matching dst, table, metric, protocol (0 = any protocol) and, when set,
  // gateway, dev/oif and scope. NotFound when there is none, so deleting a route someone else
  // owns (another protocol) fails instead of removing it. With route.scope set it is one
  // netlink request; with kScopeUnset the routes of that table are listed first to find it.
  virtual absl::Status DeleteRoute(const Route& route) = 0;

  // --- policy routing rules (IPv4) ---
  virtual absl::StatusOr<std::vector<Rule>> ListRules() = 0;
  // AlreadyExists when an identical rule exists (same priority, selectors and table).
  virtual absl::Status AddRule(const Rule& rule) = 0;
  // Deletes the first rule matching the set fields (a rule.protocol of 0 matches any). NotFound
  // when none matches.
  virtual absl::Status DeleteRule(const Rule& rule) = 0;

  // --- neighbours (IPv4 ARP entries) ---
  // `dev` empty = all links.
  virtual absl::StatusOr<std::vector<Neighbor>> ListNeighbors(const std::string& dev) = 0;
  // Creates or replaces a neighbour entry (NUD_PERMANENT when neighbor.permanent). Idempotent.
  virtual absl::Status SetNeighbor(const Neighbor& neighbor) = 0;
};

}  // namespace romana::netlink

#endif  // ROMANA_NETLINK_NETLINK_API_H_
