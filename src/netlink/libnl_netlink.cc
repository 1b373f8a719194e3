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

using libnl::LinkPtr;
using libnl::ValidateIfName;

namespace {

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

absl::StatusOr<int> LibnlNetlink::IfIndexFilter(const std::string& dev) {
  if (dev.empty()) return 0;
  return IfIndex(dev);
}

absl::StatusOr<std::string> LibnlNetlink::IfName(int index) {
  rtnl_link* raw = nullptr;
  last_errno_ = 0;
  int rc = rtnl_link_get_kernel(sock_, index, nullptr, &raw);
  LinkPtr link(raw);
  if (absl::Status s = Check(rc, absl::StrCat("look up link index ", index)); !s.ok()) return s;
  return std::string(rtnl_link_get_name(link.get()));
}

}  // namespace romana::netlink
