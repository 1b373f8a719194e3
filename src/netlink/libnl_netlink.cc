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

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "netlink/netns.h"

namespace romana::netlink {
namespace {

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

int ErrCallback(sockaddr_nl*, nlmsgerr* err, void* arg) {
  *static_cast<int*>(arg) = -err->error;
  return NL_STOP;  // libnl then returns its own code for this errno
}

absl::Status StatusFromErrno(int err, const std::string& msg) {
  switch (err) {
    case EEXIST:
      return absl::AlreadyExistsError(msg);
    case ENOENT:
    case ESRCH:
    case ENODEV:
    case EADDRNOTAVAIL:
      return absl::NotFoundError(msg);
    case EPERM:
    case EACCES:
      return absl::PermissionDeniedError(msg);
    case EINVAL:
    case ERANGE:
      return absl::InvalidArgumentError(msg);
    case EBUSY:
    case EAGAIN:
      return absl::UnavailableError(msg);
    default:
      return absl::InternalError(msg);
  }
}

// Strict IPv4 text ("10.0.0.1") to binary; false when malformed.
bool ParseIp(const std::string& text, in_addr* out) {
  std::string s(text);
  return inet_pton(AF_INET, s.c_str(), out) == 1;
}

absl::StatusOr<AddrPtr> ParsePrefixAddr(const std::string& text, const std::string& field) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\" is not a prefix: expected a.b.c.d/len"));
  }
  in_addr ip{};
  int len = -1;
  if (!ParseIp(text.substr(0, slash), &ip)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\": \"", text.substr(0, slash), "\" is not an IPv4 address"));
  }
  if (!absl::SimpleAtoi(text.substr(slash + 1), &len) || len < 0 || len > 32) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\": prefix length must be 0..32"));
  }
  AddrPtr addr(nl_addr_build(AF_INET, &ip, sizeof(ip)));
  if (!addr) return absl::ResourceExhaustedError("nl_addr_build: out of memory");
  nl_addr_set_prefixlen(addr.get(), len);
  return addr;
}

absl::StatusOr<AddrPtr> ParseIpAddr(const std::string& text, const std::string& field) {
  in_addr ip{};
  if (!ParseIp(text, &ip)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\" is not an IPv4 address"));
  }
  AddrPtr addr(nl_addr_build(AF_INET, &ip, sizeof(ip)));
  if (!addr) return absl::ResourceExhaustedError("nl_addr_build: out of memory");
  return addr;
}

std::string FormatIp(nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_len(addr) != 4) return "0.0.0.0";
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, nl_addr_get_binary_addr(addr), buf, sizeof(buf));
  return buf;
}

std::string FormatPrefix(nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_len(addr) == 0) return "0.0.0.0/0";
  return absl::StrCat(FormatIp(addr), "/", nl_addr_get_prefixlen(addr));
}

std::string FormatMac(nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_len(addr) != 6) return "";
  const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(addr));
  char buf[18];
  snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  return buf;
}

absl::StatusOr<AddrPtr> ParseMac(const std::string& text) {
  unsigned int b[6];
  char tail;
  std::string s(text);
  if (sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
             &tail) != 6) {
    return absl::InvalidArgumentError(absl::StrCat("mac \"", text, "\" is not aa:bb:cc:dd:ee:ff"));
  }
  unsigned char bytes[6];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(b[i]);
  AddrPtr addr(nl_addr_build(AF_LLC, bytes, sizeof(bytes)));
  if (!addr) return absl::ResourceExhaustedError("nl_addr_build: out of memory");
  return addr;
}

absl::Status ValidateIfName(const std::string& name, const std::string& field) {
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is empty"));
  if (name.size() >= IFNAMSIZ) {
    return absl::InvalidArgumentError(absl::StrCat(field, " \"", name, "\" is longer than ",
                                                   IFNAMSIZ - 1, " bytes"));
  }
  if (name == "." || name == ".." || name.find_first_of("/: \t\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", name, "\" is not a valid interface name"));
  }
  return absl::OkStatus();
}

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

