// Routes for Romana VIPs (api/vip.h): one store key per Service, <prefix>/vips/<namespace>/<name>,
// holding exactly the JSON the API returns. A VIP names the node whose agent adds the address;
// that node must be a registered host (checked in the write's transaction), or "" for none. Two
// records may not share an address: the check reads this replica's watch cache, so two writers
// racing with the same address could both pass it (the listener is the only writer in a cluster,
// and it checks too).

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
          // Another Service's VIP with the same address?
          std::string holder;
          absl::StatusOr<store::Revision> at = cache_->Read(0, [&](const StateIndex& s) -> absl::Status {
            absl::StatusOr<std::vector<StateIndex::Value>> same = s.List("vips", "ip", vip->ip);
            if (!same.ok()) return same.status();
            for (const StateIndex::Value& v : *same) {
              absl::StatusOr<api::Vip> other = api::ParseVip(nlohmann::json::parse(*v, nullptr, false));
              if (other.ok() && (other->namespace_name != ns || other->name != name)) {
                holder = absl::StrCat(other->namespace_name, "/", other->name);
              }
            }
            return absl::OkStatus();
          });
          if (!at.ok()) return at.status();
          if (!holder.empty()) {
            return api::WithField(absl::AlreadyExistsError(absl::StrCat("ip: ", vip->ip, " is already the VIP of ",
                                                                        holder)),
                                  "ip");
          }
          const nlohmann::json stored = api::ToJson(*vip);
          store::Txn txn;
          if (!vip->node.empty()) txn.compares.push_back(store::Compare::Exists(keys_.Dir("hosts") + vip->node));
          txn.success.push_back(store::Op::Put(keys_.Vip(ns, name), stored.dump()));
          absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
          if (!r.ok()) return r.status();
          if (!r->succeeded) {
            return api::FieldError("node", absl::StrCat("host \"", vip->node, "\" is not registered"));
          }
          return Reply{200, stored};
        });
  Route("DELETE", R"(/vips/([^/]+)/([^/]+))", "vip", Access::kWrite,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string ns = req.matches[1], name = req.matches[2];
          if (absl::Status s = CheckPathName(ns, "namespace"); !s.ok()) return s;
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return DeleteKey(keys_.Vip(ns, name), What(ns, name));
        });
}

}  // namespace romana::daemon
