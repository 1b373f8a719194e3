// status_server.h: romana-vpcrouter's HTTP status endpoint (vpc-router's paths, JSON only):
//   GET /            overview with links
//   GET /ips         {"working_set", "failed_ips", "questionable_ips"}
//   GET /route_info  {"route_spec", "routes": {cidr: [ip, instance, eni]}, "ignore_routes"}
//   GET /vpc         {"route_tables": {rt: {cidr: {router_ip, instance_id, eni_id, note}}},
//                     "limit_violations", "warnings", "operation_errors"}
//   GET /route_spec  the current spec (404 when none yet)
//   GET /metrics     Prometheus text
// Runs its own thread; thread-safe.
#ifndef ROMANA_AWS_VPCROUTER_STATUS_SERVER_H_
#define ROMANA_AWS_VPCROUTER_STATUS_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "aws/vpcrouter/router.h"
#include "nlohmann/json.hpp"
#include "prometheus/registry.h"

namespace httplib {
class Server;
}

namespace romana::vpcrouter {

// The JSON documents served, built from a status snapshot (pure; tested on their own).
nlohmann::json OverviewJson(const RouterStatus& s, const VpcRouterOptions& o);
nlohmann::json IpsJson(const RouterStatus& s);
nlohmann::json RouteInfoJson(const RouterStatus& s, const VpcRouterOptions& o);
nlohmann::json VpcJson(const RouterStatus& s);

class StatusServer {
 public:
  // Binds `address:port` (port 0 = any) and starts serving. `router` and `registry` must
  // outlive the server. Errors: Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<StatusServer>> Start(const std::string& address, int port,
                                                             const VpcRouter& router,
                                                             const VpcRouterOptions& options,
                                                             prometheus::Registry& registry);
  ~StatusServer();
  int port() const { return port_; }

 private:
  StatusServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_STATUS_SERVER_H_
