#include "netlink/libnl_netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <netlink/socket.h>
#include <string.h>

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "netlink/libnl_util.h"

namespace romana::netlink {

using libnl::AddrPtr;
using libnl::CachePtr;
using libnl::RoutePtr;
using libnl::ForEach;
using libnl::ParsePrefixAddr;
using libnl::ParseIpAddr;
using libnl::FormatIp;
using libnl::FormatPrefix;

absl::StatusOr<std::vector<Route>> LibnlNetlink::ListRoutes(const RouteFilter& filter) {
  absl::StatusOr<int> want = IfIndexFilter(filter.dev);
  if (!want.ok()) return want.status();
  const int want_oif = *want;
  absl::StatusOr<std::map<int, std::string>> link_names = LinkNames();
  if (!link_names.ok()) return link_names.status();
  std::map<int, std::string>& names = *link_names;
  nl_cache* raw = nullptr;
  last_errno_ = 0;
  int rc = rtnl_route_alloc_cache(sock_, AF_INET, 0, &raw);
  CachePtr cache(raw);
  if (absl::Status s = Check(rc, "list routes"); !s.ok()) return s;
  std::vector<Route> out;
  ForEach(cache.get(), [&](nl_object* o) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    if (rtnl_route_get_family(r) != AF_INET) return;
    if (filter.type >= 0 && rtnl_route_get_type(r) != filter.type) return;
    Route route;
    route.type = rtnl_route_get_type(r);
    route.table = static_cast<int>(rtnl_route_get_table(r));
    route.protocol = rtnl_route_get_protocol(r);
    if (filter.table >= 0 && route.table != filter.table) return;
    if (filter.protocol >= 0 && route.protocol != filter.protocol) return;
    route.dst = FormatPrefix(rtnl_route_get_dst(r));
    route.scope = rtnl_route_get_scope(r);
    route.metric = static_cast<int>(rtnl_route_get_priority(r));
    if (nl_addr* src = rtnl_route_get_pref_src(r)) route.src = FormatIp(src);
    if (rtnl_route_get_nnexthops(r) > 0) {
      rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
      route.oif = rtnl_route_nh_get_ifindex(nh);
      if (nl_addr* gw = rtnl_route_nh_get_gateway(nh)) route.gateway = FormatIp(gw);
      route.onlink = (rtnl_route_nh_get_flags(nh) & RTNH_F_ONLINK) != 0;
    }
    if (want_oif != 0 && route.oif != want_oif) return;
    if (route.oif != 0) route.dev = names[route.oif];
    out.push_back(std::move(route));
  });
  return out;
}

absl::Status LibnlNetlink::ModifyRoute(const Route& route, int flags, bool remove) {
  std::string what = absl::StrCat(remove ? "delete route " : (flags & NLM_F_REPLACE) ? "replace route " : "add route ",
                                  ToString(route));
  auto dst = ParsePrefixAddr(route.dst, "route dst");
  if (!dst.ok()) return dst.status();
  if (route.table <= 0 || route.protocol < 0 || route.protocol > 255 || route.scope > 255 || route.metric < 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": table must be > 0, protocol and scope 0..255, metric >= 0"));
  }
  int oif = route.oif;
  if (oif == 0 && !route.dev.empty()) {
    auto idx = IfIndex(route.dev);
    if (!idx.ok()) return idx.status();
    oif = *idx;
  }
  AddrPtr gw;
  if (!route.gateway.empty()) {
    auto parsed = ParseIpAddr(route.gateway, "route gateway");
    if (!parsed.ok()) return parsed.status();
    gw = *std::move(parsed);
  }
  AddrPtr src;
  if (!route.src.empty()) {
    auto parsed = ParseIpAddr(route.src, "route src");
    if (!parsed.ok()) return parsed.status();
    src = *std::move(parsed);
  }
  const bool unicast = route.type == kTypeUnicast;
  if (!remove && unicast && oif == 0 && !gw) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": a route needs a gateway or a dev"));
  }
  if (!unicast && (oif != 0 || gw)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": an unreachable or blackhole route has no next hop"));
  }
  RoutePtr r(rtnl_route_alloc());
  rtnl_route_set_family(r.get(), AF_INET);
  rtnl_route_set_dst(r.get(), dst->get());
  rtnl_route_set_table(r.get(), route.table);
  rtnl_route_set_protocol(r.get(), route.protocol);
  if (route.type <= 0 || route.type > 255) return absl::InvalidArgumentError(absl::StrCat(what, ": bad route type"));
  rtnl_route_set_type(r.get(), static_cast<uint8_t>(route.type));
  rtnl_route_set_priority(r.get(), route.metric);
  if (route.scope >= 0) rtnl_route_set_scope(r.get(), route.scope);
  if (src) rtnl_route_set_pref_src(r.get(), src.get());
  if (oif != 0 || gw) {
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (oif != 0) rtnl_route_nh_set_ifindex(nh, oif);
    if (gw) rtnl_route_nh_set_gateway(nh, gw.get());
    if (route.onlink) rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
    rtnl_route_add_nexthop(r.get(), nh);  // the route owns nh now
  }
  last_errno_ = 0;
  int rc = remove ? rtnl_route_delete(sock_, r.get(), 0) : rtnl_route_add(sock_, r.get(), flags);
  return Check(rc, what);
}

absl::Status LibnlNetlink::AddRoute(const Route& route) { return ModifyRoute(route, NLM_F_EXCL, false); }
absl::Status LibnlNetlink::ReplaceRoute(const Route& route) { return ModifyRoute(route, NLM_F_REPLACE, false); }
absl::Status LibnlNetlink::DeleteRoute(const Route& route) {
  if (route.scope >= 0) return ModifyRoute(route, 0, true);
  // libnl cannot send "any scope" (it guesses one, and the kernel then only deletes a route with
  // exactly that scope), so look the route up and delete it with its real scope.
  auto routes =
      ListRoutes({.table = route.table, .protocol = route.protocol > 0 ? route.protocol : -1, .type = route.type});
  if (!routes.ok()) return routes.status();
  for (const Route& r : *routes) {
    if (r.dst != route.dst || r.metric != route.metric) continue;
    if (!route.gateway.empty() && r.gateway != route.gateway) continue;
    if (!route.dev.empty() && r.dev != route.dev) continue;
    if (route.oif != 0 && r.oif != route.oif) continue;
    Route exact = route;
    exact.scope = r.scope;
    exact.protocol = r.protocol;
    return ModifyRoute(exact, 0, true);
  }
  return absl::NotFoundError(absl::StrCat("delete route ", ToString(route), ": no such route",
                                          netns_.empty() ? "" : " [netns ", netns_,
                                          netns_.empty() ? "" : "]"));
}

}  // namespace romana::netlink
