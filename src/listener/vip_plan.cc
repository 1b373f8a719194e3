#include "listener/vip_plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/json_reader.h"
#include "api/types.h"
#include "listener/vip_external_ips.h"
#include "net/ipv4.h"

namespace romana::listener {
namespace {

using nlohmann::json;

std::string KeyOf(const std::string& ns, const std::string& name) { return absl::StrCat(ns, "/", name); }

const json& At(const json& j, const char* key) {
  static const json* null = new json();
  if (!j.is_object()) return *null;
  auto it = j.find(key);
  return it == j.end() ? *null : *it;
}

std::string StringAt(const json& j, const char* key) {
  const json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace

absl::StatusOr<VipAnnotation> ParseVipAnnotation(const std::string& value) {
  const std::string trimmed(absl::StripAsciiWhitespace(value));
  if (!trimmed.empty() && trimmed.front() != '{') {  // a bare address
    if (absl::Status s = api::CheckVipAddress(trimmed, kVipAnnotation); !s.ok()) return s;
    return VipAnnotation{.auto_ip = false, .ip = trimmed};
  }
  absl::StatusOr<json> j = api::ParseJson(trimmed);
  if (!j.ok()) return api::FieldError(kVipAnnotation, absl::StrCat("not JSON: ", j.status().message()));
  api::ObjectReader r(*j, kVipAnnotation);
  VipAnnotation a;
  a.auto_ip = r.Bool("auto");
  a.ip = r.String("ip");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  const std::string ip_field = absl::StrCat(kVipAnnotation, ".ip");
  if (a.auto_ip && !a.ip.empty()) return api::FieldError(ip_field, "give either \"auto\": true or an \"ip\", not both");
  if (!a.auto_ip && a.ip.empty()) return api::FieldError(ip_field, "required unless \"auto\" is true");
  if (!a.auto_ip) {
    if (absl::Status s = api::CheckVipAddress(a.ip, ip_field); !s.ok()) return s;
  }
  return a;
}

json ReduceVipService(const json& service) {
  const json& md = At(service, "metadata");
  json out = {{"metadata", {{"namespace", StringAt(md, "namespace")},
                            {"name", StringAt(md, "name")},
                            {"uid", StringAt(md, "uid")},
                            {"resourceVersion", StringAt(md, "resourceVersion")}}}};
  for (const char* key : {kVipAnnotation, kVipExternalIpAnnotation}) {
    const json& value = At(At(md, "annotations"), key);
    if (value.is_string()) out["metadata"]["annotations"][key] = value;
  }
  if (const json& ips = At(At(service, "spec"), "externalIPs"); ips.is_array()) out["externalIPs"] = ips;
  json ports = json::array();
  const json& sp = At(At(service, "spec"), "ports");
  if (sp.is_array()) {
    for (const json& p : sp) {
      json e = {{"port", At(p, "port")}, {"protocol", At(p, "protocol")}};
      if (At(p, "name").is_string()) e["name"] = At(p, "name");
      ports.push_back(std::move(e));
    }
  }
  out["ports"] = std::move(ports);
  return out;
}

json ReduceVipEndpoints(const json& endpoints) {
  const json& md = At(endpoints, "metadata");
  json nodes = json::array();
  for (const std::string& n : ReadyNodesOf(endpoints)) nodes.push_back(n);
  return {{"metadata", {{"namespace", StringAt(md, "namespace")},
                        {"name", StringAt(md, "name")},
                        {"resourceVersion", StringAt(md, "resourceVersion")}}},
          {"nodes", std::move(nodes)}};
}

VipService VipServiceOf(const json& reduced) {
  const json& md = At(reduced, "metadata");
  VipService s{.namespace_name = StringAt(md, "namespace"), .name = StringAt(md, "name")};
  const json& value = At(At(md, "annotations"), kVipAnnotation);
  if (value.is_string()) s.annotation = value.get<std::string>();
  const json& ports = At(reduced, "ports").is_array() ? At(reduced, "ports") : At(At(reduced, "spec"), "ports");
  if (ports.is_array()) {
    for (const json& p : ports) {
      const json& port = At(p, "port");
      if (!port.is_number_integer()) continue;
      api::VipPort vp{.name = StringAt(p, "name"), .port = port.get<int>()};
      if (const std::string proto = StringAt(p, "protocol"); !proto.empty()) vp.protocol = proto;
      s.ports.push_back(std::move(vp));
    }
  }
  return s;
}

std::vector<std::string> ReadyNodesOf(const json& reduced) {
  std::vector<std::string> out;
  if (const json& nodes = At(reduced, "nodes"); nodes.is_array()) {
    for (const json& n : nodes) {
      if (n.is_string() && !n.get<std::string>().empty()) out.push_back(n.get<std::string>());
    }
    return out;
  }
  const json& subsets = At(reduced, "subsets");
  if (!subsets.is_array()) return out;
  for (const json& subset : subsets) {
    const json& addrs = At(subset, "addresses");
    if (!addrs.is_array()) continue;
    for (const json& a : addrs) {
      if (std::string node = StringAt(a, "nodeName"); !node.empty()) out.push_back(std::move(node));
    }
  }
  return out;
}

std::string ChooseVipNode(const std::vector<std::string>& ready_nodes, const std::string& current_node) {
  if (ready_nodes.empty()) return "";
  if (!current_node.empty() &&
      std::find(ready_nodes.begin(), ready_nodes.end(), current_node) != ready_nodes.end()) {
    return current_node;
  }
  std::map<std::string, int> count;
  for (const std::string& n : ready_nodes) ++count[n];
  std::string best;
  int best_count = 0;
  for (const auto& [node, c] : count) {  // name order: the first of equal counts wins
    if (c > best_count) {
      best = node;
      best_count = c;
    }
  }
  return best;
}

VipPlan PlanVips(const VipInputs& in) {
  VipPlan plan;
  std::map<std::string, const VipService*> annotated;  // key order
  std::map<std::string, VipAnnotation> wanted;
  for (const VipService& s : in.services) {
    if (!s.annotation.has_value()) continue;
    const std::string key = KeyOf(s.namespace_name, s.name);
    if (!api::IsValidName(s.namespace_name) || !api::IsValidName(s.name)) {
      plan.errors[key] = "the Service's namespace or name is not a valid Romana object name";
      continue;
    }
    absl::StatusOr<VipAnnotation> a = ParseVipAnnotation(*s.annotation);
    if (!a.ok()) {
      plan.errors[key] = std::string(a.status().message());
      continue;
    }
    if (a->auto_ip && in.pool.empty()) {
      plan.errors[key] = "romanavip: \"auto\" needs the listener's --vip-cidr (no address pool is configured)";
      continue;
    }
    annotated[key] = &s;
    wanted[key] = *a;
  }
  // Explicit addresses first: they are the user's; "auto" works around them.
  std::map<std::string, std::string> owner_of;  // ip -> key
  std::map<std::string, std::string> ip_of;     // key -> ip
  for (const auto& [key, a] : wanted) {
    if (a.auto_ip) continue;
    if (auto it = owner_of.find(a.ip); it != owner_of.end()) {
      plan.errors[key] = absl::StrCat("romanavip.ip: ", a.ip, " is already the VIP of Service ", it->second);
      continue;
    }
    owner_of[a.ip] = key;
    ip_of[key] = a.ip;
  }
  if (!in.pool.empty()) {
    absl::StatusOr<net::Ipv4Cidr> pool = net::Ipv4Cidr::Parse(in.pool);
    auto usable = [&](const std::string& ip) {
      absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(ip);
      return pool.ok() && a.ok() && pool->Contains(*a) && (pool->size() <= 2 || (*a != pool->network() &&
                                                                                 *a != pool->broadcast()));
    };
    std::vector<std::string> need;
    for (const auto& [key, a] : wanted) {
      if (!a.auto_ip) continue;
      auto cur = in.current.find(key);
      if (cur != in.current.end() && usable(cur->second.ip) && !owner_of.contains(cur->second.ip)) {
        owner_of[cur->second.ip] = key;
        ip_of[key] = cur->second.ip;
      } else {
        need.push_back(key);
      }
    }
    size_t next = 0;
    if (pool.ok()) {
      for (net::Ipv4Address a = pool->network(); next < need.size(); a = net::Ipv4Address(a.value() + 1)) {
        const std::string ip = a.ToString();
        if (usable(ip) && !owner_of.contains(ip) && api::CheckVipAddress(ip, "ip").ok()) {
          owner_of[ip] = need[next];
          ip_of[need[next]] = ip;
          ++next;
        }
        if (a == pool->broadcast()) break;
      }
    }
    for (; next < need.size(); ++next) plan.errors[need[next]] = absl::StrCat("romanavip: the pool ", in.pool, " is full");
  }
  for (const auto& [key, ip] : ip_of) {
    const VipService& s = *annotated.at(key);
    auto cur = in.current.find(key);
    auto ready = in.ready_nodes.find(key);
    std::vector<std::string> nodes;
    if (ready != in.ready_nodes.end()) {
      for (const std::string& n : ready->second) {
        if (!in.hosts.has_value() || in.hosts->contains(n)) nodes.push_back(n);
      }
    }
    api::Vip v{.namespace_name = s.namespace_name, .name = s.name, .ip = ip, .ports = s.ports};
    v.node = ChooseVipNode(nodes, cur == in.current.end() ? "" : cur->second.node);
    plan.vips[key] = std::move(v);
  }
  return plan;
}

}  // namespace romana::listener
