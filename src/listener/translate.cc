#include "listener/translate.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "net/ipv4.h"

namespace romana::listener {

using nlohmann::json;

namespace {

const json kEmpty = json::object();

const json& Field(const json& o, const char* key) {
  if (!o.is_object()) return kEmpty;
  auto it = o.find(key);
  return it == o.end() || it->is_null() ? kEmpty : *it;
}

std::string StringField(const json& o, const char* key) {
  const json& v = Field(o, key);
  return v.is_string() ? v.get<std::string>() : "";
}

absl::StatusOr<api::Labels> LabelsOf(const json& meta) {
  api::Labels out;
  const json& labels = Field(meta, "labels");
  if (!labels.is_object()) return absl::InvalidArgumentError("metadata.labels: must be an object");
  for (const auto& [k, v] : labels.items()) {
    if (!v.is_string()) return absl::InvalidArgumentError(absl::StrCat("metadata.labels.", k, ": must be a string"));
    out[k] = v.get<std::string>();
  }
  return out;
}

bool Finished(const json& pod) {
  const std::string phase = StringField(Field(pod, "status"), "phase");
  return phase == "Succeeded" || phase == "Failed";
}

bool HostNetwork(const json& pod) {
  const json& v = Field(Field(pod, "spec"), "hostNetwork");
  return v.is_boolean() && v.get<bool>();
}

}  // namespace

absl::StatusOr<api::HostRequest> HostFromNode(const json& node) {
  const json& meta = Field(node, "metadata");
  api::HostRequest h;
  h.name = StringField(meta, "name");
  if (h.name.empty()) return absl::InvalidArgumentError("metadata.name: is required");
  absl::StatusOr<api::Labels> labels = LabelsOf(meta);
  if (!labels.ok()) return labels.status();
  h.labels = *std::move(labels);
  const json& addresses = Field(Field(node, "status"), "addresses");
  if (addresses.is_array()) {
    for (const json& a : addresses) {
      if (StringField(a, "type") == "InternalIP" && net::Ipv4Address::Parse(StringField(a, "address")).ok()) {
        h.ip = StringField(a, "address");
        break;
      }
    }
  }
  if (h.ip.empty()) return absl::FailedPreconditionError(absl::StrCat("node ", h.name, ": no IPv4 InternalIP in status.addresses"));
  return h;
}

absl::StatusOr<api::Namespace> NamespaceFromObject(const json& ns) {
  const json& meta = Field(ns, "metadata");
  api::Namespace out;
  out.name = StringField(meta, "name");
  if (out.name.empty()) return absl::InvalidArgumentError("metadata.name: is required");
  absl::StatusOr<api::Labels> labels = LabelsOf(meta);
  if (!labels.ok()) return labels.status();
  out.labels = *std::move(labels);
  out.labels[api::kNamespaceNameLabel] = out.name;  // as the API server and romanad set it
  const std::string isolation = StringField(Field(meta, "annotations"), kIsolationAnnotation);
  if (!isolation.empty()) {
    json a = json::parse(isolation, nullptr, false);
    out.isolated = StringField(Field(a, "ingress"), "isolation") == "DefaultDeny";
  }
  return out;
}

std::string PodNetworkIp(const json& pod) {
  if (HostNetwork(pod)) return "";
  return StringField(Field(pod, "status"), "podIP");
}

absl::StatusOr<std::optional<api::Endpoint>> EndpointFromPod(const json& pod) {
  const json& meta = Field(pod, "metadata");
  api::Endpoint e;
  e.namespace_name = StringField(meta, "namespace");
  e.name = StringField(meta, "name");
  if (e.name.empty() || e.namespace_name.empty()) {
    return absl::InvalidArgumentError("metadata.name, metadata.namespace: are required");
  }
  e.ip = PodNetworkIp(pod);
  e.node = StringField(Field(pod, "spec"), "nodeName");
  if (e.ip.empty() || !net::Ipv4Address::Parse(e.ip).ok() || e.node.empty() || Finished(pod)) return std::nullopt;
  absl::StatusOr<api::Labels> labels = LabelsOf(meta);
  if (!labels.ok()) return labels.status();
  e.labels = *std::move(labels);
  std::set<std::string> names;
  const json& containers = Field(Field(pod, "spec"), "containers");
  if (containers.is_array()) {
    for (const json& c : containers) {
      const json& ports = Field(c, "ports");
      if (!ports.is_array()) continue;
      for (const json& p : ports) {
        const std::string name = StringField(p, "name");
        const json& number = Field(p, "containerPort");
        if (name.empty() || !number.is_number_integer() || !names.insert(name).second) continue;
        std::string protocol = StringField(p, "protocol");
        e.ports.push_back({.name = name, .port = number.get<int>(), .protocol = protocol.empty() ? "TCP" : protocol});
      }
    }
  }
  return e;
}

absl::StatusOr<json> NetworkPolicyForRomanad(const json& policy) {
  const json& meta = Field(policy, "metadata");
  json m = {{"name", StringField(meta, "name")}, {"namespace", StringField(meta, "namespace")}};
  if (!StringField(meta, "uid").empty()) m["uid"] = StringField(meta, "uid");
  if (Field(meta, "labels").is_object() && !Field(meta, "labels").empty()) m["labels"] = Field(meta, "labels");
  json annotations = Field(meta, "annotations");
  if (annotations.is_object()) annotations.erase("kubectl.kubernetes.io/last-applied-configuration");
  if (annotations.is_object() && !annotations.empty()) m["annotations"] = annotations;
  json out = {{"apiVersion", "networking.k8s.io/v1"}, {"kind", "NetworkPolicy"}, {"metadata", m}};
  if (policy.contains("spec")) out["spec"] = policy["spec"];
  return out;
}

json ReduceNode(const json& node) {
  const json& meta = Field(node, "metadata");
  json out = {{"metadata", {{"name", Field(meta, "name")}}}};
  if (meta.contains("labels")) out["metadata"]["labels"] = meta["labels"];
  out["status"]["addresses"] = Field(Field(node, "status"), "addresses");
  return out;
}

json ReducePod(json pod) {
  // The kept fields are moved out of `pod`, not copied: a listed pod is dropped right after.
  auto at = [](json& o, const char* key) -> json* {
    if (!o.is_object()) return nullptr;
    auto it = o.find(key);
    return it == o.end() ? nullptr : &*it;
  };
  json m = json::object();
  if (json* meta = at(pod, "metadata")) {
    for (const char* k : {"name", "namespace", "labels"}) {
      if (json* v = at(*meta, k)) m[k] = std::move(*v);
    }
  }
  json spec = json::object();
  if (json* s = at(pod, "spec")) {
    for (const char* k : {"nodeName", "hostNetwork"}) {
      if (json* v = at(*s, k)) spec[k] = std::move(*v);
    }
    json* containers = at(*s, "containers");
    if (containers && containers->is_array()) {
      json cs = json::array();
      for (json& c : *containers) {
        json ports = json::array();
        json* listed = at(c, "ports");
        if (listed && listed->is_array()) {
          for (json& p : *listed) {
            if (!StringField(p, "name").empty()) ports.push_back(std::move(p));
          }
        }
        if (!ports.empty()) cs.push_back({{"ports", std::move(ports)}});
      }
      if (!cs.empty()) spec["containers"] = std::move(cs);
    }
  }
  json status = json::object();
  if (json* st = at(pod, "status")) {
    for (const char* k : {"podIP", "phase"}) {
      if (json* v = at(*st, k)) status[k] = std::move(*v);
    }
  }
  return {{"metadata", std::move(m)}, {"spec", std::move(spec)}, {"status", std::move(status)}};
}

}  // namespace romana::listener
