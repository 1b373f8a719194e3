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

using libnl::CachePtr;
using libnl::NeighPtr;
using libnl::ForEach;
using libnl::ParseIpAddr;
using libnl::FormatIp;
using libnl::FormatMac;
using libnl::ParseMac;

absl::StatusOr<std::vector<Neighbor>> LibnlNetlink::ListNeighbors(const std::string& dev) {
  absl::StatusOr<int> want = IfIndexFilter(dev);
  if (!want.ok()) return want.status();
  const int want_index = *want;
  absl::StatusOr<std::map<int, std::string>> link_names = LinkNames();
  if (!link_names.ok()) return link_names.status();
  std::map<int, std::string>& names = *link_names;
  nl_cache* raw = nullptr;
  last_errno_ = 0;
  int rc = rtnl_neigh_alloc_cache(sock_, &raw);
  CachePtr cache(raw);
  if (absl::Status s = Check(rc, "list neighbours"); !s.ok()) return s;
  std::vector<Neighbor> out;
  ForEach(cache.get(), [&](nl_object* o) {
    auto* n = reinterpret_cast<rtnl_neigh*>(o);
    if (rtnl_neigh_get_family(n) != AF_INET) return;
    int idx = rtnl_neigh_get_ifindex(n);
    if (want_index != 0 && idx != want_index) return;
    Neighbor nb;
    nb.ifindex = idx;
    nb.dev = names[idx];
    nb.ip = FormatIp(rtnl_neigh_get_dst(n));
    nb.mac = FormatMac(rtnl_neigh_get_lladdr(n));
    nb.permanent = (rtnl_neigh_get_state(n) & NUD_PERMANENT) != 0;
    out.push_back(std::move(nb));
  });
  return out;
}

absl::Status LibnlNetlink::SetNeighbor(const Neighbor& neighbor) {
  std::string what = absl::StrCat("set neighbour ", neighbor.ip, " lladdr ", neighbor.mac, " dev ",
                                  neighbor.dev.empty() ? absl::StrCat("#", neighbor.ifindex) : neighbor.dev);
  auto ip = ParseIpAddr(neighbor.ip, "neighbour ip");
  if (!ip.ok()) return ip.status();
  auto mac = ParseMac(neighbor.mac);
  if (!mac.ok()) return mac.status();
  int idx = neighbor.ifindex;
  if (idx == 0) {
    auto found = IfIndex(neighbor.dev);
    if (!found.ok()) return found.status();
    idx = *found;
  }
  NeighPtr n(rtnl_neigh_alloc());
  rtnl_neigh_set_family(n.get(), AF_INET);
  rtnl_neigh_set_ifindex(n.get(), idx);
  rtnl_neigh_set_dst(n.get(), ip->get());
  rtnl_neigh_set_lladdr(n.get(), mac->get());
  rtnl_neigh_set_state(n.get(), neighbor.permanent ? NUD_PERMANENT : NUD_REACHABLE);
  last_errno_ = 0;
  return Check(rtnl_neigh_add(sock_, n.get(), NLM_F_CREATE | NLM_F_REPLACE), what);
}

}  // namespace romana::netlink
