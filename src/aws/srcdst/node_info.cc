#include "aws/srcdst/node_info.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace romana::srcdst {

absl::StatusOr<std::pair<std::string, std::string>> ParseAwsProviderId(const std::string& provider_id) {
  if (!absl::StartsWith(provider_id, "aws://")) {
    return absl::InvalidArgumentError(absl::StrCat("spec.providerID '", provider_id, "' is not aws://..."));
  }
  std::vector<std::string> parts = absl::StrSplit(provider_id.substr(6), '/', absl::SkipEmpty());
  if (parts.empty() || !absl::StartsWith(parts.back(), "i-")) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.providerID '", provider_id, "' has no instance id (expected aws:///<zone>/i-...)"));
  }
  return std::make_pair(parts.size() >= 2 ? parts[parts.size() - 2] : std::string(), parts.back());
}

absl::StatusOr<NodeInfo> NodeInfoFromJson(const nlohmann::json& node) {
  NodeInfo n;
  if (!node.is_object() || !node.contains("metadata") || !node["metadata"].contains("name") ||
      !node["metadata"]["name"].is_string()) {
    return absl::InvalidArgumentError("node without metadata.name");
  }
  n.name = node["metadata"]["name"];
  const nlohmann::json& spec = node.value("spec", nlohmann::json::object());
  n.provider_id = spec.is_object() ? spec.value("providerID", "") : "";
  if (!n.provider_id.empty()) {
    auto p = ParseAwsProviderId(n.provider_id);
    if (p.ok()) {
      n.zone = p->first;
      n.instance_id = p->second;
    }
  }
  const nlohmann::json& labels = node["metadata"].value("labels", nlohmann::json::object());
  if (n.zone.empty() && labels.is_object()) {
    n.zone = labels.value("topology.kubernetes.io/zone", labels.value("failure-domain.beta.kubernetes.io/zone", ""));
  }
  const nlohmann::json& status = node.value("status", nlohmann::json::object());
  if (status.is_object() && status.contains("addresses") && status["addresses"].is_array()) {
    for (const auto& a : status["addresses"]) {
      if (a.is_object() && a.value("type", "") == "InternalIP" && n.internal_ip.empty()) {
        n.internal_ip = a.value("address", "");
      }
    }
  }
  return n;
}

}  // namespace romana::srcdst
