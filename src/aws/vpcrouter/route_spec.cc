#include "aws/vpcrouter/route_spec.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "net/ipv4.h"
#include "nlohmann/json.hpp"

namespace romana::vpcrouter {
namespace {

using nlohmann::json;

absl::StatusOr<std::string> CanonicalCidr(const std::string& text, const std::string& where) {
  if (text.find('/') == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": '", text, "' is not a CIDR (a.b.c.d/n)"));
  }
  absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(text);
  if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": '", text, "': ", c.status().message()));
  return c->ToString();
}

absl::Status AddHosts(RouteSpec& spec, const std::string& cidr, const std::vector<std::string>& ips,
                      const std::string& where) {
  std::set<std::string> unique;
  for (const std::string& ip : ips) {
    absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(ip);
    if (!a.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": host '", ip, "' is not an IPv4 address"));
    }
    unique.insert(a->ToString());
  }
  spec[cidr] = std::vector<std::string>(unique.begin(), unique.end());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RouteSpec> ParseRouteSpecJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("route spec: not valid JSON");
  if (!j.is_object()) {
    return absl::InvalidArgumentError("route spec: top level must be an object {\"cidr\": [\"ip\", ...]}");
  }
  RouteSpec spec;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string where = absl::StrCat("route spec[\"", it.key(), "\"]");
    absl::StatusOr<std::string> cidr = CanonicalCidr(it.key(), where);
    if (!cidr.ok()) return cidr.status();
    if (!it.value().is_array()) return absl::InvalidArgumentError(absl::StrCat(where, ": value must be a list of IPs"));
    std::vector<std::string> ips;
    for (const json& h : it.value()) {
      if (!h.is_string()) return absl::InvalidArgumentError(absl::StrCat(where, ": every host must be a string"));
      ips.push_back(h.get<std::string>());
    }
    if (spec.count(*cidr)) return absl::InvalidArgumentError(absl::StrCat(where, ": duplicate of ", *cidr));
    if (absl::Status s = AddHosts(spec, *cidr, ips, where); !s.ok()) return s;
  }
  return spec;
}

absl::StatusOr<RouteSpec> RouteSpecFromRomanad(const std::string& groups_json, const std::string& hosts_json) {
  json g = json::parse(groups_json, nullptr, false);
  json h = json::parse(hosts_json, nullptr, false);
  if (g.is_discarded() || !g.is_object() || !g.contains("groups") || !g["groups"].is_array()) {
    return absl::InvalidArgumentError("romanad GET /groups: expected {\"groups\": [...]}");
  }
  if (h.is_discarded() || !h.is_object() || !h.contains("hosts") || !h["hosts"].is_array()) {
    return absl::InvalidArgumentError("romanad GET /hosts: expected {\"hosts\": [...]}");
  }
  std::map<std::string, std::string> ip_of;
  for (const json& host : h["hosts"]) {
    if (!host.is_object() || !host.contains("name") || !host.contains("ip") || !host["name"].is_string() ||
        !host["ip"].is_string()) {
      return absl::InvalidArgumentError("romanad GET /hosts: every host needs \"name\" and \"ip\" strings");
    }
    ip_of[host["name"]] = host["ip"];
  }
  RouteSpec spec;
  for (size_t i = 0; i < g["groups"].size(); ++i) {
    const json& group = g["groups"][i];
    const std::string where = absl::StrCat("romanad groups[", i, "]");
    if (!group.is_object()) return absl::InvalidArgumentError(where + ": not an object");
    if (group.value("padding", false)) continue;
    const std::string cidr_text = group.value("cidr", "");
    if (cidr_text.empty() || !group.contains("hosts") || !group["hosts"].is_array() || group["hosts"].empty()) {
      continue;
    }
    absl::StatusOr<std::string> cidr = CanonicalCidr(cidr_text, where + ".cidr");
    if (!cidr.ok()) return cidr.status();
    std::vector<std::string> ips;
    for (const json& name : group["hosts"]) {
      if (!name.is_string()) return absl::InvalidArgumentError(where + ".hosts: names must be strings");
      auto it = ip_of.find(name.get<std::string>());
      if (it == ip_of.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".hosts: host '", name.get<std::string>(), "' is not in GET /hosts"));
      }
      ips.push_back(it->second);
    }
    // Several networks may give the same CIDR only if they agree; merge their hosts.
    if (auto existing = spec.find(*cidr); existing != spec.end()) {
      ips.insert(ips.end(), existing->second.begin(), existing->second.end());
    }
    if (absl::Status s = AddHosts(spec, *cidr, ips, where); !s.ok()) return s;
  }
  return spec;
}

