// node_info.h: what romana-aws needs from a Kubernetes Node object. Pure, thread-safe.
#ifndef ROMANA_AWS_SRCDST_NODE_INFO_H_
#define ROMANA_AWS_SRCDST_NODE_INFO_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::srcdst {

struct NodeInfo {
  std::string name;
  std::string provider_id;   // spec.providerID as given
  std::string instance_id;   // from providerID ("" when absent or not AWS)
  std::string zone;          // from providerID, else topology labels
  std::string internal_ip;   // status.addresses[type=InternalIP]
  bool operator==(const NodeInfo&) const = default;
};

// Parses "aws:///<zone>/<instance-id>" (also "aws:///<instance-id>" and "aws://<zone>/<id>").
// Errors: InvalidArgument naming what is wrong (not aws://, no i-... id).
absl::StatusOr<std::pair<std::string, std::string>> ParseAwsProviderId(const std::string& provider_id);

// Errors: InvalidArgument when metadata.name is missing.
absl::StatusOr<NodeInfo> NodeInfoFromJson(const nlohmann::json& node);

}  // namespace romana::srcdst

#endif  // ROMANA_AWS_SRCDST_NODE_INFO_H_
