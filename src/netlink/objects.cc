#include "netlink/objects.h"

#include "absl/strings/str_cat.h"

namespace romana::netlink {

std::string ToString(const Route& route) {
  std::string out = route.dst;
  if (!route.gateway.empty()) absl::StrAppend(&out, " via ", route.gateway);
  if (!route.dev.empty()) {
    absl::StrAppend(&out, " dev ", route.dev);
  } else if (route.oif != 0) {
    absl::StrAppend(&out, " oif ", route.oif);
  }
  absl::StrAppend(&out, " table ", route.table, " proto ", route.protocol);
  if (route.scope == kScopeLink) absl::StrAppend(&out, " scope link");
  if (route.scope == kScopeHost) absl::StrAppend(&out, " scope host");
  if (route.metric != 0) absl::StrAppend(&out, " metric ", route.metric);
  if (!route.src.empty()) absl::StrAppend(&out, " src ", route.src);
  if (route.type == kTypeUnreachable) out = absl::StrCat("unreachable ", out);
  if (route.type == kTypeBlackhole) out = absl::StrCat("blackhole ", out);
  if (route.onlink) absl::StrAppend(&out, " onlink");
  return out;
}

std::string ToString(const Rule& rule) {
  std::string out;
  if (rule.priority >= 0) absl::StrAppend(&out, "priority ", rule.priority, " ");
  absl::StrAppend(&out, "from ", rule.src.empty() ? "all" : rule.src);
  if (!rule.dst.empty()) absl::StrAppend(&out, " to ", rule.dst);
  if (rule.fwmark != 0) absl::StrAppend(&out, " fwmark ", rule.fwmark, "/", rule.fwmask);
  absl::StrAppend(&out, " lookup ", rule.table);
  if (rule.protocol != 0) absl::StrAppend(&out, " proto ", rule.protocol);
  return out;
}

std::string ToString(const Address& address) {
  return absl::StrCat(address.prefix, " dev ", address.dev.empty() ? absl::StrCat("#", address.ifindex) : address.dev);
}

std::string ToString(const Link& link) {
  return absl::StrCat(link.index, ": ", link.name, link.kind.empty() ? "" : " (", link.kind,
                      link.kind.empty() ? "" : ")", " mtu ", link.mtu, link.up ? " up" : " down",
                      link.mac.empty() ? "" : " ", link.mac);
}

}  // namespace romana::netlink
