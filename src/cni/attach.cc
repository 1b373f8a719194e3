// ADD, DEL and CHECK: one pod attachment (veth pair, /32, routes, neighbour, romanad address).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cni/names.h"
#include "cni/result.h"
#include "cni/verbs.h"
#include "netlink/libnl_netlink.h"
#include "netlink/netns.h"
#include "spdlog/spdlog.h"

namespace romana::cni {
namespace {

using netlink::LibnlNetlink;

std::string Segment(const Invocation& inv) {
  if (!inv.pod.segment.empty()) return inv.pod.segment;
  auto it = inv.conf.labels.find(inv.conf.segment_label);
  if (it != inv.conf.labels.end() && !it->second.empty()) return it->second;
  return "default";
}

netlink::Route HostRoute(const std::string& ip, const std::string& host_veth) {
  return netlink::Route{.dst = absl::StrCat(ip, "/32"), .dev = host_veth, .protocol = netlink::kProtoRomana,
                        .scope = netlink::kScopeLink};
}
netlink::Route GatewayRoute(const std::string& ifname) {
  return netlink::Route{.dst = absl::StrCat(kPodGateway, "/32"), .dev = ifname, .protocol = netlink::kProtoRomana,
                        .scope = netlink::kScopeLink};
}
netlink::Route DefaultRoute(const std::string& ifname) {
  return netlink::Route{.dst = "0.0.0.0/0", .gateway = kPodGateway, .dev = ifname, .protocol = netlink::kProtoRomana};
}

// Undoes a partial ADD unless Dismiss()ed: deletes the host veth (its peer and every route
// through either end go with it) and releases the address.
class AddRollback {
 public:
  AddRollback(api::Client& romanad, std::string address_name) : romanad_(romanad), address_name_(std::move(address_name)) {}
  ~AddRollback() {
    if (dismissed_) return;
    if (host_ != nullptr && !host_veth_.empty()) {
      absl::Status s = host_->DeleteLink(host_veth_);
      if (!s.ok() && !absl::IsNotFound(s)) spdlog::error("rollback: {}", std::string(s.message()));
    }
    auto released = romanad_.ReleaseAddress(address_name_);
    if (!released.ok() && !absl::IsNotFound(released.status())) {
      spdlog::error("rollback: release address {}: {}", address_name_, std::string(released.status().message()));
    } else {
      spdlog::info("rollback: released address {}", address_name_);
    }
  }
  void LinkCreated(LibnlNetlink* host, std::string host_veth) {
    host_ = host;
    host_veth_ = std::move(host_veth);
  }
  void Dismiss() { dismissed_ = true; }

