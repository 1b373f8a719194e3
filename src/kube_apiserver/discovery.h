// discovery.h: the documents through which kubectl and client-go find the served resources
// (docs/lab-kubernetes-api.md): /version, /api, /api/v1, /apis, /apis/<group>,
// /apis/<group>/<version>, and a minimal OpenAPI v3 (/openapi/v3 and one document per group
// version) that lists, per kind, only the PATCH operation with its fieldValidation parameter:
// kubectl then leaves field validation to the server (which ignores it) instead of
// downloading schemas, so `kubectl apply` and `kubectl create` work without --validate=false.
// Pure; thread-safe.
#ifndef ROMANA_KUBE_APISERVER_DISCOVERY_H_
#define ROMANA_KUBE_APISERVER_DISCOVERY_H_

#include <optional>
#include <string>

#include "nlohmann/json.hpp"

namespace romana::kube_apiserver {

nlohmann::json VersionDocument();
// APIVersions; `server_address` is "host:port" as clients reach the server.
nlohmann::json CoreVersionsDocument(const std::string& server_address);
nlohmann::json GroupListDocument();
// APIGroup of `group`; nullopt when not served.
std::optional<nlohmann::json> GroupDocument(const std::string& group);
// APIResourceList of a group version ("" group = core); nullopt when not served.
std::optional<nlohmann::json> ResourceListDocument(const std::string& group, const std::string& version);
// The OpenAPI v3 index: {"paths": {"api/v1": {"serverRelativeURL": ...}, ...}}.
nlohmann::json OpenApiV3Index();
// The OpenAPI v3 document of "api/v1" or "apis/<group>/<version>"; nullopt when not served.
std::optional<nlohmann::json> OpenApiV3Document(const std::string& gv_path);

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_DISCOVERY_H_
