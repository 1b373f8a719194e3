#include "aws/vpcrouter/status_server.h"

#include <ctime>

#include "absl/time/time.h"

namespace romana::vpcrouter {

using nlohmann::json;

namespace {
std::string Time(std::chrono::system_clock::time_point t) {
  return absl::FormatTime(absl::RFC3339_sec, absl::FromChrono(t), absl::UTCTimeZone());
}
}  // namespace

json OverviewJson(const RouterStatus& s, const VpcRouterOptions& o, std::chrono::system_clock::time_point now) {
  return json{{"SERVER", {{"name", "romana-vpcrouter"}, {"current_time", Time(now)}}},
              {"params", {{"region", o.region},
                          {"vpc", o.vpc_id},
                          {"route_recheck_interval_ms", o.route_recheck_interval.count()},
                          {"route_table_limit", o.planner.route_limit},
                          {"ignore_routes", o.planner.ignore_routes},
                          {"include_main_route_table", o.planner.include_main},
                          {"route_spec_source", s.spec_source}}},
              {"last_pass", {{"time", s.passes ? Time(s.last_pass) : ""},
                             {"reason", s.last_reason},
                             {"error", s.last_error},
                             {"passes", s.passes}}},
              {"spec_error", s.spec_error},
              {"ips", {{"_href", "/ips"}}},
              {"route_info", {{"_href", "/route_info"}}},
              {"vpc", {{"_href", "/vpc"}}},
              {"metrics", {{"_href", "/metrics"}}}};
}

json IpsJson(const RouterStatus& s) {
  return json{{"working_set", s.working_set},
              {"failed_ips", s.health.failed},
              {"questionable_ips", s.health.questionable}};
}

json RouteInfoJson(const RouterStatus& s, const VpcRouterOptions& o) {
  json routes = json::object();
  for (const auto& [rt, cidrs] : s.last_plan.tables) {
    for (const auto& [cidr, info] : cidrs) {
      if (!info.router_ip.empty()) routes[cidr] = json::array({info.router_ip, info.instance_id, info.eni_id});
    }
  }
  json spec = json::object();
  if (s.spec) {
    for (const auto& [cidr, hosts] : *s.spec) spec[cidr] = hosts;
  }
  return json{{"route_spec", spec}, {"routes", routes}, {"ignore_routes", o.planner.ignore_routes}};
}

json VpcJson(const RouterStatus& s) {
  json tables = json::object();
  for (const auto& [rt, cidrs] : s.last_plan.tables) {
    json t = json::object();
    for (const auto& [cidr, info] : cidrs) {
      t[cidr] = {{"router_ip", info.router_ip}, {"instance_id", info.instance_id},
                 {"eni_id", info.eni_id}, {"note", info.note}};
    }
    tables[rt] = t;
  }
  json limits = json::array();
  for (const auto& v : s.last_plan.limit_violations) {
    limits.push_back({{"route_table", v.route_table_id}, {"routes_needed", v.routes_needed},
                      {"limit", v.limit}, {"refused_cidrs", v.refused_cidrs}});
  }
  return json{{"time", s.passes ? Time(s.last_pass) : ""},
              {"selected_route_tables", s.last_plan.selected_tables},
              {"route_tables", tables},
              {"chosen_routers", s.last_plan.chosen},
              {"limit_violations", limits},
              {"warnings", s.last_plan.warnings},
              {"operation_errors", s.op_errors}};
}

absl::StatusOr<std::unique_ptr<StatusServer>> StartStatusServer(const std::string& address, int port,
                                                                const VpcRouter& router,
                                                                const VpcRouterOptions& options,
                                                                prometheus::Registry& registry) {
  StatusServerOptions o{.host = address, .port = port, .flag = "--address/--port", .registry = &registry};
  o.documents["/"] = [&router, options] { return OverviewJson(router.Status(), options, router.clock().WallNow()); };
  o.documents["/ips"] = [&router] { return IpsJson(router.Status()); };
  o.documents["/route_info"] = [&router, options] { return RouteInfoJson(router.Status(), options); };
  o.documents["/vpc"] = [&router] { return VpcJson(router.Status()); };
  o.documents["/route_spec"] = [&router]() -> absl::StatusOr<json> {
    RouterStatus st = router.Status();
    if (!st.spec) return absl::NotFoundError("no route spec yet");
    return json::parse(RouteSpecToJson(*st.spec));
  };
  return StatusServer::Start(std::move(o));
}

}  // namespace romana::vpcrouter
