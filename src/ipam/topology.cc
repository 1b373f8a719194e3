#include "ipam/topology.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/json_reader.h"
#include "ipam/errors.h"
#include "nlohmann/json.hpp"

namespace romana::ipam {
namespace {

using nlohmann::json;
using net::Ipv4Cidr;

std::string JsonType(const json& j) { return j.type_name(); }

absl::Status CheckKeys(const json& obj, const std::string& path,
                       std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      return InvalidField(absl::StrCat(path, ".", it.key()),
                          absl::StrCat("unknown key (allowed: ", absl::StrJoin(names, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> GetString(const json& obj, const std::string& path, const char* key,
                                      bool required) {
  auto it = obj.find(key);
  std::string p = absl::StrCat(path, ".", key);
  if (it == obj.end() || it->is_null()) {
    if (required) return InvalidField(p, "required");
    return std::string();
  }
  if (!it->is_string()) return InvalidField(p, absl::StrCat("must be a string, not ", JsonType(*it)));
  return it->get<std::string>();
}

absl::StatusOr<Labels> ParseLabels(const json& j, const std::string& path) {
  if (j.is_null()) return Labels();
  if (!j.is_object()) {
    return InvalidField(path, absl::StrCat("must be an object of label: value strings, not ", JsonType(j)));
  }
  Labels out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key().empty()) return InvalidField(path, "label names must not be empty");
    if (!it->is_string()) {
      return InvalidField(absl::StrCat(path, ".", it.key()),
                          absl::StrCat("label values must be strings, not ", JsonType(*it)));
    }
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

absl::StatusOr<HostSpec> ParseHost(const json& j, const std::string& path) {
  if (!j.is_object()) return InvalidField(path, absl::StrCat("a host must be an object, not ", JsonType(j)));
  if (absl::Status s = CheckKeys(j, path, {"name", "ip"}); !s.ok()) return s;
  HostSpec h;
  absl::StatusOr<std::string> name = GetString(j, path, "name", false);
  if (!name.ok()) return name.status();
  absl::StatusOr<std::string> ip = GetString(j, path, "ip", false);
  if (!ip.ok()) return ip.status();
  if (name->empty() || ip->empty()) {
    return InvalidField(absl::StrCat(path, name->empty() ? ".name" : ".ip"),
                        "both name and ip are required for hosts");
  }
  absl::StatusOr<net::Ipv4Address> addr = net::Ipv4Address::Parse(*ip);
  if (!addr.ok()) return InvalidField(absl::StrCat(path, ".ip"), addr.status().message());
  h.name = *name;
  h.ip = *addr;
  return h;
}

absl::StatusOr<GroupSpec> ParseGroup(const json& j, const std::string& path, int depth) {
  if (depth > 32) return InvalidField(path, "group tree deeper than 32 levels");
  if (!j.is_object()) return InvalidField(path, absl::StrCat("a group must be an object, not ", JsonType(j)));
  if (j.contains("ip")) {
    return InvalidField(path, "a host ({name, ip}) cannot stand next to groups: hosts go into a leaf "
                              "group's \"groups\" (or \"hosts\") array, and an array holds either "
                              "hosts or groups");
  }
  if (absl::Status s = CheckKeys(j, path, {"name", "assignment", "routing", "groups", "hosts", "cidr", "dummy"});
      !s.ok()) {
    return s;
  }
  GroupSpec g;
  absl::StatusOr<std::string> name = GetString(j, path, "name", false);
  if (!name.ok()) return name.status();
  g.name = *name;
  absl::StatusOr<std::string> routing = GetString(j, path, "routing", false);
  if (!routing.ok()) return routing.status();
  g.routing = *routing;
  if (auto it = j.find("cidr"); it != j.end() && !it->is_null() && !it->is_string()) {
    return InvalidField(path + ".cidr", "must be a string (it is ignored: group CIDRs are computed)");
  }
  if (auto it = j.find("dummy"); it != j.end() && !it->is_null() && !it->is_boolean()) {
    return InvalidField(path + ".dummy", "must be a boolean (it is ignored)");
  }
  if (auto it = j.find("assignment"); it != j.end()) {
    absl::StatusOr<Labels> a = ParseLabels(*it, path + ".assignment");
    if (!a.ok()) return a.status();
    g.assignment = *std::move(a);
  }
  if (auto it = j.find("groups"); it != j.end() && !it->is_null()) {
    std::string gp = path + ".groups";
    if (!it->is_array()) return InvalidField(gp, absl::StrCat("must be an array, not ", JsonType(*it)));
    // The first element decides whether the array lists hosts or groups; mixing is an error.
    bool hosts = !it->empty() && (*it)[0].is_object() && (*it)[0].contains("ip");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      std::string ep = absl::StrCat(gp, "[", i, "]");
      bool is_host = e.is_object() && e.contains("ip");
      if (is_host != hosts) {
        return InvalidField(ep, hosts ? "this array lists hosts (its first element has \"ip\"); a group cannot be mixed in"
                                      : "this array lists groups (its first element has no \"ip\"); a host cannot be mixed in");
      }
      if (hosts) {
        absl::StatusOr<HostSpec> h = ParseHost(e, ep);
        if (!h.ok()) return h.status();
        g.hosts.push_back(*h);
      } else {
        absl::StatusOr<GroupSpec> c = ParseGroup(e, ep, depth + 1);
        if (!c.ok()) return c.status();
        g.groups.push_back(*std::move(c));
      }
    }
  }
  if (auto it = j.find("hosts"); it != j.end() && !it->is_null()) {
    std::string hp = path + ".hosts";
    if (!it->is_array()) return InvalidField(hp, absl::StrCat("must be an array, not ", JsonType(*it)));
    if (!g.groups.empty() || !g.hosts.empty()) {
      return InvalidField(hp, "a group holds either sub-groups or hosts: \"hosts\" cannot be used "
                              "together with a non-empty \"groups\"");
    }
    g.hosts_in_hosts_key = true;
    for (size_t i = 0; i < it->size(); ++i) {
      absl::StatusOr<HostSpec> h = ParseHost((*it)[i], absl::StrCat(hp, "[", i, "]"));
      if (!h.ok()) return h.status();
      g.hosts.push_back(*h);
    }
  }
  return g;
}

absl::StatusOr<NetworkSpec> ParseNetwork(const json& j, const std::string& path) {
  if (!j.is_object()) return InvalidField(path, absl::StrCat("a network must be an object, not ", JsonType(j)));
  if (absl::Status s = CheckKeys(j, path, {"name", "cidr", "block_mask", "tenants", "reserved"}); !s.ok()) {
    return s;
  }
  NetworkSpec n;
  absl::StatusOr<std::string> name = GetString(j, path, "name", true);
  if (!name.ok()) return name.status();
  n.name = *name;
  absl::StatusOr<std::string> cidr = GetString(j, path, "cidr", true);
  if (!cidr.ok()) return cidr.status();
  absl::StatusOr<Ipv4Cidr> c = Ipv4Cidr::Parse(*cidr);
  if (!c.ok()) return InvalidField(path + ".cidr", c.status().message());
  n.cidr = *c;
  if (auto it = j.find("block_mask"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return InvalidField(path + ".block_mask", absl::StrCat("must be an integer, not ", JsonType(*it)));
    }
    int64_t bm = it->get<int64_t>();
    if (bm < 0 || bm > 32) {
      return InvalidField(path + ".block_mask", absl::StrCat("block_mask ", bm, " is out of range (",
                                                             n.cidr.length(), "..32)"));
    }
    n.block_mask = static_cast<int>(bm);
  }
  if (auto it = j.find("tenants"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidField(path + ".tenants", "must be an array of namespace names");
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) {
        return InvalidField(absl::StrCat(path, ".tenants[", i, "]"), "must be a string");
      }
      n.tenants.push_back((*it)[i].get<std::string>());
    }
  }
  if (auto it = j.find("reserved"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidField(path + ".reserved", "must be an array of CIDRs");
    for (size_t i = 0; i < it->size(); ++i) {
      std::string rp = absl::StrCat(path, ".reserved[", i, "]");
      if (!(*it)[i].is_string()) return InvalidField(rp, "must be a CIDR string");
      absl::StatusOr<Ipv4Cidr> r = net::ParseCidrOrAddress((*it)[i].get<std::string>());
      if (!r.ok()) return InvalidField(rp, r.status().message());
      n.reserved.push_back(*r);
    }
  }
  return n;
}

absl::StatusOr<TopologySpec> ParseJsonSpec(const json& root) {
  if (!root.is_object()) return InvalidField("", "the topology must be a JSON object");
  if (absl::Status s = CheckKeys(root, "", {"networks", "topologies"}); !s.ok()) {
    // CheckKeys builds ".key" paths; drop the leading dot at the top level.
    std::string field = ErrorField(s).value_or("");
    if (!field.empty() && field[0] == '.') field = field.substr(1);
    return InvalidField(field, "unknown key (allowed: networks, topologies)");
  }
  TopologySpec spec;
  auto nets = root.find("networks");
  if (nets == root.end() || !nets->is_array()) {
    return InvalidField("networks", "required: an array of {name, cidr, block_mask, tenants}");
  }
  for (size_t i = 0; i < nets->size(); ++i) {
    absl::StatusOr<NetworkSpec> n = ParseNetwork((*nets)[i], absl::StrCat("networks[", i, "]"));
    if (!n.ok()) return n.status();
    spec.networks.push_back(*std::move(n));
  }
  auto topos = root.find("topologies");
  if (topos == root.end() || !topos->is_array()) {
    return InvalidField("topologies", "required: an array of {networks, map}");
  }
  for (size_t t = 0; t < topos->size(); ++t) {
    const json& tj = (*topos)[t];
    std::string tp = absl::StrCat("topologies[", t, "]");
    if (!tj.is_object()) return InvalidField(tp, "a topology must be an object {networks, map}");
    if (absl::Status s = CheckKeys(tj, tp, {"networks", "map"}); !s.ok()) return s;
    TopologyDef def;
    auto tn = tj.find("networks");
    if (tn == tj.end() || !tn->is_array()) return InvalidField(tp + ".networks", "required: an array of network names");
    for (size_t i = 0; i < tn->size(); ++i) {
      if (!(*tn)[i].is_string()) return InvalidField(absl::StrCat(tp, ".networks[", i, "]"), "must be a network name");
      def.networks.push_back((*tn)[i].get<std::string>());
    }
    auto map = tj.find("map");
    if (map == tj.end() || !map->is_array()) return InvalidField(tp + ".map", "required: an array of groups");
    for (size_t i = 0; i < map->size(); ++i) {
      absl::StatusOr<GroupSpec> g = ParseGroup((*map)[i], absl::StrCat(tp, ".map[", i, "]"), 0);
      if (!g.ok()) return g.status();
      def.map.push_back(*std::move(g));
    }
    spec.topologies.push_back(std::move(def));
  }
  return spec;
}

bool ValidTenant(const std::string& t) {
  if (t == "*") return true;
  if (t.empty()) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

struct TreeCheck {
  const TopologySpec& spec;
  std::vector<const NetworkSpec*> nets;  // the networks this tree is applied to
  absl::flat_hash_map<std::string, uint32_t> names;  // host name -> ip, within the tree
  absl::flat_hash_map<uint32_t, std::string> ips;
};

absl::Status CheckGroups(const std::vector<GroupSpec>& groups, const std::string& path, int used_bits,
                         TreeCheck& tc, bool top) {
  int bits = net::BitLength(groups.size() - 1);
  for (const NetworkSpec* n : tc.nets) {
    int free = 32 - n->cidr.length();
    if (used_bits + bits > free) {
      return InvalidField(path, absl::StrCat("the tree does not fit network \"", n->name, "\" (",
                                             n->cidr.ToString(), "): ", groups.size(),
                                             " groups at this level need ", bits,
                                             " more prefix bits, but only ", free - used_bits, " are left"));
    }
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    const GroupSpec& g = groups[i];
    std::string gp = absl::StrCat(path, "[", i, "]");
    for (const auto& [k, v] : g.assignment) {
      if (k.empty()) return InvalidField(gp + ".assignment", "label names must not be empty");
    }
    if (!g.groups.empty() && !g.hosts.empty()) {
      return InvalidField(gp, "a group holds either sub-groups or hosts, not both");
    }
    if (!g.groups.empty()) {
      if (absl::Status s = CheckGroups(g.groups, gp + ".groups", used_bits + bits, tc, false); !s.ok()) return s;
      continue;
    }
    // A leaf: it must hold at least one block of every network it is applied to.
    for (const NetworkSpec* n : tc.nets) {
      int leaf_len = n->cidr.length() + used_bits + bits;
      int bm = n->EffectiveBlockMask();
      if (leaf_len > bm) {
        return InvalidField(gp, absl::StrCat("this leaf group gets a /", leaf_len, " of network \"", n->name,
                                             "\", smaller than one /", bm,
                                             " block (block_mask): use fewer groups or a longer block_mask"));
      }
    }
    for (size_t h = 0; h < g.hosts.size(); ++h) {
      const HostSpec& host = g.hosts[h];
      std::string hp = absl::StrCat(gp, g.hosts_in_hosts_key ? ".hosts[" : ".groups[", h, "]");
      if (!IsValidHostName(host.name)) {
        return InvalidField(hp + ".name", "host names are 1..253 characters of [A-Za-z0-9_.-]");
      }
      for (const NetworkSpec& n : tc.spec.networks) {
        if (n.cidr.Contains(host.ip)) {
          return InvalidField(hp + ".ip", absl::StrCat("host IP ", host.ip.ToString(), " lies inside network \"",
                                                       n.name, "\" (", n.cidr.ToString(),
                                                       "): node addresses must be outside pod networks"));
        }
      }
      if (auto it = tc.names.find(host.name); it != tc.names.end()) {
        return InvalidField(hp + ".name", absl::StrCat("duplicate host name \"", host.name, "\" in this topology"));
      }
      if (auto it = tc.ips.find(host.ip.value()); it != tc.ips.end()) {
        return InvalidField(hp + ".ip", absl::StrCat("duplicate host IP ", host.ip.ToString(), " (also host \"",
                                                     it->second, "\")"));
      }
      tc.names[host.name] = host.ip.value();
      tc.ips[host.ip.value()] = host.name;
    }
  }
  (void)top;
  return absl::OkStatus();
}

}  // namespace

int NetworkSpec::EffectiveBlockMask() const {
  if (block_mask != 0) return block_mask;
  return std::max(kDefaultBlockMask, cidr.length());
}

bool NetworkSpec::IsWildcard() const {
  return tenants.empty() || std::find(tenants.begin(), tenants.end(), "*") != tenants.end();
}

bool IsValidHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool IsValidNetworkName(std::string_view name) { return IsValidHostName(name) && name.size() <= 63; }

absl::Status ValidateTopology(const TopologySpec& spec) {
  if (spec.networks.empty()) return InvalidField("networks", "at least one network is required");
  absl::flat_hash_map<std::string, size_t> by_name;
  for (size_t i = 0; i < spec.networks.size(); ++i) {
    const NetworkSpec& n = spec.networks[i];
    std::string p = absl::StrCat("networks[", i, "]");
    if (n.name.empty()) return InvalidField(p + ".name", "required");
    if (!IsValidNetworkName(n.name)) {
      return InvalidField(p + ".name", "network names are 1..63 characters of [A-Za-z0-9_.-]");
    }
    if (auto [it, inserted] = by_name.emplace(n.name, i); !inserted) {
      return InvalidField(p + ".name", absl::StrCat("network \"", n.name, "\" is already defined at networks[",
                                                    it->second, "]"));
    }
    int bm = n.EffectiveBlockMask();
    if (bm < n.cidr.length() || bm > 32) {
      return InvalidField(p + ".block_mask", absl::StrCat("invalid block_mask ", bm, " for network \"", n.name,
                                                          "\": must be ", n.cidr.length(), " <= block_mask <= 32"));
    }
    for (size_t t = 0; t < n.tenants.size(); ++t) {
      if (!ValidTenant(n.tenants[t])) {
        return InvalidField(absl::StrCat(p, ".tenants[", t, "]"),
                            absl::StrCat("bad tenant (namespace) name \"", n.tenants[t],
                                         "\": use [A-Za-z0-9_-]+ or \"*\""));
      }
    }
    for (size_t r = 0; r < n.reserved.size(); ++r) {
      std::string rp = absl::StrCat(p, ".reserved[", r, "]");
      if (!n.cidr.Contains(n.reserved[r])) {
        return InvalidField(rp, absl::StrCat(n.reserved[r].ToString(), " is not inside the network's CIDR ",
                                             n.cidr.ToString()));
      }
      if (n.reserved[r] == n.cidr) return InvalidField(rp, "cannot reserve the whole network");
    }
    for (size_t j = 0; j < i; ++j) {
      const NetworkSpec& o = spec.networks[j];
      if (n.cidr.Overlaps(o.cidr)) {
        return InvalidField(p + ".cidr", absl::StrCat("CIDR ", n.cidr.ToString(), " of network \"", n.name,
                                                      "\" overlaps CIDR ", o.cidr.ToString(), " of network \"",
                                                      o.name, "\" (networks[", j, "])"));
      }
    }
  }
  absl::flat_hash_map<std::string, std::string> used;  // network -> where
  absl::flat_hash_map<std::string, uint32_t> host_ips;  // host name -> ip across trees
  for (size_t t = 0; t < spec.topologies.size(); ++t) {
    const TopologyDef& def = spec.topologies[t];
    std::string tp = absl::StrCat("topologies[", t, "]");
    if (def.networks.empty()) return InvalidField(tp + ".networks", "at least one network name is required");
    TreeCheck tc{spec, {}, {}, {}};
    for (size_t i = 0; i < def.networks.size(); ++i) {
      std::string np = absl::StrCat(tp, ".networks[", i, "]");
      auto it = by_name.find(def.networks[i]);
      if (it == by_name.end()) {
        return InvalidField(np, absl::StrCat("network \"", def.networks[i], "\" is not defined in \"networks\""));
      }
      if (auto [u, inserted] = used.emplace(def.networks[i], np); !inserted) {
        return InvalidField(np, absl::StrCat("network \"", def.networks[i], "\" appears more than once (also at ",
                                             u->second, ")"));
      }
      tc.nets.push_back(&spec.networks[it->second]);
    }
    if (def.map.empty()) return InvalidField(tp + ".map", "at least one group is required");
    if (absl::Status s = CheckGroups(def.map, tp + ".map", 0, tc, true); !s.ok()) return s;
    for (const auto& [name, ip] : tc.names) {
      auto [it, inserted] = host_ips.emplace(name, ip);
      if (!inserted && it->second != ip) {
        return InvalidField(tp + ".map", absl::StrCat("host \"", name, "\" has IP ", net::Ipv4Address(ip).ToString(),
                                                      " here but ", net::Ipv4Address(it->second).ToString(),
                                                      " in another topology"));
      }
    }
  }
  for (size_t i = 0; i < spec.networks.size(); ++i) {
    if (!used.contains(spec.networks[i].name)) {
      return InvalidField(absl::StrCat("networks[", i, "]"),
                          absl::StrCat("network \"", spec.networks[i].name,
                                       "\" is not used by any topology: add it to a topology's \"networks\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TopologySpec> ParseTopology(std::string_view json_text) {
  absl::StatusOr<json> root = api::ParseJson(absl::string_view(json_text.data(), json_text.size()));
  if (!root.ok()) return absl::InvalidArgumentError(absl::StrCat("topology: ", root.status().message()));
  absl::StatusOr<TopologySpec> spec = ParseJsonSpec(*root);
  if (!spec.ok()) return spec.status();
  if (absl::Status s = ValidateTopology(*spec); !s.ok()) return s;
  return spec;
}

namespace {

nlohmann::ordered_json GroupToJson(const GroupSpec& g) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (!g.name.empty()) j["name"] = g.name;
  if (!g.assignment.empty()) j["assignment"] = g.assignment;
  if (!g.routing.empty()) j["routing"] = g.routing;
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const GroupSpec& c : g.groups) arr.push_back(GroupToJson(c));
  nlohmann::ordered_json hosts = nlohmann::ordered_json::array();
  for (const HostSpec& h : g.hosts) hosts.push_back({{"name", h.name}, {"ip", h.ip.ToString()}});
  if (g.hosts_in_hosts_key) {
    j["hosts"] = hosts;
  } else {
    j["groups"] = g.hosts.empty() ? arr : hosts;
  }
  return j;
}

}  // namespace

std::string TopologyToJson(const TopologySpec& spec, int indent) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  root["networks"] = nlohmann::ordered_json::array();
  for (const NetworkSpec& n : spec.networks) {
    nlohmann::ordered_json j = {{"name", n.name}, {"cidr", n.cidr.ToString()}};
    if (n.block_mask != 0) j["block_mask"] = n.block_mask;
    if (!n.tenants.empty()) j["tenants"] = n.tenants;
    if (!n.reserved.empty()) {
      std::vector<std::string> r;
      for (const auto& c : n.reserved) r.push_back(c.ToString());
      j["reserved"] = r;
    }
    root["networks"].push_back(j);
  }
  root["topologies"] = nlohmann::ordered_json::array();
  for (const TopologyDef& t : spec.topologies) {
    nlohmann::ordered_json map = nlohmann::ordered_json::array();
    for (const GroupSpec& g : t.map) map.push_back(GroupToJson(g));
    root["topologies"].push_back({{"networks", t.networks}, {"map", map}});
  }
  return root.dump(indent);
}

}  // namespace romana::ipam
