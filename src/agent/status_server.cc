#include "agent/status_server.h"

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "prometheus/text_serializer.h"

namespace romana::agent {

absl::StatusOr<std::unique_ptr<StatusServer>> StatusServer::Start(const std::string& host, int port,
                                                                  prometheus::Registry& registry,
                                                                  std::function<bool()> healthy,
                                                                  std::function<bool()> ready) {
  std::unique_ptr<StatusServer> s(new StatusServer());
  s->server_ = std::make_unique<httplib::Server>();
  auto probe = [](std::function<bool()> f) {
    return [f](const httplib::Request&, httplib::Response& res) {
      bool ok = f();
      res.status = ok ? 200 : 503;
      res.set_content(ok ? R"({"status":"ok"})" : R"({"status":"not ready"})", "application/json");
    };
  };
  s->server_->Get("/healthz", probe(std::move(healthy)));
  s->server_->Get("/readyz", probe(std::move(ready)));
  s->server_->Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    prometheus::TextSerializer serializer;
    res.set_content(serializer.Serialize(registry.Collect()), "text/plain; version=0.0.4");
  });
  if (port == 0) {
    s->port_ = s->server_->bind_to_any_port(host);
    if (s->port_ <= 0) return absl::UnavailableError(absl::StrCat("--metrics-listen: cannot bind ", host));
  } else {
    if (!s->server_->bind_to_port(host, port)) {
      return absl::UnavailableError(absl::StrCat("--metrics-listen: cannot bind ", host, ":", port));
    }
    s->port_ = port;
  }
  httplib::Server* srv = s->server_.get();
  s->thread_ = std::thread([srv] { srv->listen_after_bind(); });
  return s;
}

StatusServer::~StatusServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace romana::agent
