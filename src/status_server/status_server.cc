#include "status_server/status_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "prometheus/text_serializer.h"

namespace romana {
namespace {

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", "application/json");
}

httplib::Server::Handler Probe(std::function<bool()> probe) {
  return [probe = std::move(probe)](const httplib::Request&, httplib::Response& res) {
    const bool ok = !probe || probe();
    SendJson(res, ok ? 200 : 503, {{"status", ok ? "ok" : "not ready"}});
  };
}

}  // namespace

absl::StatusOr<std::unique_ptr<StatusServer>> StatusServer::Start(StatusServerOptions options) {
  std::unique_ptr<StatusServer> s(new StatusServer());
  s->server_ = std::make_unique<httplib::Server>();
  httplib::Server& srv = *s->server_;
  // httplib's default also sets SO_REUSEPORT, which lets a second process bind the same port and
  // silently take half the connections; a busy port must be an error.
  srv.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  srv.Get("/healthz", Probe(options.healthy));
  if (options.ready) srv.Get("/readyz", Probe(options.ready));
  prometheus::Registry* registry = options.registry;
  srv.Get("/metrics", [registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(prometheus::TextSerializer().Serialize(registry->Collect()), "text/plain; version=0.0.4");
  });
  for (auto& [path, document] : options.documents) {
    srv.Get(path, [document = std::move(document)](const httplib::Request&, httplib::Response& res) {
      absl::StatusOr<nlohmann::json> j = document();
      if (j.ok()) {
        SendJson(res, 200, *j);
      } else {
        SendJson(res, absl::IsNotFound(j.status()) ? 404 : 500, {{"error", std::string(j.status().message())}});
      }
    });
  }
  s->port_ = options.port == 0 ? srv.bind_to_any_port(options.host)
                               : (srv.bind_to_port(options.host, options.port) ? options.port : -1);
  if (s->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat(options.flag, ": cannot listen on ", options.host, ":", options.port));
  }
  s->thread_ = std::thread([&srv] { srv.listen_after_bind(); });
  // stop() is a no-op until the loop runs; wait so the destructor can always stop it.
  while (!srv.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return s;
}

StatusServer::~StatusServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace romana
