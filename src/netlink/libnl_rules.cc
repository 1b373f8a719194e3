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
using libnl::RulePtr;
using libnl::ForEach;
using libnl::ParsePrefixAddr;
using libnl::FormatPrefix;

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

}  // namespace romana::netlink
