#include "aws/vpcrouter/route_spec.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

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

// A group or host object and where it came from (for errors).
struct Record {
  std::string where;
  json object;
};

// Group membership is stored in the host records ("groups": {network: path}), so the hosts of a
// group are the hosts naming it (a host naming a group the list does not have is ignored: the
// two lists may have been read at different times). Every leaf, non-padding group with a CIDR
// and at least one host maps its CIDR to its hosts' IPs; groups of several networks with the
// same CIDR share it.
absl::StatusOr<RouteSpec> SpecFromGroupsAndHosts(const std::vector<Record>& groups, const std::vector<Record>& hosts) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> ips_of;  // (network, path) -> IPs
  for (const Record& h : hosts) {
    const json& host = h.object;
    if (!host.is_object() || !host.contains("ip") || !host["ip"].is_string()) {
      return absl::InvalidArgumentError(h.where + ": every host needs an \"ip\" string");
    }
    const json in = host.value("groups", json::object());
    if (in.is_null()) continue;
    if (!in.is_object()) return absl::InvalidArgumentError(h.where + ".groups: not an object {network: path}");
    for (auto it = in.begin(); it != in.end(); ++it) {
      if (!it.value().is_string()) return absl::InvalidArgumentError(h.where + ".groups: paths must be strings");
      ips_of[{it.key(), it.value().get<std::string>()}].push_back(host["ip"]);
    }
  }
  RouteSpec spec;
  for (const Record& r : groups) {
    const json& group = r.object;
    if (!group.is_object()) return absl::InvalidArgumentError(r.where + ": not an object");
    auto text = [&](const char* key) {
      auto it = group.find(key);
      return it != group.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto flag = [&](const char* key) {
      auto it = group.find(key);
      return it != group.end() && it->is_boolean() && it->get<bool>();
    };
    if (!flag("leaf") || flag("padding")) continue;
    auto members = ips_of.find({text("network"), text("path")});
    if (members == ips_of.end()) continue;
    if (!group.contains("cidr") || !group["cidr"].is_string()) return absl::InvalidArgumentError(r.where + ": no \"cidr\"");
    absl::StatusOr<std::string> cidr = CanonicalCidr(group["cidr"], r.where + ".cidr");
    if (!cidr.ok()) return cidr.status();
    std::vector<std::string> ips = members->second;
    if (auto existing = spec.find(*cidr); existing != spec.end()) {
      ips.insert(ips.end(), existing->second.begin(), existing->second.end());
    }
    if (absl::Status s = AddHosts(spec, *cidr, ips, r.where); !s.ok()) return s;
  }
  return spec;
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
  std::vector<Record> groups, hosts;
  for (size_t i = 0; i < g["groups"].size(); ++i) groups.push_back({absl::StrCat("romanad groups[", i, "]"), g["groups"][i]});
  for (size_t i = 0; i < h["hosts"].size(); ++i) hosts.push_back({absl::StrCat("romanad hosts[", i, "]"), h["hosts"][i]});
  return SpecFromGroupsAndHosts(groups, hosts);
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

absl::StatusOr<RouteSpec> RouteSpecFromStoreRecords(const std::vector<std::pair<std::string, std::string>>& groups,
                                                   const std::vector<std::pair<std::string, std::string>>& hosts) {
  std::vector<Record> group_records, host_records;
  for (const auto& [key, value] : groups) {
    json j = json::parse(value, nullptr, false);
    if (j.is_discarded()) return absl::InvalidArgumentError(absl::StrCat("group record ", key, ": not a JSON object"));
    group_records.push_back({absl::StrCat("group record ", key), std::move(j)});
  }
  for (const auto& [key, value] : hosts) {
    json j = json::parse(value, nullptr, false);
    if (j.is_discarded()) return absl::InvalidArgumentError(absl::StrCat("host record ", key, ": not a JSON object"));
    host_records.push_back({absl::StrCat("host record ", key), std::move(j)});
  }
  return SpecFromGroupsAndHosts(group_records, host_records);
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