namespace {
absl::Status WalkLegacy(const json& g, RouteSpec& spec, const std::string& where) {
  if (!g.is_object()) return absl::OkStatus();
  if (g.contains("groups") && g["groups"].is_array()) {
    for (size_t i = 0; i < g["groups"].size(); ++i) {
      if (absl::Status s = WalkLegacy(g["groups"][i], spec, absl::StrCat(where, ".groups[", i, "]")); !s.ok()) return s;
    }
  }
  if (g.contains("cidr") && g["cidr"].is_string() && !g["cidr"].get<std::string>().empty() &&
      g.contains("hosts") && g["hosts"].is_array() && !g["hosts"].empty()) {
    absl::StatusOr<std::string> cidr = CanonicalCidr(g["cidr"], where + ".cidr");
    if (!cidr.ok()) return cidr.status();
    std::vector<std::string> ips;
    for (const json& h : g["hosts"]) {
      if (!h.is_object() || !h.contains("ip") || !h["ip"].is_string()) {
        return absl::InvalidArgumentError(where + ".hosts: every host needs an \"ip\"");
      }
      ips.push_back(h["ip"]);
    }
    return AddHosts(spec, *cidr, ips, where);
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<RouteSpec> RouteSpecFromLegacyIpam(const std::string& ipam_json) {
  json j = json::parse(ipam_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::InvalidArgumentError("IPAM data: not a JSON object");
  RouteSpec spec;
  if (!j.contains("networks") || !j["networks"].is_object()) return spec;
  for (auto it = j["networks"].begin(); it != j["networks"].end(); ++it) {
    if (!it.value().is_object() || !it.value().contains("host_groups")) continue;
    if (absl::Status s = WalkLegacy(it.value()["host_groups"], spec,
                                    absl::StrCat("networks[\"", it.key(), "\"].host_groups"));
        !s.ok()) {
      return s;
    }
  }
  return spec;
}

absl::StatusOr<RouteSpec> RouteSpecFromGroupRecords(
    const std::vector<std::pair<std::string, std::string>>& key_values) {
  RouteSpec spec;
  for (const auto& [key, value] : key_values) {
    json g = json::parse(value, nullptr, false);
    if (g.is_discarded() || !g.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("group record ", key, ": not a JSON object"));
    }
    if (!g.value("leaf", false) || g.value("padding", false)) continue;
    if (!g.contains("host_ips") || !g["host_ips"].is_array() || g["host_ips"].empty()) continue;
    const std::string where = absl::StrCat("group record ", key);
    if (!g.contains("cidr") || !g["cidr"].is_string()) return absl::InvalidArgumentError(where + ": no \"cidr\"");
    absl::StatusOr<std::string> cidr = CanonicalCidr(g["cidr"], where + ".cidr");
    if (!cidr.ok()) return cidr.status();
    std::vector<std::string> ips;
    for (const json& ip : g["host_ips"]) {
      if (!ip.is_string()) return absl::InvalidArgumentError(where + ".host_ips: must be strings");
      ips.push_back(ip);
    }
    if (auto existing = spec.find(*cidr); existing != spec.end()) {
      ips.insert(ips.end(), existing->second.begin(), existing->second.end());
    }
    if (absl::Status s = AddHosts(spec, *cidr, ips, where); !s.ok()) return s;
  }
  return spec;
}

namespace {
absl::Status AddNetworkCidr(const json& network, const std::string& where, std::set<std::string>& out) {
  if (!network.is_object() || !network.contains("cidr") || !network["cidr"].is_string()) {
    return absl::InvalidArgumentError(where + ": needs a \"cidr\" string");
  }
  absl::StatusOr<std::string> cidr = CanonicalCidr(network["cidr"], where + ".cidr");
  if (!cidr.ok()) return cidr.status();
  out.insert(*cidr);
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<std::vector<std::string>> NetworkCidrsFromRomanad(const std::string& networks_json) {
  json j = json::parse(networks_json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("networks") || !j["networks"].is_array()) {
    return absl::InvalidArgumentError("romanad GET /networks: expected {\"networks\": [...]}");
  }
  std::set<std::string> cidrs;
  for (size_t i = 0; i < j["networks"].size(); ++i) {
    if (absl::Status s = AddNetworkCidr(j["networks"][i], absl::StrCat("romanad networks[", i, "]"), cidrs); !s.ok()) {
      return s;
    }
  }
  return std::vector<std::string>(cidrs.begin(), cidrs.end());
}

absl::StatusOr<std::vector<std::string>> NetworkCidrsFromRecords(
    const std::vector<std::pair<std::string, std::string>>& key_values) {
  std::set<std::string> cidrs;
  for (const auto& [key, value] : key_values) {
    json n = json::parse(value, nullptr, false);
    if (absl::Status s = AddNetworkCidr(n, absl::StrCat("network record ", key), cidrs); !s.ok()) return s;
  }
  return std::vector<std::string>(cidrs.begin(), cidrs.end());
}

bool RoutesNothing(const RouteSpec& spec) {
  return std::all_of(spec.begin(), spec.end(), [](const auto& entry) { return entry.second.empty(); });
}

std::vector<std::string> AllHosts(const RouteSpec& spec) {
  std::set<std::string> all;
  for (const auto& [cidr, hosts] : spec) all.insert(hosts.begin(), hosts.end());
  return std::vector<std::string>(all.begin(), all.end());
}

std::string RouteSpecToJson(const RouteSpec& spec) {
  json j = json::object();
  for (const auto& [cidr, hosts] : spec) j[cidr] = hosts;
  return j.dump();
}

}  // namespace romana::vpcrouter
