#include "status_server/status_server.h"

#include "absl/strings/str_cat.h"
#include "http_server/http_server.h"
#include "http_server/router.h"
#include "prometheus/text_serializer.h"
#include "spdlog/spdlog.h"

namespace romana {
namespace {

using http_server::Request;
using http_server::Response;

Response Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(2) + "\n";
  return r;
}

http_server::HttpServer::Handler Probe(std::function<bool()> probe) {
  return [probe = std::move(probe)](const Request&) {
    const bool ok = !probe || probe();
    return Json(ok ? 200 : 503, {{"status", ok ? "ok" : "not ready"}});
  };
}

}  // namespace

absl::StatusOr<std::unique_ptr<StatusServer>> StatusServer::Start(StatusServerOptions options) {
  std::unique_ptr<StatusServer> s(new StatusServer());
  http_server::ServerOptions ho;
  ho.host = options.host;
  ho.port = options.port;
  ho.io_threads = 1;
  ho.worker_threads = 1;
  ho.max_connections = 64;  // Prometheus and kubelet probes
  absl::StatusOr<std::unique_ptr<http_server::HttpServer>> srv = http_server::HttpServer::Create(std::move(ho));
  if (!srv.ok()) return srv.status();
  s->server_ = *std::move(srv);
  http_server::HttpServer& h = *s->server_;
  h.Handle("GET", "/healthz", Probe(options.healthy));
  if (options.ready) h.Handle("GET", "/readyz", Probe(options.ready));
  prometheus::Registry* registry = options.registry;
  h.Handle("GET", "/metrics", [registry](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = prometheus::TextSerializer().Serialize(registry->Collect());
    return r;
  });
  for (auto& [path, document] : options.documents) {
    h.Handle("GET", http_server::LiteralPattern(path), [document = std::move(document)](const Request&) {
      absl::StatusOr<nlohmann::json> j = document();
      if (j.ok()) return Json(200, *j);
      return Json(absl::IsNotFound(j.status()) ? 404 : 500, {{"error", std::string(j.status().message())}});
    });
  }
  if (absl::Status st = h.Start(); !st.ok()) {
    return absl::UnavailableError(absl::StrCat(options.flag, ": cannot listen on ", options.host, ":", options.port));
  }
  s->port_ = h.port();
  return s;
}

StatusServer::~StatusServer() {
  if (server_) server_->Stop();
}

absl::StatusOr<std::optional<net::HostPort>> ParseListenFlag(absl::string_view flag, const std::string& value) {
  if (value.empty()) return std::nullopt;
  absl::StatusOr<net::HostPort> hp = net::ParseHostPort(value);
  if (!hp.ok()) return absl::InvalidArgumentError(absl::StrCat(flag, ": expected host:port, got '", value, "'"));
  return *hp;
}

absl::StatusOr<std::unique_ptr<StatusServer>> StatusServer::StartAt(const std::string& listen,
                                                                    StatusServerOptions options) {
  absl::StatusOr<std::optional<net::HostPort>> address = ParseListenFlag(options.flag, listen);
  if (!address.ok()) return address.status();
  if (!address->has_value()) return nullptr;
  options.host = (*address)->host;
  options.port = (*address)->port;
  std::string paths = options.ready ? "/metrics, /healthz, /readyz" : "/metrics, /healthz";
  for (const auto& [path, document] : options.documents) absl::StrAppend(&paths, ", ", path);
  const std::string host = options.host;
  absl::StatusOr<std::unique_ptr<StatusServer>> server = Start(std::move(options));
  if (!server.ok()) return server.status();
  spdlog::info("serving {} on {}:{}", paths, host, (*server)->port());
  return server;
}

}  // namespace romana
