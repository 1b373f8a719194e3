// libnl_util.h: the pieces the LibnlNetlink source files share (one file per object kind:
// libnl_links.cc, libnl_addresses.cc, libnl_routes.cc, libnl_rules.cc, libnl_neighbors.cc):
// RAII holders for libnl objects, text <-> nl_addr conversion and name checks. Internal to the
// netlink module (not part of its interface). Pure helpers; thread-safe.
#ifndef ROMANA_NETLINK_LIBNL_UTIL_H_
#define ROMANA_NETLINK_LIBNL_UTIL_H_

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romana::netlink::libnl {

// RAII holders for libnl objects.
struct AddrDeleter {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using AddrPtr = std::unique_ptr<nl_addr, AddrDeleter>;
struct CacheDeleter {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using CachePtr = std::unique_ptr<nl_cache, CacheDeleter>;
struct LinkDeleter {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;
struct RouteDeleter {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
using RoutePtr = std::unique_ptr<rtnl_route, RouteDeleter>;
struct AddrObjDeleter {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
using AddrObjPtr = std::unique_ptr<rtnl_addr, AddrObjDeleter>;
struct RuleDeleter {
  void operator()(rtnl_rule* r) const { rtnl_rule_put(r); }
};
using RulePtr = std::unique_ptr<rtnl_rule, RuleDeleter>;
struct NeighDeleter {
  void operator()(rtnl_neigh* n) const { rtnl_neigh_put(n); }
};
using NeighPtr = std::unique_ptr<rtnl_neigh, NeighDeleter>;

// Calls fn(obj) for every object of `cache`.
template <typename Fn>
void ForEach(nl_cache* cache, Fn fn) {
  for (nl_object* obj = nl_cache_get_first(cache); obj != nullptr; obj = nl_cache_get_next(obj)) {
    fn(obj);
  }
}

// "a.b.c.d/len" (canonical or not; the kernel keeps the host bits of an address) as an nl_addr.
// InvalidArgument naming `field` when malformed.
absl::StatusOr<AddrPtr> ParsePrefixAddr(const std::string& text, const std::string& field);
// "a.b.c.d" as an nl_addr. InvalidArgument naming `field` when malformed.
absl::StatusOr<AddrPtr> ParseIpAddr(const std::string& text, const std::string& field);
// "a.b.c.d" ("0.0.0.0" for a null or non-IPv4 address).
std::string FormatIp(nl_addr* addr);
// "a.b.c.d/len" ("0.0.0.0/0" for a null or empty address).
std::string FormatPrefix(nl_addr* addr);
// "aa:bb:cc:dd:ee:ff" ("" unless a 6-byte address).
std::string FormatMac(nl_addr* addr);
// "aa:bb:cc:dd:ee:ff" as an nl_addr. InvalidArgument when malformed.
absl::StatusOr<AddrPtr> ParseMac(const std::string& text);
// 1..IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or whitespace. InvalidArgument naming
// `field` otherwise.
absl::Status ValidateIfName(const std::string& name, const std::string& field);

}  // namespace romana::netlink::libnl

#endif  // ROMANA_NETLINK_LIBNL_UTIL_H_
