// GC and STATUS (CNI 1.1.0).
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cni/names.h"
#include "cni/verbs.h"
#include "netlink/libnl_netlink.h"
#include "spdlog/spdlog.h"

namespace romana::cni {

VerbOutcome DoGc(const Invocation& inv, api::Client& romanad) {
  if (!inv.conf.valid_attachments) {
    return Fail(inv, kErrInvalidNetworkConfig, "GC needs \"cni.dev/valid-attachments\" (an empty list releases everything)");
  }
  const std::set<Attachment> valid(inv.conf.valid_attachments->begin(), inv.conf.valid_attachments->end());
  std::set<std::string> valid_veths;
  for (const Attachment& a : valid) valid_veths.insert(HostVethName(a));

  auto addresses = romanad.ListAddresses(inv.conf.node_name);
  if (!addresses.ok()) return RomanadFailure(inv, absl::StrCat("list the addresses of node ", inv.conf.node_name), addresses.status());
  auto host_nl = netlink::LibnlNetlink::Create({});
  if (!host_nl.ok()) return DataplaneFailure(inv, "cannot open the host's netlink socket", host_nl.status());

  std::vector<std::string> errors;
  int released = 0, links_removed = 0;
  for (const api::Address& addr : addresses->items) {
    std::optional<Attachment> att = ParseAddressName(addr.name);
    if (!att || valid.count(*att)) continue;  // not a CNI attachment, or still in use
    const std::string veth = HostVethName(*att);
    if (absl::Status s = (*host_nl)->DeleteLink(veth); s.ok()) {
      ++links_removed;
    } else if (!absl::IsNotFound(s)) {
      errors.push_back(std::string(s.message()));
      continue;  // keep the address while its link may still route to it
    }
    auto r = romanad.ReleaseAddress(addr.name);
    if (r.ok()) {
      ++released;
      spdlog::info("GC: released {} ({})", addr.ip, addr.name);
    } else if (!absl::IsNotFound(r.status())) {
      errors.push_back(absl::StrCat("release ", addr.name, ": ", r.status().message()));
    }
  }
  // Host veths of ours (romana + 9 hex digits) that belong to no valid attachment.
  auto is_ours = [](const std::string& n) {
    return n.size() == 15 && n.rfind(kHostVethPrefix, 0) == 0 &&
           n.find_first_not_of("0123456789abcdef", 6) == std::string::npos;
  };
  auto links = (*host_nl)->ListLinks();
  if (!links.ok()) {
    errors.push_back(std::string(links.status().message()));
  } else {
    for (const netlink::Link& l : *links) {
      if (l.kind != "veth" || !is_ours(l.name) || valid_veths.count(l.name)) continue;
      if (absl::Status s = (*host_nl)->DeleteLink(l.name); s.ok()) {
        ++links_removed;
        spdlog::info("GC: removed stale host veth {}", l.name);
      } else if (!absl::IsNotFound(s)) {
        errors.push_back(std::string(s.message()));
      }
    }
  }
  spdlog::info("GC: {} valid attachments, {} addresses released, {} host veths removed", valid.size(), released, links_removed);
  if (!errors.empty()) {
    return Fail(inv, kErrDataplane, absl::StrCat("GC could not remove everything (", errors.size(), " errors)"),
                absl::StrJoin(errors, "; "));
  }
  return VerbOutcome{std::nullopt, std::nullopt, inv.conf.cni_version};
}

VerbOutcome DoStatus(const Invocation& inv, api::Client& romanad) {
  if (absl::Status s = romanad.Readyz(); !s.ok()) {
    return Fail(inv, kErrPluginNotAvailable, absl::StrCat("romanad at ", inv.conf.romanad, " is not available"),
                std::string(s.message()));
  }
  auto host = romanad.GetHost(inv.conf.node_name);
  if (!host.ok()) {
    return Fail(inv, kErrPluginNotAvailable,
                absl::IsNotFound(host.status())
                    ? absl::StrCat("node ", inv.conf.node_name, " is not registered with romanad")
                    : absl::StrCat("romanad at ", inv.conf.romanad, " is not available"),
                std::string(host.status().message()));
  }
  return VerbOutcome{std::nullopt, std::nullopt, inv.conf.cni_version};
}

}  // namespace romana::cni
