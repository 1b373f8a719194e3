// yaml_json.h: YAML documents as JSON values (for NetworkPolicy manifests and the NetworkPolicy
// case files). Scalars follow YAML 1.2's core schema as Kubernetes reads manifests: unquoted
// true/false are booleans, unquoted integers are numbers, ~/null/empty are null, everything else
// (and every quoted scalar) is a string. Pure; thread-safe.
#ifndef ROMANA_LAB_YAML_JSON_H_
#define ROMANA_LAB_YAML_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::lab {

// Every document of `text` ("---"-separated; empty documents skipped). InvalidArgument with the
// line and the parser's message for malformed YAML. JSON text is YAML, so it is read too.
absl::StatusOr<std::vector<nlohmann::json>> YamlDocumentsToJson(const std::string& text);

}  // namespace romana::lab

#endif  // ROMANA_LAB_YAML_JSON_H_
