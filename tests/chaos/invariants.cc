#include "invariants.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace romana::chaos {

std::vector<std::string> IpamProblems(const std::vector<api::Address>& addresses, const std::vector<api::Block>& blocks,
                                      const std::vector<LivePod>& live) {
  std::vector<std::string> problems;
  std::map<std::string, const LivePod*> pod_by_ip, pod_by_name;
  for (const LivePod& p : live) {
    if (auto [it, fresh] = pod_by_ip.emplace(p.ip, &p); !fresh) {
      problems.push_back(absl::StrCat("duplicate: live pods ", it->second->address_name, " and ", p.address_name,
                                      " both have ", p.ip));
    }
    pod_by_name.emplace(p.address_name, &p);
  }
  std::map<std::string, const api::Address*> address_by_ip, address_by_name;
  for (const api::Address& a : addresses) {
    if (auto [it, fresh] = address_by_ip.emplace(a.ip, &a); !fresh) {
      problems.push_back(absl::StrCat("duplicate: addresses ", it->second->name, " and ", a.name, " both hold ", a.ip));
    }
    address_by_name.emplace(a.name, &a);
    auto pod = pod_by_name.find(a.name);
    if (pod == pod_by_name.end()) {
      problems.push_back(absl::StrCat("leaked: address ", a.name, " (", a.ip, " on ", a.host, ") belongs to no live pod"));
    } else if (pod->second->ip != a.ip || pod->second->node != a.host) {
      problems.push_back(absl::StrCat("mismatch: pod ", a.name, " has ", pod->second->ip, " on ", pod->second->node,
                                      ", romanad says ", a.ip, " on ", a.host));
    }
  }
  for (const LivePod& p : live) {
    if (!address_by_name.contains(p.address_name)) {
      problems.push_back(absl::StrCat("missing: live pod ", p.address_name, " (", p.ip, ") has no address in romanad"));
    }
  }
  std::map<std::string, int64_t> in_block;
  std::map<std::string, const api::Block*> block_by_cidr;
  for (const api::Block& b : blocks) block_by_cidr[b.cidr] = &b;
  for (const api::Address& a : addresses) {
    auto b = block_by_cidr.find(a.block);
    if (b == block_by_cidr.end()) {
      problems.push_back(absl::StrCat("address ", a.name, " (", a.ip, ") is in block ", a.block, ", which does not exist"));
    } else if (b->second->host != a.host) {
      problems.push_back(absl::StrCat("address ", a.name, " is on ", a.host, " but its block ", a.block, " is ",
                                      b->second->host, "'s"));
    }
    ++in_block[a.block];
  }
  for (const api::Block& b : blocks) {
    if (b.allocated != in_block[b.cidr]) {
      problems.push_back(absl::StrCat("block ", b.cidr, " of ", b.host, " counts ", b.allocated, " allocated, holds ",
                                      in_block[b.cidr], " addresses"));
    }
  }
  return problems;
}

std::vector<std::string> AttachmentProblems(const std::string& routes_json, const std::string& links_json,
                                            const std::vector<LivePod>& pods_on_node) {
  std::vector<std::string> problems;
  nlohmann::json routes = nlohmann::json::parse(routes_json.empty() ? "[]" : routes_json, nullptr, false);
  nlohmann::json links = nlohmann::json::parse(links_json.empty() ? "[]" : links_json, nullptr, false);
  if (!routes.is_array() || !links.is_array()) return {"unreadable `ip -j` output: " + routes_json + links_json};
  std::set<std::string> veths;
  for (const nlohmann::json& l : links) {
    const std::string name = l.value("ifname", "");
    if (name.starts_with("romana")) veths.insert(name);
  }
  std::map<std::string, std::string> dev_by_ip;
  std::set<std::string> used_veths;
  for (const nlohmann::json& r : routes) {
    std::string dst = r.value("dst", "");
    if (dst.ends_with("/32")) dst.resize(dst.size() - 3);
    const std::string dev = r.value("dev", "");
    if (!veths.contains(dev)) continue;  // not a pod route (e.g. the node's own link routes)
    dev_by_ip[dst] = dev;
    if (!used_veths.insert(dev).second) problems.push_back(absl::StrCat("veth ", dev, " carries two pod routes"));
  }
  std::set<std::string> live_ips;
  for (const LivePod& p : pods_on_node) {
    live_ips.insert(p.ip);
    if (!dev_by_ip.contains(p.ip)) {
      problems.push_back(absl::StrCat("missing: no route to live pod ", p.address_name, " (", p.ip, ")"));
    }
  }
  for (const auto& [ip, dev] : dev_by_ip) {
    if (!live_ips.contains(ip)) problems.push_back(absl::StrCat("leaked: route to ", ip, " via ", dev, " (no live pod)"));
  }
  for (const std::string& v : veths) {
    if (!used_veths.contains(v)) problems.push_back(absl::StrCat("leaked: host veth ", v, " routes no pod"));
  }
  return problems;
}

}  // namespace romana::chaos
