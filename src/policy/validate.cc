// Validation of the native policy (reference §5.2 plus our stricter rules). Pure.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "policy/ipv4.h"
#include "policy/policy.h"

namespace romana::policy {
namespace {

using api::FieldError;

enum class TargetKind { kTenant, kHost };
enum class PeerKind { kAny, kLocal, kCidr, kTenant };

absl::StatusOr<TargetKind> ClassifyTarget(const Endpoint& e, const std::string& path) {
  if (!e.peer.empty()) {
    return FieldError(path + ".peer", "\"peer\" is only valid in peers; a target uses tenant_id/segment_id or dest");
  }
  if (!e.cidr.empty()) return FieldError(path + ".cidr", "CIDR targets are not supported; target a tenant_id (namespace) or dest \"host\"");
  if (!e.dest.empty()) {
    if (e.dest == "local") return FieldError(path + ".dest", "dest \"local\" cannot be enforced; target a tenant_id or dest \"host\"");
    if (e.dest != "host") return FieldError(path + ".dest", absl::StrCat("unknown dest \"", e.dest, "\"; only \"host\" is supported"));
    if (!e.tenant_id.empty() || !e.segment_id.empty()) {
      return FieldError(path + ".dest", "dest \"host\" cannot be combined with tenant_id/segment_id");
    }
    return TargetKind::kHost;
  }
  if (e.tenant_id.empty()) {
    if (!e.segment_id.empty()) return FieldError(path + ".tenant_id", "segment_id needs a tenant_id");
    return FieldError(path, "a target needs tenant_id (optionally with segment_id) or dest \"host\"");
  }
  return TargetKind::kTenant;
}

absl::StatusOr<PeerKind> ClassifyPeer(const Endpoint& e, const std::string& path) {
  if (!e.dest.empty()) return FieldError(path + ".dest", "\"dest\" is only valid in applied_to");
  int kinds = (e.peer.empty() ? 0 : 1) + (e.cidr.empty() ? 0 : 1) +
              (e.tenant_id.empty() && e.segment_id.empty() ? 0 : 1);
  if (kinds == 0) return FieldError(path, "a peer needs one of peer, cidr or tenant_id");
  if (kinds > 1) return FieldError(path, "set only one of peer, cidr or tenant_id(+segment_id)");
  if (!e.peer.empty()) {
    if (e.peer == "any") return PeerKind::kAny;
    if (e.peer == "local") return PeerKind::kLocal;
    if (e.peer == "host") return FieldError(path + ".peer", "peer \"host\" cannot be enforced (host traffic to its pods is always allowed)");
    return FieldError(path + ".peer", absl::StrCat("unknown peer \"", e.peer, "\"; use \"any\" or \"local\""));
  }
  if (!e.cidr.empty()) {
    if (absl::Status s = ParseIpv4Cidr(e.cidr, path + ".cidr").status(); !s.ok()) return s;
    return PeerKind::kCidr;
  }
  if (e.tenant_id.empty()) return FieldError(path + ".tenant_id", "segment_id needs a tenant_id");
  return PeerKind::kTenant;
}

// Maximum ICMP code per type (reference §5.2); -1: the type allows only code 0.
int64_t MaxIcmpCode(int64_t type) {
  switch (type) {
    case 3: return 15;
    case 5: return 3;
    case 11: return 1;
    default: return 0;
  }
}

absl::Status CheckPort(int64_t port, const std::string& field) {
  if (port < 1 || port > 65535) return FieldError(field, absl::StrCat("port ", port, " must be 1..65535"));
  return absl::OkStatus();
}

absl::Status ValidateRule(const Rule& rule, const std::string& path) {
  if (rule.protocol.empty()) return FieldError(path + ".protocol", "is required (tcp, udp, icmp or any)");
  const std::string proto = absl::AsciiStrToLower(rule.protocol);
  if (proto != "tcp" && proto != "udp" && proto != "icmp" && proto != "any") {
    return FieldError(path + ".protocol", absl::StrCat("unknown protocol \"", rule.protocol, "\"; use tcp, udp, icmp or any"));
  }
  const bool has_ports = proto == "tcp" || proto == "udp";
  if (has_ports) {
    for (size_t i = 0; i < rule.ports.size(); ++i) {
      if (absl::Status s = CheckPort(rule.ports[i], absl::StrCat(path, ".ports[", i, "]")); !s.ok()) return s;
    }
    for (size_t i = 0; i < rule.port_ranges.size(); ++i) {
      const std::string f = absl::StrCat(path, ".port_ranges[", i, "]");
      const auto& [a, b] = rule.port_ranges[i];
      if (absl::Status s = CheckPort(a, f); !s.ok()) return s;
      if (absl::Status s = CheckPort(b, f); !s.ok()) return s;
      if (a > b) return FieldError(f, absl::StrCat("range start ", a, " is greater than its end ", b));
    }
  } else {
    if (!rule.ports.empty()) return FieldError(path + ".ports", absl::StrCat("ports are only valid for tcp and udp, not ", proto));
    if (!rule.port_ranges.empty()) return FieldError(path + ".port_ranges", absl::StrCat("port ranges are only valid for tcp and udp, not ", proto));
  }
  if (proto != "icmp") {
    if (rule.icmp_type != 0) return FieldError(path + ".icmp_type", "is only valid for protocol icmp");
    if (rule.icmp_code != 0) return FieldError(path + ".icmp_code", "is only valid for protocol icmp");
    return absl::OkStatus();
  }
  if (rule.icmp_type < 0 || rule.icmp_type > 255) {
    return FieldError(path + ".icmp_type", absl::StrCat("ICMP type ", rule.icmp_type, " must be 0..255"));
  }
  const int64_t max_code = MaxIcmpCode(rule.icmp_type);
  if (rule.icmp_code < 0 || rule.icmp_code > max_code) {
    return FieldError(path + ".icmp_code",
                      absl::StrCat("ICMP code ", rule.icmp_code, " is not valid for type ", rule.icmp_type,
                                   " (allowed 0..", max_code, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidId(const std::string& id) {
  if (id.empty() || id.size() > 253) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return id != "." && id != "..";
}

absl::Status Validate(const Policy& policy) {
  if (policy.id.empty()) return FieldError("id", "is required");
  if (!IsValidId(policy.id)) {
    return FieldError("id", "must be 1..253 characters of letters, digits, '.', '_' or '-'");
  }
  if (policy.direction.empty()) return FieldError("direction", "is required (\"ingress\" or \"egress\")");
  if (policy.direction != "ingress" && policy.direction != "egress") {
    return FieldError("direction", absl::StrCat("\"", policy.direction, "\" is not \"ingress\" or \"egress\""));
  }
  const bool egress = policy.direction == "egress";
  if (policy.applied_to.empty()) return FieldError("applied_to", "must list at least one target");
  if (policy.ingress.empty()) return FieldError("ingress", "must list at least one {peers, rules} group");

  std::vector<TargetKind> targets;
  for (size_t i = 0; i < policy.applied_to.size(); ++i) {
    const std::string path = absl::StrCat("applied_to[", i, "]");
    absl::StatusOr<TargetKind> t = ClassifyTarget(policy.applied_to[i], path);
    if (!t.ok()) return t.status();
    if (*t == TargetKind::kHost && egress) {
      return FieldError(path + ".dest", "egress policies cannot target dest \"host\"");
    }
    targets.push_back(*t);
  }
  const bool any_host_target = std::find(targets.begin(), targets.end(), TargetKind::kHost) != targets.end();
  const bool any_tenant_target = std::find(targets.begin(), targets.end(), TargetKind::kTenant) != targets.end();

  for (size_t g = 0; g < policy.ingress.size(); ++g) {
    const IngressGroup& group = policy.ingress[g];
    const std::string gpath = absl::StrCat("ingress[", g, "]");
    if (group.peers.empty()) return FieldError(gpath + ".peers", "must list at least one peer (use {\"peer\": \"any\"} for everyone)");
    if (group.rules.empty()) return FieldError(gpath + ".rules", "must list at least one rule (use {\"protocol\": \"any\"} for all traffic)");
    for (size_t p = 0; p < group.peers.size(); ++p) {
      const std::string ppath = absl::StrCat(gpath, ".peers[", p, "]");
      absl::StatusOr<PeerKind> kind = ClassifyPeer(group.peers[p], ppath);
      if (!kind.ok()) return kind.status();
      if (*kind == PeerKind::kLocal && any_tenant_target) {
        return FieldError(ppath + ".peer", "peer \"local\" is only valid with a dest \"host\" target");
      }
      if (any_host_target && (*kind == PeerKind::kAny || *kind == PeerKind::kCidr)) {
        return FieldError(ppath, "a dest \"host\" target accepts only tenant_id or \"local\" peers");
      }
    }
    for (size_t r = 0; r < group.rules.size(); ++r) {
      if (absl::Status s = ValidateRule(group.rules[r], absl::StrCat(gpath, ".rules[", r, "]")); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Policy> ParseAndValidate(const nlohmann::json& json) {
  absl::StatusOr<Policy> p = api::ParsePolicy(json);
  if (!p.ok()) return p.status();
  if (absl::Status s = Validate(*p); !s.ok()) return s;
  return p;
}

}  // namespace romana::policy
