// status_server.h: the agent's HTTP endpoint: /healthz, /readyz and /metrics (Prometheus text).
//
// Serves from its own thread (cpp-httplib). Thread-safe. The registry and the probe functions
// must outlive the server.
#ifndef ROMANA_AGENT_STATUS_SERVER_H_
#define ROMANA_AGENT_STATUS_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "prometheus/registry.h"

namespace httplib {
class Server;
}

namespace romana::agent {

class StatusServer {
 public:
  // Binds `host:port` (port 0 = any free port) and starts serving. Errors: Unavailable when the
  // address cannot be bound (message names it).
  static absl::StatusOr<std::unique_ptr<StatusServer>> Start(const std::string& host, int port,
                                                             prometheus::Registry& registry,
                                                             std::function<bool()> healthy,
                                                             std::function<bool()> ready);
  ~StatusServer();
  int port() const { return port_; }

 private:
  StatusServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_STATUS_SERVER_H_
