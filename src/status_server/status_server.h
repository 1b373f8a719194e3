// status_server.h: the small HTTP endpoint of romana-agent, romana-aws and romana-vpcrouter:
//   GET /healthz  200 {"status":"ok"} while `healthy()` (503 otherwise)
//   GET /readyz   the same with `ready()` (only when given)
//   GET /metrics  the registry in Prometheus text format
//   GET <path>    each extra JSON document (pretty-printed); a NotFound status answers 404
//                 {"error": message}, any other error 500.
// (romanad's API server is its own: daemon/server.h.)
//
// Serves on the project's event-driven HTTP server (http_server/http_server.h) with one io
// thread and one worker (the functions given may block briefly). Thread-safe. The registry and
// every function given must outlive the server; they are called on the server's threads.
#ifndef ROMANA_STATUS_SERVER_STATUS_SERVER_H_
#define ROMANA_STATUS_SERVER_STATUS_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/host_port.h"
#include "nlohmann/json.hpp"
#include "prometheus/registry.h"

namespace romana::http_server {
class HttpServer;
}

namespace romana {

struct StatusServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  std::string flag = "--listen";  // named in the bind error
  prometheus::Registry* registry = nullptr;  // REQUIRED
  std::function<bool()> healthy;  // null = always healthy
  std::function<bool()> ready;    // null = no /readyz
  std::map<std::string, std::function<absl::StatusOr<nlohmann::json>()>> documents;
};

class StatusServer {
 public:
  // Binds and starts serving. Errors: Unavailable naming options.flag and the address when it
  // cannot be bound.
  static absl::StatusOr<std::unique_ptr<StatusServer>> Start(StatusServerOptions options);
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;
  int port() const { return port_; }

  // Start() at the address of the flag options.flag (e.g. --metrics-listen), whose value is
  // `listen`: "host:port", or empty to serve nothing (then returns nullptr). Logs what it serves
  // and where. Errors: ParseListenFlag's, Start's.
  static absl::StatusOr<std::unique_ptr<StatusServer>> StartAt(const std::string& listen,
                                                               StatusServerOptions options);

 private:
  StatusServer() = default;
  std::unique_ptr<http_server::HttpServer> server_;
  int port_ = 0;
};

// The address of a "host:port, empty disables" flag such as --metrics-listen: nullopt when
// `value` is empty. Errors: InvalidArgument "<flag>: expected host:port, got '<value>'".
absl::StatusOr<std::optional<net::HostPort>> ParseListenFlag(absl::string_view flag, const std::string& value);

}  // namespace romana

#endif  // ROMANA_STATUS_SERVER_STATUS_SERVER_H_
