// status_server.h: romana-vpcrouter's HTTP status endpoint (vpc-router's paths, JSON only):
//   GET /            overview with links
//   GET /ips         {"working_set", "failed_ips", "questionable_ips"}
//   GET /route_info  {"route_spec", "routes": {cidr: [ip, instance, eni]}, "ignore_routes"}
//   GET /vpc         {"route_tables": {rt: {cidr: {router_ip, instance_id, eni_id, note}}},
//                     "limit_violations", "warnings", "operation_errors"}
//   GET /route_spec  the current spec (404 when none yet)
//   GET /metrics     Prometheus text
// GET /healthz and /metrics as every status server. Runs its own thread; thread-safe.
#ifndef ROMANA_AWS_VPCROUTER_STATUS_SERVER_H_
#define ROMANA_AWS_VPCROUTER_STATUS_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "aws/vpcrouter/router.h"
#include "nlohmann/json.hpp"
#include "prometheus/registry.h"
#include "status_server/status_server.h"

namespace romana::vpcrouter {

// The JSON documents served, built from a status snapshot (pure; tested on their own).
// `now` is the page's current_time.
nlohmann::json OverviewJson(const RouterStatus& s, const VpcRouterOptions& o,
                            std::chrono::system_clock::time_point now);
nlohmann::json IpsJson(const RouterStatus& s);
nlohmann::json RouteInfoJson(const RouterStatus& s, const VpcRouterOptions& o);
nlohmann::json VpcJson(const RouterStatus& s);

// Serves the documents above plus /healthz and /metrics (status_server/status_server.h) on
// `address:port` (port 0 = any). `router` and `registry` must outlive the server. Errors:
// Unavailable when the address cannot be bound.
absl::StatusOr<std::unique_ptr<StatusServer>> StartStatusServer(const std::string& address, int port,
                                                                const VpcRouter& router,
                                                                const VpcRouterOptions& options,
                                                                prometheus::Registry& registry);

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_STATUS_SERVER_H_
