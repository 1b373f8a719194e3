#include "cli/tables.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"

namespace romana::cli {

std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const nlohmann::json& v = j[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

Table HostsTable(const nlohmann::json& j) {
  Table t{{"NAME", "IP", "GROUPS", "LABELS"}, {}};
  const nlohmann::json items = j.contains("hosts") ? j["hosts"] : nlohmann::json::array({j});
  for (const auto& h : items) t.rows.push_back({Str(h, "name"), Str(h, "ip"), LabelsText(h.value("groups", nlohmann::json::object())), LabelsText(h.value("labels", nlohmann::json::object()))});
  return t;
}

Table HostStatusesTable(const nlohmann::json& j) {
  Table t{{"HOST", "UPDATED", "POLICY_ERRORS", "ERROR"}, {}};
  const nlohmann::json items = j.contains("hoststatus") ? j["hoststatus"] : nlohmann::json::array({j});
  for (const auto& h : items) {
    t.rows.push_back({Str(h, "host"), Str(h, "updated"), Str(h, "policy_error_count"), ""});
    for (const auto& e : h.value("policy_errors", nlohmann::json::array())) {
      t.rows.push_back({"", "", "", e.is_string() ? e.get<std::string>() : e.dump()});
    }
  }
  return t;
}

Table NetworksTable(const nlohmann::json& j) {
  Table t{{"NAME", "CIDR", "BLOCK_MASK"}, {}};
  const nlohmann::json items = j.contains("networks") && j["networks"].is_array() ? j["networks"] : nlohmann::json::array({j});
  for (const auto& n : items) t.rows.push_back({Str(n, "name"), Str(n, "cidr"), Str(n, "block_mask")});
  return t;
}

Table BlocksTable(const nlohmann::json& j) {
  Table t{{"NETWORK", "CIDR", "GROUP", "HOST", "OWNER", "ALLOCATED"}, {}};
  for (const auto& b : j["blocks"]) t.rows.push_back({Str(b, "network"), Str(b, "cidr"), Str(b, "group"), Str(b, "host"), Str(b, "owner"), Str(b, "allocated")});
  return t;
}

Table GroupsTable(const nlohmann::json& groups, const nlohmann::json& hosts) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> members;  // (network, path) -> names
  for (const auto& h : hosts.value("hosts", nlohmann::json::array())) {
    const nlohmann::json in = h.value("groups", nlohmann::json::object());
    if (!in.is_object()) continue;
    for (const auto& [network, path] : in.items()) {
      if (path.is_string()) members[{network, path.get<std::string>()}].push_back(Str(h, "name"));
    }
  }
  Table t{{"NETWORK", "PATH", "NAME", "CIDR", "LEAF", "ASSIGNMENT", "HOSTS"}, {}};
  for (const auto& g : groups.value("groups", nlohmann::json::array())) {
    std::vector<std::string>& hosts = members[{Str(g, "network"), Str(g, "path")}];
    std::sort(hosts.begin(), hosts.end());
    std::string leaf = g.value("padding", false) ? "padding" : (g.value("leaf", false) ? "yes" : "no");
    t.rows.push_back({Str(g, "network"), Str(g, "path"), Str(g, "name"), Str(g, "cidr"), leaf,
                      LabelsText(g.value("assignment", nlohmann::json::object())), absl::StrJoin(hosts, ",")});
  }
  return t;
}

Table AddressesTable(const nlohmann::json& j) {
  Table t{{"NAME", "IP", "HOST", "NETWORK", "BLOCK", "NAMESPACE", "SEGMENT"}, {}};
  const nlohmann::json items = j.contains("addresses") ? j["addresses"] : nlohmann::json::array({j});
  for (const auto& a : items) t.rows.push_back({Str(a, "name"), Str(a, "ip"), Str(a, "host"), Str(a, "network"), Str(a, "block"), Str(a, "namespace"), Str(a, "segment")});
  return t;
}

Table PoliciesTable(const nlohmann::json& j) {
  Table t{{"ID", "DIRECTION", "APPLIED_TO", "PEERS", "RULES", "DESCRIPTION"}, {}};
  const nlohmann::json items = j.contains("policies") ? j["policies"] : nlohmann::json::array({j});
  for (const auto& p : items) {
    size_t peers = 0, rules = 0;
    for (const auto& g : p.value("ingress", nlohmann::json::array())) {
      peers += g.value("peers", nlohmann::json::array()).size();
      rules += g.value("rules", nlohmann::json::array()).size();
    }
    t.rows.push_back({Str(p, "id"), Str(p, "direction"), std::to_string(p.value("applied_to", nlohmann::json::array()).size()),
                      std::to_string(peers), std::to_string(rules), Str(p, "description")});
  }
  return t;
}

Table NetworkPoliciesTable(const nlohmann::json& j) {
  Table t{{"NAMESPACE", "NAME", "POD-SELECTOR", "POLICY-TYPES", "INGRESS", "EGRESS"}, {}};
  const nlohmann::json items = j.contains("networkpolicies") ? j["networkpolicies"] : nlohmann::json::array({j});
  for (const auto& np : items) {
    const nlohmann::json meta = np.value("metadata", nlohmann::json::object());
    const nlohmann::json spec = np.value("spec", nlohmann::json::object());
    std::vector<std::string> types;
    for (const auto& type : spec.value("policyTypes", nlohmann::json::array())) {
      types.push_back(type.is_string() ? type.get<std::string>() : type.dump());
    }
    t.rows.push_back({Str(meta, "namespace"), Str(meta, "name"),
                      LabelSelectorText(spec.value("podSelector", nlohmann::json::object())),
                      types.empty() ? "<default>" : absl::StrJoin(types, ","),
                      std::to_string(spec.value("ingress", nlohmann::json::array()).size()),
                      std::to_string(spec.value("egress", nlohmann::json::array()).size())});
  }
  return t;
}

Table VipsTable(const nlohmann::json& j) {
  Table t{{"NAMESPACE", "NAME", "IP", "NODE", "PORTS"}, {}};
  const nlohmann::json items = j.contains("vips") ? j["vips"] : nlohmann::json::array({j});
  for (const auto& v : items) {
    std::string ports;
    for (const auto& p : v.value("ports", nlohmann::json::array())) {
      ports += (ports.empty() ? "" : ",") + Str(p, "port") + "/" + Str(p, "protocol");
    }
    const std::string node = Str(v, "node");
    t.rows.push_back({Str(v, "namespace"), Str(v, "name"), Str(v, "ip"), node.empty() ? "<none>" : node, ports});
  }
  return t;
}

}  // namespace romana::cli
