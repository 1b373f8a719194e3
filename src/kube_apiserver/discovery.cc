#include "kube_apiserver/discovery.h"

#include <set>

#include "kube_apiserver/resources.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

// Changes whenever the served set changes (clients cache the OpenAPI documents by it).
constexpr char kOpenApiHash[] = "romana-lab-1";

std::string GvPath(const ResourceInfo& r) { return r.group.empty() ? "api/v1" : "apis/" + r.group + "/" + r.version; }

json GroupVersion(const std::string& group, const std::string& version) {
  return {{"groupVersion", group + "/" + version}, {"version", version}};
}

json Group(const std::string& group) {
  json versions = json::array();
  std::set<std::string> seen;
  for (const ResourceInfo& r : ServedResources()) {
    if (r.group == group && seen.insert(r.version).second) versions.push_back(GroupVersion(group, r.version));
  }
  return {{"name", group}, {"versions", versions}, {"preferredVersion", versions[0]}};
}

}  // namespace

json VersionDocument() {
  return {{"major", "1"},           {"minor", "32"},         {"gitVersion", "v1.32.0-romana-lab"},
          {"gitCommit", ""},        {"gitTreeState", "clean"}, {"buildDate", "2026-01-01T00:00:00Z"},
          {"goVersion", "none"},    {"compiler", "none"},    {"platform", "linux/amd64"}};
}

json CoreVersionsDocument(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

json GroupListDocument() {
  json groups = json::array();
  std::set<std::string> seen;
  for (const ResourceInfo& r : ServedResources()) {
    if (!r.group.empty() && seen.insert(r.group).second) groups.push_back(Group(r.group));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<json> GroupDocument(const std::string& group) {
  for (const ResourceInfo& r : ServedResources()) {
    if (!group.empty() && r.group == group) {
      json g = Group(group);
      g["kind"] = "APIGroup";
      g["apiVersion"] = "v1";
      return g;
    }
  }
  return std::nullopt;
}

std::optional<json> ResourceListDocument(const std::string& group, const std::string& version) {
  json list = json::array();
  for (const ResourceInfo& r : ServedResources()) {
    if (r.group != group || r.version != version) continue;
    json res = {{"name", r.plural},
                {"singularName", r.singular},
                {"namespaced", r.namespaced},
                {"kind", r.kind},
                {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}}};
    if (!r.short_names.empty()) res["shortNames"] = r.short_names;
    if (!r.categories.empty()) res["categories"] = r.categories;
    list.push_back(res);
    if (r.plural == "pods" || r.plural == "nodes") {
      list.push_back({{"name", r.plural + "/status"},
                      {"singularName", ""},
                      {"namespaced", r.namespaced},
                      {"kind", r.kind},
                      {"verbs", {"get", "patch", "update"}}});
    }
  }
  if (list.empty()) return std::nullopt;
  return json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", group.empty() ? version : group + "/" + version},
              {"resources", list}};
}

json OpenApiV3Index() {
  json paths = json::object();
  for (const ResourceInfo& r : ServedResources()) {
    paths[GvPath(r)] = {{"serverRelativeURL", "/openapi/v3/" + GvPath(r) + "?hash=" + kOpenApiHash}};
  }
  return {{"paths", paths}};
}

std::optional<json> OpenApiV3Document(const std::string& gv_path) {
  json paths = json::object();
  for (const ResourceInfo& r : ServedResources()) {
    if (GvPath(r) != gv_path) continue;
    const std::string item = "/" + gv_path + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.plural + "/{name}";
    // Only merge patches are advertised: kubectl apply then builds its strategic merge patch
    // from its built-in types rather than from schemas this document does not carry.
    paths[item] = {{"patch",
                    {{"x-kubernetes-group-version-kind", {{"group", r.group}, {"version", r.version}, {"kind", r.kind}}},
                     {"parameters", {{{"name", "fieldValidation"}, {"in", "query"}, {"schema", {{"type", "string"}}}}}},
                     {"requestBody",
                      {{"content", {{"application/merge-patch+json", {{"schema", {{"type", "object"}}}}}}}}},
                     {"responses", {{"200", {{"description", "OK"}}}}}}}};
  }
  if (paths.empty()) return std::nullopt;
  return json{{"openapi", "3.0.0"},
              {"info", {{"title", "Romana lab Kubernetes API"}, {"version", "v1.32.0"}}},
              {"paths", paths}};
}

}  // namespace romana::kube_apiserver