template <typename Fn>
void ForEach(nl_cache* cache, Fn fn) {
  for (nl_object* obj = nl_cache_get_first(cache); obj != nullptr; obj = nl_cache_get_next(obj)) {
    fn(obj);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<LibnlNetlink>> LibnlNetlink::Create(const LibnlNetlinkOptions& options) {
  std::unique_ptr<ScopedNetnsEntry> entry;
  if (!options.netns.empty()) {
    auto entered = ScopedNetnsEntry::Enter(options.netns);
    if (!entered.ok()) return entered.status();
    entry = *std::move(entered);
  }
  nl_sock* sock = nl_socket_alloc();
  if (sock == nullptr) return absl::ResourceExhaustedError("nl_socket_alloc: out of memory");
  if (int rc = nl_connect(sock, NETLINK_ROUTE); rc < 0) {
    nl_socket_free(sock);
    return absl::InternalError(absl::StrCat("connect netlink route socket: ", nl_geterror(rc)));
  }
  auto nl = std::unique_ptr<LibnlNetlink>(new LibnlNetlink(sock, options.netns));
  nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, ErrCallback, &nl->last_errno_);
  return nl;
}

LibnlNetlink::LibnlNetlink(nl_sock* sock, std::string netns) : sock_(sock), netns_(std::move(netns)) {}

LibnlNetlink::~LibnlNetlink() { nl_socket_free(sock_); }

absl::Status LibnlNetlink::Check(int rc, const std::string& what) {
  if (rc >= 0) {
    last_errno_ = 0;
    return absl::OkStatus();
  }
  int err = last_errno_;
  last_errno_ = 0;
  if (err == 0) {
    // A libnl-side failure (no kernel errno): map the libnl code.
    int code = -rc;
    std::string msg = absl::StrCat(what, ": ", nl_geterror(rc));
    if (!netns_.empty()) absl::StrAppend(&msg, " [netns ", netns_, "]");
    switch (code) {
      case NLE_EXIST: return absl::AlreadyExistsError(msg);
      case NLE_OBJ_NOTFOUND:
      case NLE_NODEV: return absl::NotFoundError(msg);
      case NLE_INVAL:
      case NLE_RANGE: return absl::InvalidArgumentError(msg);
      case NLE_PERM:
      case NLE_NOACCESS: return absl::PermissionDeniedError(msg);
      case NLE_BUSY:
      case NLE_AGAIN: return absl::UnavailableError(msg);
      default: return absl::InternalError(msg);
    }
  }
  std::string msg = absl::StrCat(what, ": ", strerror(err), " (errno ", err, ")");
  if (!netns_.empty()) absl::StrAppend(&msg, " [netns ", netns_, "]");
  return StatusFromErrno(err, msg);
}

absl::StatusOr<int> LibnlNetlink::IfIndex(const std::string& name) {
  if (absl::Status s = ValidateIfName(name, "interface name"); !s.ok()) return s;
  rtnl_link* raw = nullptr;
  std::string n(name);
  last_errno_ = 0;
  int rc = rtnl_link_get_kernel(sock_, 0, n.c_str(), &raw);
  LinkPtr link(raw);
  if (absl::Status s = Check(rc, absl::StrCat("look up link ", name)); !s.ok()) return s;
  return rtnl_link_get_ifindex(link.get());
}

absl::StatusOr<std::string> LibnlNetlink::IfName(int index) {
  rtnl_link* raw = nullptr;
  last_errno_ = 0;
  int rc = rtnl_link_get_kernel(sock_, index, nullptr, &raw);
  LinkPtr link(raw);
  if (absl::Status s = Check(rc, absl::StrCat("look up link index ", index)); !s.ok()) return s;
  return std::string(rtnl_link_get_name(link.get()));
}

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

absl::StatusOr<std::vector<Address>> LibnlNetlink::ListAddresses(const std::string& dev) {
  int want_index = 0;
  if (!dev.empty()) {
    auto idx = IfIndex(dev);
    if (!idx.ok()) return idx.status();
    want_index = *idx;
  }
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
    out.push_back(std::move(addr));
  });
  return out;
}

