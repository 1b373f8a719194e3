#include "api/romana_policy.h"

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/json_reader.h"

namespace romana::api {
namespace {


std::string Index(size_t i) { return absl::StrCat("[", i, "]"); }

absl::StatusOr<PolicyEndpoint> ParseEndpoint(const nlohmann::json& j, const std::string& path) {
  ObjectReader r(j, path);
  PolicyEndpoint e;
  e.peer = r.String("peer");
  e.cidr = r.String("cidr");
  e.dest = r.String("dest");
  e.tenant_id = r.String("tenant_id");
  e.segment_id = r.String("segment_id");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return e;
}

absl::StatusOr<std::vector<PolicyEndpoint>> ParseEndpoints(ObjectReader& r, absl::string_view key) {
  std::vector<PolicyEndpoint> out;
  const nlohmann::json* a = r.Array(key);
  if (a == nullptr) return out;
  for (size_t i = 0; i < a->size(); ++i) {
    absl::StatusOr<PolicyEndpoint> e = ParseEndpoint((*a)[i], JoinPath(r.Path(key), Index(i)));
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  return out;
}

absl::StatusOr<PolicyRule> ParseRule(const nlohmann::json& j, const std::string& path) {
  ObjectReader r(j, path);
  PolicyRule rule;
  rule.protocol = r.String("protocol");
  if (const nlohmann::json* ports = r.Array("ports")) {
    for (size_t i = 0; i < ports->size(); ++i) {
      const nlohmann::json& p = (*ports)[i];
      if (!p.is_number_integer()) {
        r.Fail(absl::StrCat("ports[", i, "]"), "must be an integer port number");
        break;
      }
      rule.ports.push_back(p.get<int64_t>());
    }
  }
  if (const nlohmann::json* ranges = r.Array("port_ranges")) {
    for (size_t i = 0; i < ranges->size(); ++i) {
      const nlohmann::json& p = (*ranges)[i];
      if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer() ||
          !p[1].is_number_integer()) {
        r.Fail(absl::StrCat("port_ranges[", i, "]"), "must be a pair [first, last] of integers");
        break;
      }
      rule.port_ranges.emplace_back(p[0].get<int64_t>(), p[1].get<int64_t>());
    }
  }
  rule.icmp_type = r.Int("icmp_type").value_or(0);
  rule.icmp_code = r.Int("icmp_code").value_or(0);
  rule.is_stateful = r.Bool("is_stateful");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return rule;
}

absl::StatusOr<PolicyIngressGroup> ParseGroup(const nlohmann::json& j, const std::string& path) {
  ObjectReader r(j, path);
  PolicyIngressGroup g;
  absl::StatusOr<std::vector<PolicyEndpoint>> peers = ParseEndpoints(r, "peers");
  if (!peers.ok()) return peers.status();
  g.peers = *std::move(peers);
  if (const nlohmann::json* rules = r.Array("rules")) {
    for (size_t i = 0; i < rules->size(); ++i) {
      absl::StatusOr<PolicyRule> rule = ParseRule((*rules)[i], JoinPath(r.Path("rules"), Index(i)));
      if (!rule.ok()) return rule.status();
      g.rules.push_back(*std::move(rule));
    }
  }
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return g;
}

nlohmann::json EndpointJson(const PolicyEndpoint& e) {
  nlohmann::json j = nlohmann::json::object();
  if (!e.peer.empty()) j["peer"] = e.peer;
  if (!e.cidr.empty()) j["cidr"] = e.cidr;
  if (!e.dest.empty()) j["dest"] = e.dest;
  if (!e.tenant_id.empty()) j["tenant_id"] = e.tenant_id;
  if (!e.segment_id.empty()) j["segment_id"] = e.segment_id;
  return j;
}

}  // namespace

absl::StatusOr<Policy> ParsePolicy(const nlohmann::json& json) {
  if (json.is_object() && (json.contains("securitypolicies") || json.contains("name"))) {
    std::string key = json.contains("securitypolicies") ? "securitypolicies" : "name";
    return FieldError(key,
                           "is a Romana 1.x policy field; use the 2.0 format (id, direction, "
                           "applied_to, ingress[{peers, rules}])");
  }
  ObjectReader r(json, "");
  Policy p;
  p.id = r.String("id");
  p.direction = r.String("direction");
  p.description = r.String("description");
  absl::StatusOr<std::vector<PolicyEndpoint>> applied = ParseEndpoints(r, "applied_to");
  if (!applied.ok()) return applied.status();
  p.applied_to = *std::move(applied);
  if (const nlohmann::json* groups = r.Array("ingress")) {
    for (size_t i = 0; i < groups->size(); ++i) {
      absl::StatusOr<PolicyIngressGroup> g = ParseGroup((*groups)[i], absl::StrCat("ingress[", i, "]"));
      if (!g.ok()) return g.status();
      p.ingress.push_back(*std::move(g));
    }
  }
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return p;
}

nlohmann::json ToJson(const Policy& policy) {
  nlohmann::json j = nlohmann::json::object();
  j["id"] = policy.id;
  j["direction"] = policy.direction;
  if (!policy.description.empty()) j["description"] = policy.description;
  j["applied_to"] = nlohmann::json::array();
  for (const PolicyEndpoint& e : policy.applied_to) j["applied_to"].push_back(EndpointJson(e));
  j["ingress"] = nlohmann::json::array();
  for (const PolicyIngressGroup& g : policy.ingress) {
    nlohmann::json gj = {{"peers", nlohmann::json::array()}, {"rules", nlohmann::json::array()}};
    for (const PolicyEndpoint& e : g.peers) gj["peers"].push_back(EndpointJson(e));
    for (const PolicyRule& rule : g.rules) {
      nlohmann::json rj = {{"protocol", rule.protocol}};
      if (!rule.ports.empty()) rj["ports"] = rule.ports;
      if (!rule.port_ranges.empty()) {
        rj["port_ranges"] = nlohmann::json::array();
        for (const auto& [a, b] : rule.port_ranges) rj["port_ranges"].push_back({a, b});
      }
      if (rule.icmp_type != 0) rj["icmp_type"] = rule.icmp_type;
      if (rule.icmp_code != 0) rj["icmp_code"] = rule.icmp_code;
      if (rule.is_stateful) rj["is_stateful"] = true;
      gj["rules"].push_back(std::move(rj));
    }
    j["ingress"].push_back(std::move(gj));
  }
  return j;
}

}  // namespace romana::api
