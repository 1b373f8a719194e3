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
using libnl::AddrObjPtr;
using libnl::ForEach;
using libnl::ParsePrefixAddr;
using libnl::FormatIp;

absl::StatusOr<std::vector<Address>> LibnlNetlink::ListAddresses(const std::string& dev) {
  absl::StatusOr<int> want = IfIndexFilter(dev);
  if (!want.ok()) return want.status();
  const int want_index = *want;
  absl::StatusOr<std::map<int, std::string>> link_names = LinkNames();
  if (!link_names.ok()) return link_names.status();
  std::map<int, std::string>& names = *link_names;
  nl_cache* raw = nullptr;
  last_errno_ = 0;
  int rc = rtnl_addr_alloc_cache(sock_, &raw);
  CachePtr cache(raw);
  if (absl::Status s = Check(rc, "list addresses"); !s.ok()) return s;
  std::vector<Address> out;
  ForEach(cache.get(), [&](nl_object* o) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_family(a) != AF_INET) return;
    int idx = rtnl_addr_get_ifindex(a);
    if (want_index != 0 && idx != want_index) return;
    Address addr;
    addr.ifindex = idx;
    addr.dev = names[idx];
    addr.prefix = absl::StrCat(FormatIp(rtnl_addr_get_local(a)), "/", rtnl_addr_get_prefixlen(a));
    addr.scope = rtnl_addr_get_scope(a);
    if (const char* label = rtnl_addr_get_label(a); label != nullptr) addr.label = label;
    out.push_back(std::move(addr));
  });
  return out;
}

absl::Status LibnlNetlink::AddAddress(const std::string& dev, const std::string& prefix, int scope,
                                      const std::string& label) {
  auto local = ParsePrefixAddr(prefix, "address");
  if (!local.ok()) return local.status();
  auto idx = IfIndex(dev);
  if (!idx.ok()) return idx.status();
  AddrObjPtr a(rtnl_addr_alloc());
  rtnl_addr_set_family(a.get(), AF_INET);
  rtnl_addr_set_ifindex(a.get(), *idx);
  rtnl_addr_set_local(a.get(), local->get());
  rtnl_addr_set_prefixlen(a.get(), nl_addr_get_prefixlen(local->get()));
  rtnl_addr_set_scope(a.get(), scope);
  if (!label.empty()) {
    if (label.size() >= IFNAMSIZ) {
      return absl::InvalidArgumentError(absl::StrCat("address label \"", label, "\" is longer than ", IFNAMSIZ - 1,
                                                     " characters"));
    }
    if (int rc = rtnl_addr_set_label(a.get(), label.c_str()); rc < 0) {
      return Check(rc, absl::StrCat("set label ", label));
    }
  }
  last_errno_ = 0;
  return Check(rtnl_addr_add(sock_, a.get(), NLM_F_EXCL), absl::StrCat("add address ", prefix, " dev ", dev));
}

absl::Status LibnlNetlink::DeleteAddress(const std::string& dev, const std::string& prefix) {
  auto local = ParsePrefixAddr(prefix, "address");
  if (!local.ok()) return local.status();
  auto idx = IfIndex(dev);
  if (!idx.ok()) return idx.status();
  AddrObjPtr a(rtnl_addr_alloc());
  rtnl_addr_set_family(a.get(), AF_INET);
  rtnl_addr_set_ifindex(a.get(), *idx);
  rtnl_addr_set_local(a.get(), local->get());
  rtnl_addr_set_prefixlen(a.get(), nl_addr_get_prefixlen(local->get()));
  last_errno_ = 0;
  return Check(rtnl_addr_delete(sock_, a.get(), 0), absl::StrCat("delete address ", prefix, " dev ", dev));
}

}  // namespace romana::netlink
