// Routes for Kubernetes NetworkPolicies (networking.k8s.io/v1), stored as they are: one store
// key per policy (<prefix>/networkpolicies/<namespace>/<name>) holding the JSON received, with
// only metadata.namespace and metadata.name filled in from the URL when the body left them out.
// Validation is Kubernetes' (policy::ValidateNetworkPolicy); an invalid policy is never stored.

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "daemon/server.h"
#include "http_server/request.h"
#include "policy/network_policy.h"

namespace romana::daemon {
namespace {

using Reply = Server::Reply;

// The body with metadata.namespace/name taken from the URL. InvalidArgument naming the field
// when the body is not an object or names another namespace or policy.
absl::StatusOr<nlohmann::json> WithPathNames(nlohmann::json body, const std::string& ns, const std::string& name) {
  if (!body.is_object()) return absl::InvalidArgumentError("the body must be a JSON object (a NetworkPolicy)");
  if (!body.contains("metadata") || body["metadata"].is_null()) body["metadata"] = nlohmann::json::object();
  nlohmann::json& meta = body["metadata"];
  if (!meta.is_object()) return api::FieldError("metadata", "must be a JSON object");
  for (const auto& [key, want] : {std::pair<const char*, const std::string&>{"namespace", ns}, {"name", name}}) {
    const std::string field = absl::StrCat("metadata.", key);
    if (!meta.contains(key) || meta[key].is_null()) {
      meta[key] = want;
    } else if (!meta[key].is_string()) {
      return api::FieldError(field, "must be a string");
    } else if (meta[key].get<std::string>() != want) {
      return api::FieldError(field, absl::StrCat("\"", meta[key].get<std::string>(), "\" differs from the URL's \"",
                                                 want, "\""));
    }
  }
  return body;
}

// metadata.namespace of a stored policy ("" if it has none: the store holds only policies that
// passed validation, so that would be a bug elsewhere).
std::string What(const std::string& ns, const std::string& name) {
  return absl::StrCat("networkpolicy \"", ns, "/", name, "\"");
}

}  // namespace

void Server::RegisterNetworkPolicyRoutes() {
  Route("GET", "/networkpolicies", "networkpolicies", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          return ListDir(req, "networkpolicies", {{"namespace", req.Param("namespace")}});
        });
  Route("GET", R"(/namespaces/([^/]+)/networkpolicies)", "networkpolicies", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          return ListDir(req, "networkpolicies", {{"namespace", ns}});
        });
  Route("GET", R"(/namespaces/([^/]+)/networkpolicies/([^/]+))", "networkpolicy", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return GetKey(keys_.NetworkPolicy(ns, name), What(ns, name));
        });
  Route("PUT", R"(/namespaces/([^/]+)/networkpolicies/([^/]+))", "networkpolicy", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          absl::StatusOr<nlohmann::json> stored = WithPathNames(body, ns, name);
          if (!stored.ok()) return stored.status();
          if (absl::Status s = policy::ValidateNetworkPolicy(*stored); !s.ok()) return s;
          const std::string key = keys_.NetworkPolicy(ns, name);
          const std::string value = stored->dump();
          store::Txn txn;
          txn.compares.push_back(store::Compare::Absent(key));
          txn.success.push_back(store::Op::Put(key, value));
          absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
          if (!r.ok()) return r.status();
          if (r->succeeded) return Reply{201, *std::move(stored)};
          absl::StatusOr<store::TxnResult> put = store_.Commit({{}, {store::Op::Put(key, value)}, {}});
          if (!put.ok()) return put.status();
          return Reply{200, *std::move(stored)};
        });
  Route("DELETE", R"(/namespaces/([^/]+)/networkpolicies/([^/]+))", "networkpolicy", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return DeleteKey(keys_.NetworkPolicy(ns, name), What(ns, name));
        });
}

}  // namespace romana::daemon
