// Routes for the records romanad owns directly: policies, namespaces, endpoints, host status. Each is one
// store key holding exactly the JSON the API returns. Reads come from the watch cache
// (cache_reads.cc), writes go to the store.
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/field_error.h"
#include "api/types.h"
#include "daemon/server.h"
#include "http_server/request.h"
#include "policy/policy.h"

namespace romana::daemon {
namespace {

using Reply = Server::Reply;

}  // namespace

absl::Status Server::CheckPathName(const std::string& name, const std::string& what) {
  if (!api::IsValidName(name)) {
    return api::FieldError(what, absl::StrCat("\"", name, "\" is not a valid name (1..253 of [A-Za-z0-9._:-])"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Server::Reply> Server::DeleteKey(const std::string& key, const std::string& what) {
  absl::StatusOr<std::optional<store::KeyValue>> kv = store_.Get(key);
  if (!kv.ok()) return kv.status();
  if (!kv->has_value()) return absl::NotFoundError(absl::StrCat(what, " not found"));
  store::Txn txn;
  txn.compares.push_back(store::Compare::ModRevisionEquals(key, (*kv)->mod_revision));
  txn.success.push_back(store::Op::Delete(key));
  absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
  if (!r.ok()) return r.status();
  if (!r->succeeded) return absl::AbortedError(absl::StrCat(what, " changed while deleting it; retry"));
  nlohmann::json j = nlohmann::json::parse((*kv)->value, nullptr, false);
  return Reply{200, j.is_discarded() ? nlohmann::json::object() : j};
}

void Server::RegisterStateRoutes() {
  // --- policies ---
  Route("GET", "/policies", "policies", Access::kRead, [this](const http_server::Request& req, const nlohmann::json&) {
    return ListDir(req, "policies");
  });
  Route("GET", R"(/policies/([^/]+))", "policy", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string id = req.matches[1];
          if (!policy::IsValidId(id)) return api::FieldError("id", absl::StrCat("\"", id, "\" is not a valid policy id"));
          return GetKey(keys_.Policy(id), absl::StrCat("policy \"", id, "\""));
        });
  Route("POST", "/policies", "policies", Access::kWrite,
        [this](const http_server::Request&, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          absl::StatusOr<policy::Policy> p = policy::ParseAndValidate(body);
          if (!p.ok()) return p.status();
          const std::string key = keys_.Policy(p->id);
          const nlohmann::json stored = api::ToJson(*p);
          store::Txn txn;
          txn.compares.push_back(store::Compare::Absent(key));
          txn.success.push_back(store::Op::Put(key, stored.dump()));
          absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
          if (!r.ok()) return r.status();
          if (r->succeeded) return Reply{201, stored};
          absl::StatusOr<store::TxnResult> put = store_.Commit({{}, {store::Op::Put(key, stored.dump())}, {}});
          if (!put.ok()) return put.status();
          return Reply{200, stored};
        });
  Route("DELETE", R"(/policies/([^/]+))", "policy", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string id = req.matches[1];
          if (!policy::IsValidId(id)) return api::FieldError("id", absl::StrCat("\"", id, "\" is not a valid policy id"));
          return DeleteKey(keys_.Policy(id), absl::StrCat("policy \"", id, "\""));
        });

  // --- namespaces ---
  Route("GET", "/namespaces", "namespaces", Access::kRead, [this](const http_server::Request& req, const nlohmann::json&) {
    return ListDir(req, "namespaces");
  });
  Route("GET", R"(/namespaces/([^/]+))", "namespace", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string name = req.matches[1];
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return GetKey(keys_.Namespace(name), absl::StrCat("namespace \"", name, "\""));
        });
  Route("PUT", R"(/namespaces/([^/]+))", "namespace", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          const std::string name = req.matches[1];
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          absl::StatusOr<api::Namespace> ns = api::ParseNamespace(body, name);
          if (!ns.ok()) return ns.status();
          const nlohmann::json stored = api::ToJson(*ns);
          absl::StatusOr<store::TxnResult> r = store_.Commit({{}, {store::Op::Put(keys_.Namespace(name), stored.dump())}, {}});
          if (!r.ok()) return r.status();
          return Reply{200, stored};
        });
  Route("DELETE", R"(/namespaces/([^/]+))", "namespace", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string name = req.matches[1];
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return DeleteKey(keys_.Namespace(name), absl::StrCat("namespace \"", name, "\""));
        });

  // --- endpoints ---
  Route("GET", "/endpoints", "endpoints", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          return ListDir(req, "endpoints",
                         {{"node", req.Param("node")}, {"namespace", req.Param("namespace")}});
        });
  Route("GET", R"(/endpoints/([^/]+)/([^/]+))", "endpoint", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return GetKey(keys_.Endpoint(ns, name), absl::StrCat("endpoint \"", ns, "/", name, "\""));
        });
  Route("PUT", R"(/endpoints/([^/]+)/([^/]+))", "endpoint", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          absl::StatusOr<api::Endpoint> e = api::ParseEndpoint(body, ns, name);
          if (!e.ok()) return e.status();
          const nlohmann::json stored = api::ToJson(*e);
          absl::StatusOr<store::TxnResult> r =
              store_.Commit({{}, {store::Op::Put(keys_.Endpoint(ns, name), stored.dump())}, {}});
          if (!r.ok()) return r.status();
          return Reply{200, stored};
        });
  Route("DELETE", R"(/endpoints/([^/]+)/([^/]+))", "endpoint", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return DeleteKey(keys_.Endpoint(ns, name), absl::StrCat("endpoint \"", ns, "/", name, "\""));
        });

  // --- host status (agents' reports; removed with the host) ---
  Route("GET", "/hoststatus", "hoststatus", Access::kRead, [this](const http_server::Request& req, const nlohmann::json&) {
    return ListDir(req, "hoststatus");
  });
  Route("GET", R"(/hosts/([^/]+)/status)", "hoststatus", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string host = req.matches[1];
          if (absl::Status s = CheckPathName(host, "host"); !s.ok()) return s;
          return GetKey(keys_.HostStatus(host), absl::StrCat("status of host \"", host, "\""));
        });
  Route("PUT", R"(/hosts/([^/]+)/status)", "hoststatus", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          const std::string host = req.matches[1];
          if (absl::Status s = CheckPathName(host, "host"); !s.ok()) return s;
          absl::StatusOr<api::HostStatus> status = api::ParseHostStatus(body, host);
          if (!status.ok()) return status.status();
          status->updated = absl::FormatTime(absl::RFC3339_sec, absl::FromChrono(clock_.WallNow()), absl::UTCTimeZone());
          const nlohmann::json stored = api::ToJson(*status);
          // Only a registered host has a status: the compare keeps a report that races the
          // host's removal from outliving it.
          store::Txn txn;
          txn.compares.push_back(store::Compare::Exists(keys_.Dir("hosts") + host));
          txn.success.push_back(store::Op::Put(keys_.HostStatus(host), stored.dump()));
          absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
          if (!r.ok()) return r.status();
          if (!r->succeeded) return absl::NotFoundError(absl::StrCat("host \"", host, "\" not found"));
          return Reply{200, stored};
        });
}

}  // namespace romana::daemon
