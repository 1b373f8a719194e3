// Routes for the IPAM resources: topology, networks, groups, hosts, blocks, addresses.
// Reads come from the watch cache (cache_reads.cc; one record per store key, value = API JSON);
// writes go to IpamService.
#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/types.h"
#include "daemon/server.h"
#include "http_server/request.h"
#include "net/ipv4.h"
#include "spdlog/spdlog.h"

namespace romana::daemon {
namespace {

using Reply = Server::Reply;

// Exactly one of ?name= and ?ip= must be given.
absl::StatusOr<std::pair<std::string, std::string>> NameOrIp(const http_server::Request& req) {
  const std::string name = req.Param("name");
  const std::string ip = req.Param("ip");
  if (name.empty() == ip.empty()) return api::FieldError("name", "give exactly one of ?name= and ?ip=");
  if (!ip.empty() && !net::Ipv4Address::Parse(ip).ok()) return api::FieldError("ip", absl::StrCat("\"", ip, "\" is not an IPv4 address"));
  if (!name.empty()) {
    if (absl::Status s = Server::CheckPathName(name, "name"); !s.ok()) return s;
  }
  return std::make_pair(name, ip);
}

}  // namespace

IpamService* Server::Ipam() { return ipam_; }

void Server::RegisterIpamRoutes() {
  auto ipam = [this]() -> absl::StatusOr<IpamService*> {
    if (ipam_ == nullptr) return absl::UnavailableError("IPAM is not available in this romanad");
    return ipam_;
  };

  // --- topology ---
  Route("GET", "/topology", "topology", Access::kRead, [this](const http_server::Request&, const nlohmann::json&) {
    return GetKey(keys_.prefix() + "/topology", "the topology (none applied yet)");
  });
  for (const std::string method : {"PUT", "POST"}) {
    Route(method, "/topology", "topology", Access::kWrite,
          [ipam](const http_server::Request&, const nlohmann::json& body) -> absl::StatusOr<Reply> {
            absl::StatusOr<IpamService*> s = ipam();
            if (!s.ok()) return s.status();
            absl::StatusOr<nlohmann::json> t = (*s)->SetTopology(body);
            if (!t.ok()) return t.status();
            return Reply{200, *t};
          });
  }

  // --- networks and groups ---
  Route("GET", "/networks", "networks", Access::kRead, [this](const http_server::Request& req, const nlohmann::json&) {
    return ListDir(req, "networks");
  });
  Route("GET", R"(/networks/([^/]+))", "network", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string name = req.matches[1];
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return GetKey(keys_.Dir("networks") + name, absl::StrCat("network \"", name, "\""));
        });
  Route("GET", R"(/networks/([^/]+)/blocks)", "network_blocks", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string name = req.matches[1];
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          absl::StatusOr<Reply> net = GetKey(keys_.Dir("networks") + name, absl::StrCat("network \"", name, "\""));
          if (!net.ok()) return net.status();
          return ListDir(req, "blocks", {{"network", name}});
        });
  Route("GET", "/groups", "groups", Access::kRead, [this](const http_server::Request& req, const nlohmann::json&) {
    return ListDir(req, "groups", {{"network", req.Param("network")}});
  });

  // --- hosts ---
  Route("GET", "/hosts", "hosts", Access::kRead, [this](const http_server::Request& req, const nlohmann::json&) {
    return ListDir(req, "hosts");
  });
  Route("GET", R"(/hosts/([^/]+))", "host", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string name = req.matches[1];
          if (absl::Status s = CheckPathName(name, "name"); !s.ok()) return s;
          return GetKey(keys_.Dir("hosts") + name, absl::StrCat("host \"", name, "\""));
        });
  Route("POST", "/hosts", "hosts", Access::kWrite,
        [ipam](const http_server::Request&, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          absl::StatusOr<api::HostRequest> h = api::ParseHostRequest(body);
          if (!h.ok()) return h.status();
          absl::StatusOr<IpamService*> s = ipam();
          if (!s.ok()) return s.status();
          absl::StatusOr<nlohmann::json> host = (*s)->AddHost(*h);
          if (!host.ok()) return host.status();
          return Reply{201, *host};
        });
  Route("PUT", R"(/hosts/([^/]+)/labels)", "host_labels", Access::kWrite,
        [ipam](const http_server::Request& req, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          const std::string name = req.matches[1];
          if (absl::Status st = CheckPathName(name, "name"); !st.ok()) return st;
          absl::StatusOr<api::Labels> labels = api::ParseLabelsRequest(body);
          if (!labels.ok()) return labels.status();
          absl::StatusOr<IpamService*> s = ipam();
          if (!s.ok()) return s.status();
          absl::StatusOr<nlohmann::json> host = (*s)->RelabelHost(name, *labels);
          if (!host.ok()) return host.status();
          return Reply{200, *host};
        });
  Route("DELETE", R"(/hosts/([^/]+))", "host", Access::kWrite,
        [this, ipam](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          const std::string name = req.matches[1];
          if (absl::Status st = CheckPathName(name, "name"); !st.ok()) return st;
          absl::StatusOr<IpamService*> s = ipam();
          if (!s.ok()) return s.status();
          absl::StatusOr<nlohmann::json> host = (*s)->RemoveHost(name);
          if (!host.ok()) return host.status();
          // The host's status goes with it; a report that raced the removal found no host (see
          // PUT /hosts/{name}/status), so nothing can bring it back. Guarded by a compare so a
          // delete that happened is a noted write (reads through this replica then see it).
          const std::string status_key = keys_.HostStatus(name);
          absl::StatusOr<store::TxnResult> r =
              store_.Commit({{store::Compare::Exists(status_key)}, {store::Op::Delete(status_key)}, {}});
          if (!r.ok()) spdlog::warn("host {} removed, but not its status: {}", name, r.status().ToString());
          return Reply{200, *host};
        });

  // --- blocks ---
  Route("GET", "/blocks", "blocks", Access::kRead, [this](const http_server::Request& req, const nlohmann::json&) {
    return ListDir(req, "blocks", {{"host", req.Param("host")}, {"network", req.Param("network")}});
  });

  // --- addresses ---
  Route("GET", "/addresses", "addresses", Access::kRead, [this](const http_server::Request& req, const nlohmann::json&) {
    return ListDir(req, "addresses", {{"host", req.Param("host")}});
  });
  Route("GET", "/address", "address", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          absl::StatusOr<std::pair<std::string, std::string>> q = NameOrIp(req);
          if (!q.ok()) return q.status();
          if (!q->first.empty()) return GetKey(keys_.Dir("addresses") + q->first, absl::StrCat("address \"", q->first, "\""));
          return GetByIndex("addresses", "ip", q->second, absl::StrCat("address ", q->second));
        });
  Route("POST", "/address", "address", Access::kWrite,
        [ipam](const http_server::Request&, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          absl::StatusOr<api::AddressRequest> r = api::ParseAddressRequest(body);
          if (!r.ok()) return r.status();
          absl::StatusOr<IpamService*> s = ipam();
          if (!s.ok()) return s.status();
          absl::StatusOr<std::pair<nlohmann::json, bool>> a = (*s)->Allocate(*r);
          if (!a.ok()) return a.status();
          return Reply{a->second ? 201 : 200, a->first};
        });
  Route("DELETE", "/address", "address", Access::kWrite,
        [ipam](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          absl::StatusOr<std::pair<std::string, std::string>> q = NameOrIp(req);
          if (!q.ok()) return q.status();
          absl::StatusOr<IpamService*> s = ipam();
          if (!s.ok()) return s.status();
          absl::StatusOr<nlohmann::json> a = q->first.empty() ? (*s)->ReleaseIp(q->second) : (*s)->Release(q->first);
          if (!a.ok()) return a.status();
          return Reply{200, *a};
        });
}

}  // namespace romana::daemon