 private:
  api::Client& romanad_;
  std::string address_name_;
  LibnlNetlink* host_ = nullptr;
  std::string host_veth_;
  bool dismissed_ = false;
};

}  // namespace

VerbOutcome DoAdd(const Invocation& inv, api::Client& romanad) {
  const Attachment att{inv.env.container_id, inv.env.ifname};
  const std::string name = AddressName(att);
  const std::string host_veth = HostVethName(att);
  const std::string& ifname = inv.env.ifname;
  const std::string& netns = inv.env.netns;

  auto pod_nl = LibnlNetlink::Create({.netns = netns});
  if (!pod_nl.ok()) {
    if (absl::IsNotFound(pod_nl.status())) {
      return Fail(inv, kErrUnknownContainer, absl::StrCat("network namespace ", netns, " does not exist"),
                  std::string(pod_nl.status().message()));
    }
    return DataplaneFailure(inv, absl::StrCat("cannot open network namespace ", netns), pod_nl.status());
  }
  auto host_nl = LibnlNetlink::Create({});
  if (!host_nl.ok()) return DataplaneFailure(inv, "cannot open the host's netlink socket", host_nl.status());

  api::AddressRequest request{.name = name,
                              .host = inv.conf.node_name,
                              .namespace_name = inv.pod.pod_namespace.empty() ? "default" : inv.pod.pod_namespace,
                              .segment = Segment(inv)};
  auto alloc = romanad.AllocateAddress(request);
  if (!alloc.ok()) return RomanadFailure(inv, absl::StrCat("allocate an address for ", name, " on node ", inv.conf.node_name), alloc.status());
  const std::string ip = alloc->address.ip;
  spdlog::info("ADD {}: {} address {} (block {})", name, alloc->created ? "allocated" : "reusing", ip, alloc->address.block);
  AddRollback rollback(romanad, name);

  // A host veth with our derived name can only be a leftover of an earlier, interrupted ADD of
  // this very attachment: remove it.
  if (auto stale = (*host_nl)->GetLink(host_veth); stale.ok()) {
    spdlog::warn("ADD {}: removing stale host veth {}", name, host_veth);
    if (absl::Status s = (*host_nl)->DeleteLink(host_veth); !s.ok() && !absl::IsNotFound(s)) {
      return DataplaneFailure(inv, absl::StrCat("cannot remove stale host veth ", host_veth), s);
    }
  }
  absl::Status s = (*host_nl)->CreateVeth({.name = host_veth, .peer_name = ifname, .mtu = inv.conf.mtu, .peer_netns = netns});
  if (!s.ok()) {
    if (absl::IsAlreadyExists(s)) {
      return Fail(inv, kErrDataplane, absl::StrCat("interface ", ifname, " already exists in ", netns), std::string(s.message()));
    }
    return DataplaneFailure(inv, absl::StrCat("cannot create veth ", host_veth, " <-> ", ifname), s);
  }
  rollback.LinkCreated(host_nl->get(), host_veth);

  auto step = [&](absl::Status st, const std::string& what) -> std::optional<VerbOutcome> {
    if (st.ok()) return std::nullopt;
    return DataplaneFailure(inv, what, st);
  };
  if (auto f = step((*host_nl)->SetLinkUp(host_veth, true), "set host veth up")) return *f;
  if (auto f = step((*pod_nl)->SetLinkUp(ifname, true), absl::StrCat("set ", ifname, " up in the pod"))) return *f;
  auto host_link = (*host_nl)->GetLink(host_veth);
  if (!host_link.ok()) return DataplaneFailure(inv, "read host veth", host_link.status());
  auto pod_link = (*pod_nl)->GetLink(ifname);
  if (!pod_link.ok()) return DataplaneFailure(inv, "read pod interface", pod_link.status());
  if (auto f = step((*pod_nl)->AddAddress(ifname, absl::StrCat(ip, "/32")), absl::StrCat("add ", ip, "/32 to ", ifname))) return *f;
  if (auto f = step((*pod_nl)->AddRoute(GatewayRoute(ifname)), "add the gateway route in the pod")) return *f;
  if (auto f = step((*pod_nl)->SetNeighbor({.dev = ifname, .ip = kPodGateway, .mac = host_link->mac}),
                    "add the gateway neighbour in the pod")) return *f;
  if (auto f = step((*pod_nl)->AddRoute(DefaultRoute(ifname)), "add the default route in the pod")) return *f;
  // Replace: a route to this IP left by a pod that no longer exists must not block this one.
  if (auto f = step((*host_nl)->ReplaceRoute(HostRoute(ip, host_veth)), absl::StrCat("add host route ", ip, "/32"))) return *f;

  Result ours;
  ours.interfaces.push_back({.name = host_veth, .mac = host_link->mac, .mtu = host_link->mtu});
  ours.interfaces.push_back({.name = ifname, .mac = pod_link->mac, .sandbox = netns, .mtu = pod_link->mtu});
  ours.ips.push_back({.address = absl::StrCat(ip, "/32"), .gateway = kPodGateway, .interface = 1});
  ours.routes.push_back({.dst = "0.0.0.0/0", .gw = kPodGateway});
  Result full = ours;
  if (inv.conf.prev_result) {
    auto prev = ParseResult(*inv.conf.prev_result);
    if (!prev.ok()) return Fail(inv, kErrInvalidNetworkConfig, std::string(prev.status().message()));
    full = MergeResults(*prev, ours);
  }
  rollback.Dismiss();
  spdlog::info("ADD {}: {} on {} (host {}) done", name, ip, ifname, host_veth);
  return VerbOutcome{RenderResult(full, inv.conf.cni_version), std::nullopt, inv.conf.cni_version};
}

VerbOutcome DoDel(const Invocation& inv, api::Client& romanad) {
  const Attachment att{inv.env.container_id, inv.env.ifname};
  const std::string name = AddressName(att);
  const std::string host_veth = HostVethName(att);
  // The dataplane first, so the address is never handed out while a route still points here.
  auto host_nl = LibnlNetlink::Create({});
  if (!host_nl.ok()) return DataplaneFailure(inv, "cannot open the host's netlink socket", host_nl.status());
  absl::Status s = (*host_nl)->DeleteLink(host_veth);
  if (!s.ok() && !absl::IsNotFound(s)) return DataplaneFailure(inv, absl::StrCat("cannot delete host veth ", host_veth), s);
  spdlog::info("DEL {}: host veth {} {}", name, host_veth, s.ok() ? "deleted" : "already gone");
  auto released = romanad.ReleaseAddress(name);
  if (!released.ok() && !absl::IsNotFound(released.status())) {
    return RomanadFailure(inv, absl::StrCat("release the address of ", name), released.status());
  }
  spdlog::info("DEL {}: address {}", name, released.ok() ? "released " + released->ip : "already released");
  return VerbOutcome{std::nullopt, std::nullopt, inv.conf.cni_version};
}

VerbOutcome DoCheck(const Invocation& inv, api::Client& romanad) {
  const Attachment att{inv.env.container_id, inv.env.ifname};
  const std::string name = AddressName(att);
  const std::string host_veth = HostVethName(att);
  const std::string& ifname = inv.env.ifname;
  if (!inv.conf.prev_result) return Fail(inv, kErrInvalidNetworkConfig, "CHECK needs \"prevResult\"");
  auto prev = ParseResult(*inv.conf.prev_result);
  if (!prev.ok()) return Fail(inv, kErrInvalidNetworkConfig, std::string(prev.status().message()));
  auto mismatch = [&](std::string what) { return Fail(inv, kErrCheckFailed, std::move(what)); };

  // Find our two interfaces in the (possibly chained) result.
  int pod_index = -1;
  const Interface* host_iface = nullptr;
  for (size_t i = 0; i < prev->interfaces.size(); ++i) {
    const Interface& x = prev->interfaces[i];
    if (x.name == ifname && x.sandbox == inv.env.netns) pod_index = static_cast<int>(i);
    if (x.name == host_veth && x.sandbox.empty()) host_iface = &x;
  }
  if (pod_index < 0) return mismatch(absl::StrCat("prevResult has no interface ", ifname, " with sandbox ", inv.env.netns));
  if (host_iface == nullptr) return mismatch(absl::StrCat("prevResult has no host interface ", host_veth));
  std::vector<std::string> want_prefixes;
  for (const IpConfig& ip : prev->ips) {
    if (ip.interface == pod_index && ip.address.find(':') == std::string::npos) want_prefixes.push_back(ip.address);
  }
  if (want_prefixes.size() != 1) return mismatch(absl::StrCat("prevResult has ", want_prefixes.size(), " IPv4 addresses for ", ifname, ", expected 1"));
  const std::string prefix = want_prefixes[0];
  const std::string ip = prefix.substr(0, prefix.find('/'));

  auto addr = romanad.GetAddress(name);
  if (!addr.ok()) {
    if (absl::IsNotFound(addr.status())) return mismatch(absl::StrCat("romanad has no address named ", name));
    return RomanadFailure(inv, absl::StrCat("look up the address of ", name), addr.status());
  }
  if (addr->ip != ip) return mismatch(absl::StrCat("romanad has ", addr->ip, " for ", name, ", prevResult says ", ip));

  auto pod_nl = LibnlNetlink::Create({.netns = inv.env.netns});
  if (!pod_nl.ok()) return Fail(inv, kErrCheckFailed, absl::StrCat("network namespace ", inv.env.netns, " is not usable"), std::string(pod_nl.status().message()));
  auto host_nl = LibnlNetlink::Create({});
  if (!host_nl.ok()) return DataplaneFailure(inv, "cannot open the host's netlink socket", host_nl.status());

  auto pod_link = (*pod_nl)->GetLink(ifname);
  if (!pod_link.ok()) return mismatch(absl::StrCat("interface ", ifname, " is missing in ", inv.env.netns));
  auto host_link = (*host_nl)->GetLink(host_veth);
  if (!host_link.ok()) return mismatch(absl::StrCat("host veth ", host_veth, " is missing"));
  if (pod_link->kind != "veth" || pod_link->peer_index != host_link->index) {
    return mismatch(absl::StrCat(ifname, " is not the peer of host veth ", host_veth));
  }
  if (!pod_link->up || !host_link->up) return mismatch(absl::StrCat(pod_link->up ? host_veth : ifname, " is down"));
  if (pod_link->mtu != inv.conf.mtu) return mismatch(absl::StrCat(ifname, " has MTU ", pod_link->mtu, ", config says ", inv.conf.mtu));
  const Interface& pod_iface = prev->interfaces[pod_index];
  if (!pod_iface.mac.empty() && pod_iface.mac != pod_link->mac) return mismatch(absl::StrCat(ifname, " has MAC ", pod_link->mac, ", prevResult says ", pod_iface.mac));
  if (!host_iface->mac.empty() && host_iface->mac != host_link->mac) return mismatch(absl::StrCat(host_veth, " has MAC ", host_link->mac, ", prevResult says ", host_iface->mac));

  auto addrs = (*pod_nl)->ListAddresses(ifname);
  if (!addrs.ok()) return DataplaneFailure(inv, "list pod addresses", addrs.status());
  if (std::none_of(addrs->begin(), addrs->end(), [&](const netlink::Address& a) { return a.prefix == prefix; })) {
    return mismatch(absl::StrCat("address ", prefix, " is missing on ", ifname));
  }
  auto pod_routes = (*pod_nl)->ListRoutes({.table = netlink::kMainTable, .dev = ifname});
  if (!pod_routes.ok()) return DataplaneFailure(inv, "list pod routes", pod_routes.status());
  auto has_route = [](const std::vector<netlink::Route>& routes, const std::string& dst, const std::string& gw) {
    return std::any_of(routes.begin(), routes.end(), [&](const netlink::Route& r) { return r.dst == dst && r.gateway == gw; });
  };
  if (!has_route(*pod_routes, absl::StrCat(kPodGateway, "/32"), "")) return mismatch(absl::StrCat("route ", kPodGateway, "/32 dev ", ifname, " is missing in the pod"));
  if (!has_route(*pod_routes, "0.0.0.0/0", kPodGateway)) return mismatch("the pod's default route via 169.254.1.1 is missing");
  auto neigh = (*pod_nl)->ListNeighbors(ifname);
  if (!neigh.ok()) return DataplaneFailure(inv, "list pod neighbours", neigh.status());
  if (std::none_of(neigh->begin(), neigh->end(), [&](const netlink::Neighbor& n) {
        return n.ip == kPodGateway && n.mac == host_link->mac && n.permanent;
      })) {
    return mismatch(absl::StrCat("the pod's neighbour entry ", kPodGateway, " -> ", host_link->mac, " is missing"));
  }
  auto host_routes = (*host_nl)->ListRoutes({.table = netlink::kMainTable, .dev = host_veth});
  if (!host_routes.ok()) return DataplaneFailure(inv, "list host routes", host_routes.status());
  if (!has_route(*host_routes, absl::StrCat(ip, "/32"), "")) return mismatch(absl::StrCat("host route ", ip, "/32 dev ", host_veth, " is missing"));
  spdlog::info("CHECK {}: ok", name);
  return VerbOutcome{std::nullopt, std::nullopt, inv.conf.cni_version};
}

}  // namespace romana::cni
