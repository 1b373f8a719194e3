#include "agent/netlink_vip_programmer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace romana::agent {

absl::StatusOr<std::set<std::string>> NetlinkVipProgrammer::ListOwned() {
  absl::StatusOr<std::vector<netlink::Address>> addrs = netlink_.ListAddresses(link_);
  if (!addrs.ok()) return addrs.status();
  std::set<std::string> out;
  for (const netlink::Address& a : *addrs) {
    if (a.label != kVipLabel || !absl::EndsWith(a.prefix, "/32")) continue;
    out.insert(a.prefix.substr(0, a.prefix.size() - 3));
  }
  return out;
}

absl::Status NetlinkVipProgrammer::Add(const std::string& ip) {
  return netlink_.AddAddress(link_, absl::StrCat(ip, "/32"), netlink::kScopeUniverse, kVipLabel);
}

absl::Status NetlinkVipProgrammer::Remove(const std::string& ip) {
  // Delete only what carries our label: the kernel matches an address delete on the address,
  // not the label, so check first (the loop thread is the only writer of our addresses).
  absl::StatusOr<std::set<std::string>> owned = ListOwned();
  if (!owned.ok()) return owned.status();
  if (!owned->contains(ip)) return absl::OkStatus();
  absl::Status s = netlink_.DeleteAddress(link_, absl::StrCat(ip, "/32"));
  return absl::IsNotFound(s) ? absl::OkStatus() : s;
}

absl::StatusOr<std::string> DefaultRouteInterface(netlink::Netlink& netlink) {
  absl::StatusOr<std::vector<netlink::Route>> routes = netlink.ListRoutes({.table = netlink::kMainTable});
  if (!routes.ok()) return routes.status();
  for (const netlink::Route& r : *routes) {
    if (r.dst == "0.0.0.0/0" && !r.dev.empty()) return r.dev;
  }
  return absl::NotFoundError("no IPv4 default route in the main table");
}

}  // namespace romana::agent
