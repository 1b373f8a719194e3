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
#include "netlink/netns.h"

namespace romana::netlink {

using libnl::CachePtr;
using libnl::LinkPtr;
using libnl::ForEach;
using libnl::FormatMac;
using libnl::ValidateIfName;

namespace {

Link LinkFrom(rtnl_link* l) {
  Link link;
  link.index = rtnl_link_get_ifindex(l);
  if (const char* name = rtnl_link_get_name(l)) link.name = name;
  if (const char* kind = rtnl_link_get_type(l)) link.kind = kind;
  link.mtu = static_cast<int>(rtnl_link_get_mtu(l));
  unsigned flags = rtnl_link_get_flags(l);
  link.up = (flags & IFF_UP) != 0;
  link.running = (flags & IFF_RUNNING) != 0;
  link.mac = FormatMac(rtnl_link_get_addr(l));
  link.master_index = rtnl_link_get_master(l);
  link.peer_index = rtnl_link_get_link(l);
  return link;
}

}  // namespace

absl::StatusOr<std::vector<Link>> LibnlNetlink::ListLinks() {
  nl_cache* raw = nullptr;
  last_errno_ = 0;
  int rc = rtnl_link_alloc_cache(sock_, AF_UNSPEC, &raw);
  CachePtr cache(raw);
  if (absl::Status s = Check(rc, "list links"); !s.ok()) return s;
  std::vector<Link> links;
  ForEach(cache.get(), [&](nl_object* o) { links.push_back(LinkFrom(reinterpret_cast<rtnl_link*>(o))); });
  return links;
}

absl::StatusOr<Link> LibnlNetlink::GetLink(const std::string& name) {
  if (absl::Status s = ValidateIfName(name, "interface name"); !s.ok()) return s;
  rtnl_link* raw = nullptr;
  std::string n(name);
  last_errno_ = 0;
  int rc = rtnl_link_get_kernel(sock_, 0, n.c_str(), &raw);
  LinkPtr link(raw);
  if (absl::Status s = Check(rc, absl::StrCat("get link ", name)); !s.ok()) return s;
  return LinkFrom(link.get());
}

absl::Status LibnlNetlink::CreateVeth(const VethSpec& spec) {
  if (absl::Status s = ValidateIfName(spec.name, "veth name"); !s.ok()) return s;
  if (absl::Status s = ValidateIfName(spec.peer_name, "veth peer name"); !s.ok()) return s;
  if (spec.mtu < 0 || spec.mtu > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("veth mtu ", spec.mtu, " is out of range 0..65535"));
  }
  UniqueFd ns_fd;
  if (!spec.peer_netns.empty()) {
    auto fd = OpenNetns(spec.peer_netns);
    if (!fd.ok()) return fd.status();
    ns_fd = *std::move(fd);
  }
  rtnl_link* veth = rtnl_link_veth_alloc();
  if (veth == nullptr) return absl::ResourceExhaustedError("rtnl_link_veth_alloc: out of memory");
  rtnl_link* peer = rtnl_link_veth_get_peer(veth);
  rtnl_link_set_name(veth, spec.name.c_str());
  rtnl_link_set_name(peer, spec.peer_name.c_str());
  if (spec.mtu > 0) {
    rtnl_link_set_mtu(veth, spec.mtu);
    rtnl_link_set_mtu(peer, spec.mtu);
  }
  if (ns_fd.valid()) rtnl_link_set_ns_fd(peer, ns_fd.get());
  last_errno_ = 0;
  int rc = rtnl_link_add(sock_, veth, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_link_put(peer);
  rtnl_link_veth_release(veth);
  return Check(rc, absl::StrCat("create veth ", spec.name, " peer ", spec.peer_name,
                                spec.peer_netns.empty() ? "" : " in netns ", spec.peer_netns,
                                " mtu ", spec.mtu));
}

absl::Status LibnlNetlink::DeleteLink(const std::string& name) {
  if (absl::Status s = ValidateIfName(name, "interface name"); !s.ok()) return s;
  LinkPtr link(rtnl_link_alloc());
  std::string n(name);
  rtnl_link_set_name(link.get(), n.c_str());
  last_errno_ = 0;
  return Check(rtnl_link_delete(sock_, link.get()), absl::StrCat("delete link ", name));
}

absl::Status LibnlNetlink::SetLinkUp(const std::string& name, bool up) {
  if (absl::Status s = ValidateIfName(name, "interface name"); !s.ok()) return s;
  rtnl_link* raw = nullptr;
  std::string n(name);
  last_errno_ = 0;
  int rc = rtnl_link_get_kernel(sock_, 0, n.c_str(), &raw);
  LinkPtr orig(raw);
  std::string what = absl::StrCat("set link ", name, up ? " up" : " down");
  if (absl::Status s = Check(rc, what); !s.ok()) return s;
  LinkPtr change(rtnl_link_alloc());
  if (up) {
    rtnl_link_set_flags(change.get(), IFF_UP);
  } else {
    rtnl_link_unset_flags(change.get(), IFF_UP);
  }
  last_errno_ = 0;
  return Check(rtnl_link_change(sock_, orig.get(), change.get(), 0), what);
}

absl::Status LibnlNetlink::SetLinkMtu(const std::string& name, int mtu) {
  if (mtu < 68 || mtu > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("mtu ", mtu, " for ", name, " is out of range 68..65535"));
  }
  if (absl::Status s = ValidateIfName(name, "interface name"); !s.ok()) return s;
  rtnl_link* raw = nullptr;
  std::string n(name);
  last_errno_ = 0;
  int rc = rtnl_link_get_kernel(sock_, 0, n.c_str(), &raw);
  LinkPtr orig(raw);
  std::string what = absl::StrCat("set link ", name, " mtu ", mtu);
  if (absl::Status s = Check(rc, what); !s.ok()) return s;
  LinkPtr change(rtnl_link_alloc());
  rtnl_link_set_mtu(change.get(), mtu);
  last_errno_ = 0;
  return Check(rtnl_link_change(sock_, orig.get(), change.get(), 0), what);
}

absl::Status LibnlNetlink::MoveLinkToNetns(const std::string& name, const std::string& netns) {
  if (absl::Status s = ValidateIfName(name, "interface name"); !s.ok()) return s;
  auto fd = OpenNetns(netns);
  if (!fd.ok()) return fd.status();
  rtnl_link* raw = nullptr;
  std::string n(name);
  last_errno_ = 0;
  int rc = rtnl_link_get_kernel(sock_, 0, n.c_str(), &raw);
  LinkPtr orig(raw);
  std::string what = absl::StrCat("move link ", name, " to netns ", NetnsPath(netns));
  if (absl::Status s = Check(rc, what); !s.ok()) return s;
  LinkPtr change(rtnl_link_alloc());
  rtnl_link_set_ns_fd(change.get(), fd->get());
  last_errno_ = 0;
  return Check(rtnl_link_change(sock_, orig.get(), change.get(), 0), what);
}

absl::StatusOr<std::map<int, std::string>> LibnlNetlink::LinkNames() {
  auto links = ListLinks();
  if (!links.ok()) return links.status();
  std::map<int, std::string> names;
  for (const Link& l : *links) names[l.index] = l.name;
  return names;
}

}  // namespace romana::netlink
