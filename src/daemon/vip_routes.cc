// Routes for Romana VIPs (api/vip.h): one store key per Service, <prefix>/vips/<namespace>/<name>,
// holding exactly the JSON the API returns. A VIP names the node whose agent adds the address;
// that node must be a registered host, or "" for none. Two VIPs may not share an address: each
// address has a claim key, <prefix>/vip-addresses/<ip> = "<namespace>/<name>", written and
// deleted in the same transaction as the record, with compares on what was read. So two writers
// racing for one address (two clients, or two replicas around a leader change) cannot both win:
// the loser re-reads and gets 409.

#include <optional>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/vip.h"
#include "daemon/server.h"
#include "http_server/request.h"

namespace romana::daemon {
namespace {

using Reply = Server::Reply;

std::string What(const std::string& ns, const std::string& name) {
  return absl::StrCat("vip \"", ns, "/", name, "\"");
}

// How often a write re-reads and retries when a concurrent write changed what it compared.
constexpr int kWriteAttempts = 5;

// "ns/name", the value of an address claim.
std::string Holder(const std::string& ns, const std::string& name) { return absl::StrCat(ns, "/", name); }

// A compare that holds while `key` is as it was read (absent, or at the same revision).
store::Compare Unchanged(const std::string& key, const std::optional<store::KeyValue>& read) {
  return read ? store::Compare::ModRevisionEquals(key, read->mod_revision) : store::Compare::Absent(key);
}

// The address of a stored VIP record (nullopt when there is none or it does not parse).
std::optional<std::string> IpOf(const std::optional<store::KeyValue>& record) {
  if (!record) return std::nullopt;
  absl::StatusOr<api::Vip> vip = api::ParseVip(nlohmann::json::parse(record->value, nullptr, false));
  if (!vip.ok()) return std::nullopt;
  return vip->ip;
}

}  // namespace

void Server::RegisterVipRoutes() {
  Route("GET", "/vips", "vips", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          return ListDir(req, "vips", {{"node", req.Param("node")}, {"namespace", req.Param("namespace")},
                                       {"ip", req.Param("ip")}});
        });
  Route("GET", R"(/vips/([^/]+)/([^/]+))", "vip", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return GetKey(keys_.Vip(ns, name), What(ns, name));
        });
  Route("PUT", R"(/vips/([^/]+)/([^/]+))", "vip", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          absl::StatusOr<api::Vip> vip = api::ParseVipRequest(body, ns, name);
          if (!vip.ok()) return vip.status();
          return PutVip(*vip);
        });
  Route("DELETE", R"(/vips/([^/]+)/([^/]+))", "vip", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return DeleteVip(ns, name);
        });
}

absl::StatusOr<Server::Reply> Server::PutVip(const api::Vip& vip) {
  const std::string key = keys_.Vip(vip.namespace_name, vip.name);
  const std::string holder = Holder(vip.namespace_name, vip.name);
  const std::string claim_key = keys_.VipAddress(vip.ip);
  const nlohmann::json stored = api::ToJson(vip);
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    absl::StatusOr<std::optional<store::KeyValue>> current = store_.Get(key);
    if (!current.ok()) return current.status();
    absl::StatusOr<std::optional<store::KeyValue>> claim = store_.Get(claim_key);
    if (!claim.ok()) return claim.status();
    if (*claim && (*claim)->value != holder) {
      return api::WithField(
          absl::AlreadyExistsError(absl::StrCat("ip: ", vip.ip, " is already the VIP of ", (*claim)->value)), "ip");
    }
    store::Txn txn;
    txn.compares.push_back(Unchanged(key, *current));
    txn.compares.push_back(Unchanged(claim_key, *claim));
    if (!vip.node.empty()) txn.compares.push_back(store::Compare::Exists(keys_.Dir("hosts") + vip.node));
    txn.success.push_back(store::Op::Put(key, stored.dump()));
    txn.success.push_back(store::Op::Put(claim_key, holder));
    // Moving to another address frees the old one.
    if (std::optional<std::string> before = IpOf(*current); before && *before != vip.ip) {
      txn.success.push_back(store::Op::Delete(keys_.VipAddress(*before)));
    }
    absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
    if (!r.ok()) return r.status();
    if (r->succeeded) return Reply{200, stored};
    if (!vip.node.empty()) {
      absl::StatusOr<std::optional<store::KeyValue>> host = store_.Get(keys_.Dir("hosts") + vip.node);
      if (!host.ok()) return host.status();
      if (!*host) return api::FieldError("node", absl::StrCat("host \"", vip.node, "\" is not registered"));
    }
  }
  return absl::AbortedError(
      absl::StrCat(What(vip.namespace_name, vip.name), " changed while writing it ", kWriteAttempts, " times; retry"));
}

absl::StatusOr<Server::Reply> Server::DeleteVip(const std::string& ns, const std::string& name) {
  const std::string key = keys_.Vip(ns, name);
  absl::StatusOr<std::optional<store::KeyValue>> current = store_.Get(key);
  if (!current.ok()) return current.status();
  if (!*current) return absl::NotFoundError(absl::StrCat(What(ns, name), " not found"));
  store::Txn txn;
  txn.compares.push_back(Unchanged(key, *current));
  txn.success.push_back(store::Op::Delete(key));
  if (std::optional<std::string> ip = IpOf(*current)) txn.success.push_back(store::Op::Delete(keys_.VipAddress(*ip)));
  absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
  if (!r.ok()) return r.status();
  if (!r->succeeded) return absl::AbortedError(absl::StrCat(What(ns, name), " changed while deleting it; retry"));
  nlohmann::json j = nlohmann::json::parse((*current)->value, nullptr, false);
  return Reply{200, j.is_discarded() ? nlohmann::json::object() : j};
}

}  // namespace romana::daemon
