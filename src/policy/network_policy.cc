// Strict decoding and validation of networking.k8s.io/v1 NetworkPolicy (see network_policy.h).
#include "policy/network_policy.h"

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/json_reader.h"
#include "api/k8s_names.h"

namespace romana::policy {
namespace {

using api::FieldError;
using api::ObjectReader;

constexpr const char* kApiVersion = "networking.k8s.io/v1";
constexpr const char* kKind = "NetworkPolicy";

// ObjectMeta fields other than name, namespace and labels: accepted and ignored.
constexpr const char* kIgnoredMetadata[] = {
    "annotations", "generateName", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
    "finalizers", "managedFields"};

std::string Index(const std::string& path, size_t i) { return absl::StrCat(path, "[", i, "]"); }

absl::Status CheckPortNumber(int64_t port, const std::string& field) {
  if (port < 1 || port > 65535) return FieldError(field, absl::StrCat(port, " must be a port number 1..65535"));
  return absl::OkStatus();
}

absl::StatusOr<NetworkPolicyPort> ParsePort(const nlohmann::json& j, const std::string& path) {
  ObjectReader r(j, path);
  NetworkPolicyPort port;
  const nlohmann::json* protocol = r.Raw("protocol");
  const nlohmann::json* value = r.Raw("port");
  std::optional<int64_t> end_port = r.Int("endPort");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  if (protocol != nullptr) {
    const std::string p = protocol->is_string() ? protocol->get<std::string>() : protocol->dump();
    if (p == "TCP") {
      port.protocol = Protocol::kTcp;
    } else if (p == "UDP") {
      port.protocol = Protocol::kUdp;
    } else if (p == "SCTP") {
      port.protocol = Protocol::kSctp;
    } else {
      return FieldError(r.Path("protocol"), absl::StrCat("unsupported protocol ", protocol->dump(),
                                                         "; use \"TCP\", \"UDP\" or \"SCTP\""));
    }
  }
  if (value != nullptr) {
    if (value->is_number_integer()) {
      const int64_t n = value->get<int64_t>();
      if (absl::Status s = CheckPortNumber(n, r.Path("port")); !s.ok()) return s;
      port.port = static_cast<int32_t>(n);
    } else if (value->is_string()) {
      port.named_port = value->get<std::string>();
      if (absl::Status s = api::CheckPortName(port.named_port, r.Path("port")); !s.ok()) return s;
    } else {
      return FieldError(r.Path("port"), "must be a port number or a port name");
    }
  }
  if (end_port.has_value()) {
    if (value == nullptr) return FieldError(r.Path("endPort"), "may not be specified when `port` is not specified");
    if (port.port == 0) return FieldError(r.Path("endPort"), "may not be specified when `port` is non-numeric");
    if (absl::Status s = CheckPortNumber(*end_port, r.Path("endPort")); !s.ok()) return s;
    if (*end_port < port.port) {
      return FieldError(r.Path("endPort"), absl::StrCat(*end_port, " must be greater than or equal to `port` (",
                                                        port.port, ")"));
    }
    port.end_port = static_cast<int32_t>(*end_port);
  }
  return port;
}

absl::StatusOr<IpBlock> ParseIpBlock(const nlohmann::json& j, const std::string& path) {
  ObjectReader r(j, path);
  const std::string cidr_text = r.String("cidr", /*required=*/true);
  const nlohmann::json* except = r.Array("except");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  IpBlock block;
  absl::StatusOr<net::Ipv4Cidr> cidr = ParseIpv4Cidr(cidr_text, r.Path("cidr"));
  if (!cidr.ok()) return cidr.status();
  block.cidr = *cidr;
  if (except == nullptr) return block;
  for (size_t i = 0; i < except->size(); ++i) {
    const std::string epath = Index(r.Path("except"), i);
    if (!(*except)[i].is_string()) return FieldError(epath, "must be a string (a CIDR)");
    const std::string text = (*except)[i].get<std::string>();
    absl::StatusOr<net::Ipv4Cidr> e = ParseIpv4Cidr(text, epath);
    if (!e.ok()) return e.status();
    if (!block.cidr.Contains(*e) || e->length() <= block.cidr.length()) {
      return FieldError(epath, absl::StrCat("\"", text, "\" must be a strict subset of `cidr` \"",
                                            cidr_text, "\""));
    }
    block.except.push_back(*e);
  }
  return block;
}

absl::StatusOr<NetworkPolicyPeer> ParsePeer(const nlohmann::json& j, const std::string& path) {
  ObjectReader r(j, path);
  const nlohmann::json* pod = r.Raw("podSelector");
  const nlohmann::json* ns = r.Raw("namespaceSelector");
  const nlohmann::json* block = r.Raw("ipBlock");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  NetworkPolicyPeer peer;
  if (pod != nullptr) {
    absl::StatusOr<LabelSelector> s = ParseLabelSelector(*pod, r.Path("podSelector"));
    if (!s.ok()) return s.status();
    peer.pod_selector = *std::move(s);
  }
  if (ns != nullptr) {
    absl::StatusOr<LabelSelector> s = ParseLabelSelector(*ns, r.Path("namespaceSelector"));
    if (!s.ok()) return s.status();
    peer.namespace_selector = *std::move(s);
  }
  if (block != nullptr) {
    if (pod != nullptr || ns != nullptr) return FieldError(path, "may not specify both ipBlock and another peer");
    absl::StatusOr<IpBlock> b = ParseIpBlock(*block, r.Path("ipBlock"));
    if (!b.ok()) return b.status();
    peer.ip_block = *std::move(b);
  }
  if (pod == nullptr && ns == nullptr && block == nullptr) {
    return FieldError(path, "must specify a peer (podSelector, namespaceSelector or ipBlock)");
  }
  return peer;
}

// One ingress (peers_key "from") or egress (peers_key "to") rule.
absl::StatusOr<NetworkPolicyRule> ParseRule(const nlohmann::json& j, const std::string& path,
                                            const char* peers_key) {
  ObjectReader r(j, path);
  const nlohmann::json* ports = r.Array("ports");
  const nlohmann::json* peers = r.Array(peers_key);
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  NetworkPolicyRule rule;
  for (size_t i = 0; ports != nullptr && i < ports->size(); ++i) {
    absl::StatusOr<NetworkPolicyPort> p = ParsePort((*ports)[i], Index(r.Path("ports"), i));
    if (!p.ok()) return p.status();
    rule.ports.push_back(*std::move(p));
  }
  for (size_t i = 0; peers != nullptr && i < peers->size(); ++i) {
    absl::StatusOr<NetworkPolicyPeer> p = ParsePeer((*peers)[i], Index(r.Path(peers_key), i));
    if (!p.ok()) return p.status();
    rule.peers.push_back(*std::move(p));
  }
  return rule;
}

absl::StatusOr<std::vector<NetworkPolicyRule>> ParseRules(const nlohmann::json* rules, const std::string& path,
                                                          const char* peers_key) {
  std::vector<NetworkPolicyRule> out;
  for (size_t i = 0; rules != nullptr && i < rules->size(); ++i) {
    absl::StatusOr<NetworkPolicyRule> rule = ParseRule((*rules)[i], Index(path, i), peers_key);
    if (!rule.ok()) return rule.status();
    out.push_back(*std::move(rule));
  }
  return out;
}

absl::Status ParseMetadata(const nlohmann::json* j, NetworkPolicy& policy) {
  if (j == nullptr) return FieldError("metadata", "is required (name and namespace)");
  ObjectReader r(*j, "metadata");
  policy.name = r.String("name");
  policy.namespace_name = r.String("namespace");
  Labels labels = r.StringMap("labels");
  r.StringMap("annotations");
  for (const char* key : kIgnoredMetadata) r.Allow(key);
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  if (absl::Status s = api::CheckDns1123Subdomain(policy.name, "metadata.name"); !s.ok()) return s;
  if (absl::Status s = api::CheckDns1123Label(policy.namespace_name, "metadata.namespace"); !s.ok()) return s;
  return CheckLabels(labels, "metadata.labels");
}

absl::Status ParseSpec(const nlohmann::json* j, NetworkPolicy& policy) {
  const nlohmann::json empty = nlohmann::json::object();  // a missing spec selects every pod
  ObjectReader r(j == nullptr ? empty : *j, "spec");
  const nlohmann::json* selector = r.Raw("podSelector");
  const nlohmann::json* types = r.Array("policyTypes");
  const nlohmann::json* ingress = r.Array("ingress");
  const nlohmann::json* egress = r.Array("egress");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  if (selector != nullptr) {
    absl::StatusOr<LabelSelector> s = ParseLabelSelector(*selector, "spec.podSelector");
    if (!s.ok()) return s.status();
    policy.pod_selector = *std::move(s);
  }
  absl::StatusOr<std::vector<NetworkPolicyRule>> in = ParseRules(ingress, "spec.ingress", "from");
  if (!in.ok()) return in.status();
  policy.ingress = *std::move(in);
  absl::StatusOr<std::vector<NetworkPolicyRule>> out = ParseRules(egress, "spec.egress", "to");
  if (!out.ok()) return out.status();
  policy.egress = *std::move(out);

  if (types == nullptr || types->empty()) {  // Kubernetes' defaulting
    policy.affects_ingress = true;
    policy.affects_egress = !policy.egress.empty();
    return absl::OkStatus();
  }
  if (types->size() > 2) return FieldError("spec.policyTypes", "may not specify more than two policyTypes");
  for (size_t i = 0; i < types->size(); ++i) {
    const nlohmann::json& t = (*types)[i];
    if (t == "Ingress") {
      policy.affects_ingress = true;
    } else if (t == "Egress") {
      policy.affects_egress = true;
    } else {
      return FieldError(Index("spec.policyTypes", i),
                        absl::StrCat("unsupported value ", t.dump(), "; use \"Ingress\" or \"Egress\""));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<NetworkPolicy> ParseNetworkPolicy(const nlohmann::json& json) {
  ObjectReader r(json, "");
  const nlohmann::json* api_version = r.Raw("apiVersion");
  const nlohmann::json* kind = r.Raw("kind");
  const nlohmann::json* metadata = r.Raw("metadata");
  const nlohmann::json* spec = r.Raw("spec");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  if (api_version != nullptr && *api_version != kApiVersion) {
    return FieldError("apiVersion", absl::StrCat(api_version->dump(), " is not supported; use \"", kApiVersion, "\""));
  }
  if (kind != nullptr && *kind != kKind) {
    return FieldError("kind", absl::StrCat(kind->dump(), " is not \"", kKind, "\""));
  }
  NetworkPolicy policy;
  if (absl::Status s = ParseMetadata(metadata, policy); !s.ok()) return s;
  if (absl::Status s = ParseSpec(spec, policy); !s.ok()) return s;
  return policy;
}

absl::Status ValidateNetworkPolicy(const nlohmann::json& json) { return ParseNetworkPolicy(json).status(); }

}  // namespace romana::policy
