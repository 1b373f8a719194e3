#include "aws/vpcrouter/status_server.h"

#include <httplib.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "prometheus/text_serializer.h"

namespace romana::vpcrouter {

using nlohmann::json;

namespace {
std::string Time(std::chrono::system_clock::time_point t) {
  return absl::FormatTime(absl::RFC3339_sec, absl::FromChrono(t), absl::UTCTimeZone());
}
}  // namespace

json OverviewJson(const RouterStatus& s, const VpcRouterOptions& o) {
  return json{{"SERVER", {{"name", "romana-vpcrouter"}, {"current_time", Time(std::chrono::system_clock::now())}}},
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

absl::StatusOr<std::unique_ptr<StatusServer>> StatusServer::Start(const std::string& address, int port,
                                                                  const VpcRouter& router,
                                                                  const VpcRouterOptions& options,
                                                                  prometheus::Registry& registry) {
  std::unique_ptr<StatusServer> s(new StatusServer());
  s->server_ = std::make_unique<httplib::Server>();
  httplib::Server& srv = *s->server_;
  auto send = [](httplib::Response& res, const json& j) { res.set_content(j.dump(2) + "\n", "application/json"); };
  srv.Get("/", [&router, options, send](const httplib::Request&, httplib::Response& res) {
    send(res, OverviewJson(router.Status(), options));
  });
  srv.Get("/ips", [&router, send](const httplib::Request&, httplib::Response& res) { send(res, IpsJson(router.Status())); });
  srv.Get("/route_info", [&router, options, send](const httplib::Request&, httplib::Response& res) {
    send(res, RouteInfoJson(router.Status(), options));
  });
  srv.Get("/vpc", [&router, send](const httplib::Request&, httplib::Response& res) { send(res, VpcJson(router.Status())); });
  srv.Get("/route_spec", [&router](const httplib::Request&, httplib::Response& res) {
    RouterStatus st = router.Status();
    if (!st.spec) {
      res.status = 404;
      res.set_content("{\"error\": \"no route spec yet\"}\n", "application/json");
      return;
    }
    res.set_content(RouteSpecToJson(*st.spec) + "\n", "application/json");
  });
  srv.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}\n", "application/json");
  });
  srv.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(prometheus::TextSerializer().Serialize(registry.Collect()), "text/plain; version=0.0.4");
  });
  if (port == 0) {
    s->port_ = srv.bind_to_any_port(address);
  } else {
    s->port_ = srv.bind_to_port(address, port) ? port : -1;
  }
  if (s->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("status server: cannot listen on ", address, ":", port));
  }
  s->thread_ = std::thread([srv_ptr = s->server_.get()] { srv_ptr->listen_after_bind(); });
  // stop() is a no-op until the loop runs; wait so the destructor can always stop it.
  while (!s->server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return s;
}

StatusServer::~StatusServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace romana::vpcrouter