absl::Status LibnlNetlink::AddAddress(const std::string& dev, const std::string& prefix, int scope) {
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

absl::StatusOr<std::vector<Route>> LibnlNetlink::ListRoutes(const RouteFilter& filter) {
  int want_oif = 0;
  if (!filter.dev.empty()) {
    auto idx = IfIndex(filter.dev);
    if (!idx.ok()) return idx.status();
    want_oif = *idx;
  }
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

absl::StatusOr<std::vector<Rule>> LibnlNetlink::ListRules() {
  nl_cache* raw = nullptr;
  last_errno_ = 0;
  int rc = rtnl_rule_alloc_cache(sock_, AF_INET, &raw);
  CachePtr cache(raw);
  if (absl::Status s = Check(rc, "list rules"); !s.ok()) return s;
  std::vector<Rule> out;
  ForEach(cache.get(), [&](nl_object* o) {
    auto* r = reinterpret_cast<rtnl_rule*>(o);
    Rule rule;
    rule.priority = static_cast<int>(rtnl_rule_get_prio(r));
    rule.table = static_cast<int>(rtnl_rule_get_table(r));
    nl_addr* src = rtnl_rule_get_src(r);
    if (src != nullptr && nl_addr_get_len(src) > 0) rule.src = FormatPrefix(src);
    nl_addr* dst = rtnl_rule_get_dst(r);
    if (dst != nullptr && nl_addr_get_len(dst) > 0) rule.dst = FormatPrefix(dst);
    uint32_t mark = rtnl_rule_get_mark(r);
    uint32_t mask = rtnl_rule_get_mask(r);
    rule.fwmark = mark == UINT32_MAX ? 0 : mark;
    rule.fwmask = rule.fwmark == 0 ? 0 : mask;
    uint8_t protocol = 0;
    if (rtnl_rule_get_protocol(r, &protocol) == 0) rule.protocol = protocol;
    out.push_back(std::move(rule));
  });
  return out;
}

namespace {
absl::StatusOr<RulePtr> BuildRule(const Rule& rule) {
  RulePtr r(rtnl_rule_alloc());
  rtnl_rule_set_family(r.get(), AF_INET);
  if (rule.priority >= 0) rtnl_rule_set_prio(r.get(), rule.priority);
  if (rule.table > 0) {
    rtnl_rule_set_table(r.get(), rule.table);
    rtnl_rule_set_action(r.get(), FR_ACT_TO_TBL);
  }
  if (!rule.src.empty()) {
    auto a = ParsePrefixAddr(rule.src, "rule src");
    if (!a.ok()) return a.status();
    rtnl_rule_set_src(r.get(), a->get());
  }
  if (!rule.dst.empty()) {
    auto a = ParsePrefixAddr(rule.dst, "rule dst");
    if (!a.ok()) return a.status();
    rtnl_rule_set_dst(r.get(), a->get());
  }
  if (rule.fwmark != 0) {
    rtnl_rule_set_mark(r.get(), rule.fwmark);
    rtnl_rule_set_mask(r.get(), rule.fwmask == 0 ? 0xffffffffu : rule.fwmask);
  }
  if (rule.protocol < 0 || rule.protocol > 255) return absl::InvalidArgumentError("rule protocol must be 0..255");
  if (rule.protocol != 0) rtnl_rule_set_protocol(r.get(), static_cast<uint8_t>(rule.protocol));
  return r;
}
}  // namespace

absl::Status LibnlNetlink::AddRule(const Rule& rule) {
  if (rule.table <= 0) return absl::InvalidArgumentError(absl::StrCat("add rule ", ToString(rule), ": table must be > 0"));
  auto r = BuildRule(rule);
  if (!r.ok()) return r.status();
  last_errno_ = 0;
  return Check(rtnl_rule_add(sock_, r->get(), NLM_F_EXCL), absl::StrCat("add rule ", ToString(rule)));
}

absl::Status LibnlNetlink::DeleteRule(const Rule& rule) {
  auto r = BuildRule(rule);
  if (!r.ok()) return r.status();
  last_errno_ = 0;
  return Check(rtnl_rule_delete(sock_, r->get(), 0), absl::StrCat("delete rule ", ToString(rule)));
}

absl::StatusOr<std::vector<Neighbor>> LibnlNetlink::ListNeighbors(const std::string& dev) {
  int want_index = 0;
  if (!dev.empty()) {
    auto idx = IfIndex(dev);
    if (!idx.ok()) return idx.status();
    want_index = *idx;
  }
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
