#include "lab/router.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/token_file.h"
#include "health/checker.h"
#include "lab/exec.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace romana::lab {

RouterTable PlanRouterRoutes(const std::vector<RouterGroup>& groups, const std::set<std::string>& failed_ips,
                             const RouterTable& current) {
  RouterTable want;
  for (const RouterGroup& g : groups) {
    auto live = [&](const std::string& ip) {
      return !failed_ips.contains(ip) &&
             std::find(g.member_ips.begin(), g.member_ips.end(), ip) != g.member_ips.end();
    };
    auto now = current.find(g.cidr);
    if (now != current.end() && live(now->second)) {
      want[g.cidr] = now->second;
      continue;
    }
    for (const std::string& ip : g.member_ips) {
      if (live(ip)) {
        want[g.cidr] = ip;
        break;
      }
    }
  }
  return want;
}

absl::StatusOr<std::vector<RouterGroup>> FetchRouterGroups(api::Client& romanad) {
  absl::StatusOr<api::List<api::Group>> groups = romanad.ListGroups();
  if (!groups.ok()) return groups.status();
  absl::StatusOr<api::List<api::Host>> hosts = romanad.ListHosts();
  if (!hosts.ok()) return hosts.status();
  std::map<std::string, std::string> ip_of;
  for (const api::Host& h : hosts->items) ip_of[h.name] = h.ip;
  api::GroupHosts members = api::HostsByGroup(hosts->items);
  std::vector<RouterGroup> out;
  for (const api::Group& g : groups->items) {
    if (!g.leaf || g.padding) continue;
    RouterGroup rg{g.cidr, {}};
    for (const std::string& h : members[{g.network, g.path}]) {
      if (ip_of.contains(h)) rg.member_ips.push_back(ip_of[h]);
    }
    out.push_back(std::move(rg));
  }
  return out;
}

absl::StatusOr<RouterTable> ReadRouterRoutes(const std::string& router_netns) {
  absl::StatusOr<Captured> c = RunCapture(InNs(router_netns, {"ip", "-j", "route", "show", "proto", "82"}));
  if (!c.ok()) return c.status();
  if (c->exit_code != 0) return absl::InternalError("ip route show: " + c->err);
  nlohmann::json j = nlohmann::json::parse(c->out.empty() ? "[]" : c->out, nullptr, false);
  if (!j.is_array()) return absl::InternalError("unexpected `ip -j route` output: " + c->out);
  RouterTable out;
  for (const nlohmann::json& r : j) {
    std::string dst = r.value("dst", "");
    if (dst.find('/') == std::string::npos) dst += "/32";
    out[dst] = r.value("gateway", "");
  }
  return out;
}

absl::Status ApplyRouterRoutes(const std::string& router_netns, const RouterTable& want, const RouterTable& have) {
  auto run = [&](std::vector<std::string> argv) -> absl::Status {
    absl::StatusOr<Captured> c = RunCapture(InNs(router_netns, argv));
    if (!c.ok()) return c.status();
    if (c->exit_code != 0) return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "), ": ", c->err));
    return absl::OkStatus();
  };
  for (const auto& [dst, gw] : have) {
    if (!want.contains(dst)) {
      if (absl::Status s = run({"ip", "route", "del", dst, "proto", "82"}); !s.ok()) return s;
    }
  }
  for (const auto& [dst, gw] : want) {
    auto it = have.find(dst);
    if (it != have.end() && it->second == gw) continue;
    if (absl::Status s = run({"ip", "route", "replace", dst, "via", gw, "proto", "82"}); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status KeepRouter(const RouterKeeperOptions& options, const std::atomic<bool>& stop) {
  absl::StatusOr<std::unique_ptr<health::IcmpEchoChecker>> icmp =
      health::IcmpEchoChecker::Create(std::chrono::milliseconds(500), 2);
  if (!icmp.ok()) return icmp.status();
  api::ClientOptions co{.server = options.romanad_url, .ca_file = options.ca_file};
  if (!options.token_file.empty()) {
    absl::StatusOr<std::string> token = base::ReadTokenFile(options.token_file);
    if (!token.ok()) return token.status();
    co.token = *std::move(token);
  }
  absl::StatusOr<std::unique_ptr<api::Client>> romanad = api::Client::Create(co);
  if (!romanad.ok()) return romanad.status();
  spdlog::info("keep-router: routes of {} from {} every {} ms", options.router_netns, options.romanad_url,
               options.interval.count());
  while (!stop) {
    absl::Status round = [&]() -> absl::Status {
      absl::StatusOr<std::vector<RouterGroup>> groups = FetchRouterGroups(**romanad);
      if (!groups.ok()) return groups.status();
      std::vector<std::string> ips;
      for (const RouterGroup& g : *groups) ips.insert(ips.end(), g.member_ips.begin(), g.member_ips.end());
      const std::set<std::string> failed = (*icmp)->CheckFailed(ips);
      absl::StatusOr<RouterTable> have = ReadRouterRoutes(options.router_netns);
      if (!have.ok()) return have.status();
      const RouterTable want = PlanRouterRoutes(*groups, failed, *have);
      if (want != *have) {
        spdlog::info("keep-router: {} failed; routes {} -> {}", absl::StrJoin(failed, ","),
                     nlohmann::json(*have).dump(), nlohmann::json(want).dump());
      }
      return ApplyRouterRoutes(options.router_netns, want, *have);
    }();
    if (!round.ok()) spdlog::warn("keep-router: {}", round.ToString());
    for (auto slept = std::chrono::milliseconds(0); slept < options.interval && !stop;
         slept += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return absl::OkStatus();
}

}  // namespace romana::lab
