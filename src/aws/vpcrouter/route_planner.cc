#include "aws/vpcrouter/route_planner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "net/ipv4.h"

namespace romana::vpcrouter {
namespace {

using aws::Instance;
using aws::NetworkInterface;
using aws::Route;
using aws::RouteTable;

struct Where {
  const Instance* instance = nullptr;
  const NetworkInterface* eni = nullptr;
};

bool Alive(const Instance& i) { return i.state != "terminated" && i.state != "shutting-down"; }

class Index {
 public:
  explicit Index(const VpcSnapshot& vpc) {
    for (const Instance& inst : vpc.instances) {
      if (!Alive(inst)) continue;
      by_instance_[inst.id] = &inst;
      for (const NetworkInterface& eni : inst.interfaces) {
        by_eni_[eni.id] = {&inst, &eni};
        if (!eni.private_ip.empty()) by_ip_.emplace(eni.private_ip, Where{&inst, &eni});
        for (const auto& ip : eni.private_ips) by_ip_.emplace(ip.address, Where{&inst, &eni});
      }
    }
  }
  const Where* ByIp(const std::string& ip) const {
    auto it = by_ip_.find(ip);
    return it == by_ip_.end() ? nullptr : &it->second;
  }
  // The (instance, ENI) a route points at, or nothing when it cannot be trusted.
  Where ForRoute(const Route& r) const {
    if (r.state == "blackhole") return {};
    if (!r.network_interface_id.empty()) {
      auto it = by_eni_.find(r.network_interface_id);
      if (it == by_eni_.end()) return {};
      if (!r.instance_id.empty() && it->second.instance->id != r.instance_id) return {};
      return it->second;
    }
    auto it = by_instance_.find(r.instance_id);
    if (it == by_instance_.end()) return {};
    return {it->second, it->second->PrimaryInterface()};
  }

 private:
  std::map<std::string, const Instance*> by_instance_;
  std::map<std::string, Where> by_eni_;
  std::map<std::string, Where> by_ip_;
};

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// vpc-router's _choose_different_host, made deterministic.
std::string Choose(const std::string& cidr, const std::vector<std::string>& hosts, const std::string& old_ip,
                   const HealthState& health, const Index& index) {
  std::vector<std::string> healthy, questionable;
  for (const std::string& h : hosts) {
    if (index.ByIp(h) == nullptr) continue;  // not an instance of this VPC: cannot route to it
    if (health.failed.count(h)) continue;
    (health.questionable.count(h) ? questionable : healthy).push_back(h);
  }
  if (!healthy.empty()) return StableChoice(cidr, healthy);
  if (!questionable.empty() && !Contains(questionable, old_ip)) return StableChoice(cidr, questionable);
  return "";
}

}  // namespace

std::string OpKindName(RouteOp::Kind k) {
  switch (k) {
    case RouteOp::Kind::kCreate: return "create";
    case RouteOp::Kind::kReplace: return "replace";
    case RouteOp::Kind::kDelete: return "delete";
  }
  return "?";
}

bool IsIgnored(const std::string& cidr, const std::vector<std::string>& ignore) {
  absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(cidr);
  for (const std::string& ig : ignore) {
    if (ig == "0.0.0.0/0") {
      if (cidr == "0.0.0.0/0") return true;
      continue;
    }
    absl::StatusOr<net::Ipv4Cidr> i = net::Ipv4Cidr::Parse(ig);
    if (c.ok() && i.ok() && i->Contains(*c)) return true;
    if (!c.ok() && ig == cidr) return true;
  }
  return false;
}

bool IsInsideAny(const std::string& cidr, const std::vector<std::string>& networks) {
  absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(cidr);
  if (!c.ok()) return false;
  for (const std::string& n : networks) {
    absl::StatusOr<net::Ipv4Cidr> net = net::Ipv4Cidr::Parse(n);
    if (net.ok() && net->Contains(*c)) return true;
  }
  return false;
}

std::string StableChoice(const std::string& cidr, const std::vector<std::string>& candidates) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : cidr) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return candidates[h % candidates.size()];
}

RoutePlan PlanRoutes(const RouteSpec& spec, const HealthState& health, const VpcSnapshot& vpc,
                     const PlannerOptions& options) {
  RoutePlan plan;
  Index index(vpc);
  std::vector<std::string> ours = options.managed_networks;
  for (const auto& [cidr, hosts] : spec) ours.push_back(cidr);
  // A route we may change: inside our networks, not ignored, pointing at an instance or ENI.
  auto owned = [&](const Route& r) {
    return !r.destination_cidr.empty() && (!r.instance_id.empty() || !r.network_interface_id.empty()) &&
           !IsIgnored(r.destination_cidr, options.ignore_routes) && IsInsideAny(r.destination_cidr, ours);
  };

  // Cluster subnets: where the spec's hosts live.
  std::set<std::string> cluster_subnets;
  for (const std::string& ip : AllHosts(spec)) {
    const Where* w = index.ByIp(ip);
    if (w == nullptr) {
      plan.warnings.push_back(absl::StrCat("host ", ip, " is not a private IP of a live instance in ", vpc.vpc_id));
      continue;
    }
    cluster_subnets.insert(w->eni->subnet_id.empty() ? w->instance->subnet_id : w->eni->subnet_id);
  }

  // Route-table selection.
  std::vector<const RouteTable*> tables;
  for (const RouteTable& rt : vpc.route_tables) {
    bool take;
    if (!options.named_tables.empty()) {
      take = options.named_tables.count(rt.id) > 0;
    } else if (rt.IsMain()) {
      take = options.include_main;
    } else if (options.all_tables) {
      take = true;
    } else {
      take = std::any_of(rt.associations.begin(), rt.associations.end(), [&](const auto& a) {
        return !a.subnet_id.empty() && cluster_subnets.count(a.subnet_id) > 0;
      });
    }
    if (take) tables.push_back(&rt);
  }
  std::sort(tables.begin(), tables.end(), [](const RouteTable* a, const RouteTable* b) { return a->id < b->id; });
  for (const RouteTable* rt : tables) plan.selected_tables.push_back(rt->id);
  for (const std::string& named : options.named_tables) {
    if (!Contains(plan.selected_tables, named)) {
      plan.warnings.push_back(absl::StrCat("route table ", named, " is not in ", vpc.vpc_id));
    }
  }

  // chosen: CIDR -> IP; "" = no healthy host (leave routes as they are).
  std::map<std::string, std::string>& chosen = plan.chosen;
  auto target_for = [&](const std::string& ip) {
    const Where* w = index.ByIp(ip);
    return aws::RouteTarget{.network_interface_id = w->eni->id};
  };
  auto info_for = [&](const std::string& ip, const std::string& note) {
    const Where* w = index.ByIp(ip);
    return RouteInfo{ip, w ? w->instance->id : "", w ? w->eni->id : "", note};
  };

  std::map<const RouteTable*, std::vector<RouteOp>> creates;
  std::map<const RouteTable*, int> deletes;

  // Pass 1: existing routes.
  for (const RouteTable* rt : tables) {
    for (const Route& r : rt->routes) {
      const std::string& cidr = r.destination_cidr;
      if (!owned(r)) continue;
      Where cur = index.ForRoute(r);
      std::string cur_ip;
      auto it = spec.find(cidr);
      if (cur.eni != nullptr) {
        cur_ip = cur.eni->private_ip;
        if (it != spec.end()) {
          for (const std::string& h : it->second) {
            if (cur.eni->HasIp(h)) cur_ip = h;
          }
        }
      }
      if (it == spec.end() || it->second.empty()) {
        plan.ops.push_back({RouteOp::Kind::kDelete, rt->id, cidr, "", {},
                            it == spec.end() ? "not in the route spec" : "no candidate hosts"});
        ++deletes[rt];
        continue;
      }
      const std::vector<std::string>& hosts = it->second;
      auto ch = chosen.find(cidr);
      const bool cur_ok = !cur_ip.empty() && Contains(hosts, cur_ip) && !health.failed.count(cur_ip) &&
                          !health.questionable.count(cur_ip);
      if (cur_ok && (ch == chosen.end() || ch->second == cur_ip)) {
        chosen[cidr] = cur_ip;
        plan.tables[rt->id][cidr] = RouteInfo{cur_ip, cur.instance->id, cur.eni->id, "kept"};
        continue;
      }
      if (ch != chosen.end() && ch->second.empty()) {
        plan.tables[rt->id][cidr] = RouteInfo{cur_ip, r.instance_id, r.network_interface_id,
                                              "no healthy host: left as is"};
        continue;
      }
      std::string reason;
      if (cur_ip.empty()) {
        reason = "current target unknown or gone";
      } else if (!Contains(hosts, cur_ip)) {
        reason = absl::StrCat(cur_ip, " is not a candidate");
      } else if (health.failed.count(cur_ip) || health.questionable.count(cur_ip)) {
        reason = absl::StrCat(cur_ip, " failed health checks");
      } else {
        reason = "another table uses a different router";
      }
      std::string ip = ch != chosen.end() ? ch->second : Choose(cidr, hosts, cur_ip, health, index);
      if (ip.empty()) {
        chosen[cidr] = "";
        plan.warnings.push_back(absl::StrCat(cidr, ": no healthy host among ", absl::StrJoin(hosts, ",")));
        plan.tables[rt->id][cidr] = RouteInfo{cur_ip, r.instance_id, r.network_interface_id,
                                              "no healthy host: left as is"};
        continue;
      }
      chosen[cidr] = ip;
      plan.ops.push_back({RouteOp::Kind::kReplace, rt->id, cidr, ip, target_for(ip), reason});
      plan.tables[rt->id][cidr] = info_for(ip, "replaced: " + reason);
    }
  }

  // Clean-up of tables that were managed before but are not selected now.
  for (const RouteTable& rt : vpc.route_tables) {
    if (!options.cleanup_tables.count(rt.id) || Contains(plan.selected_tables, rt.id)) continue;
    for (const Route& r : rt.routes) {
      if (!owned(r)) continue;
      auto it = spec.find(r.destination_cidr);
      if (it != spec.end() && !it->second.empty()) continue;
      plan.ops.push_back({RouteOp::Kind::kDelete, rt.id, r.destination_cidr, "", {},
                          "not in the route spec (table no longer has cluster hosts)"});
    }
  }

  // Pass 2: missing routes.
  for (const auto& [cidr, hosts] : spec) {
    if (hosts.empty()) continue;
    for (const RouteTable* rt : tables) {
      const bool present = std::any_of(rt->routes.begin(), rt->routes.end(),
                                       [&](const Route& r) { return r.destination_cidr == cidr; });
      if (present) continue;
      auto ch = chosen.find(cidr);
      std::string ip = ch != chosen.end() ? ch->second : Choose(cidr, hosts, "", health, index);
      if (ip.empty()) {
        if (ch == chosen.end()) {
          plan.warnings.push_back(absl::StrCat(cidr, ": no healthy host among ", absl::StrJoin(hosts, ",")));
        }
        chosen[cidr] = "";
        break;  // same answer for every table
      }
      chosen[cidr] = ip;
      creates[rt].push_back({RouteOp::Kind::kCreate, rt->id, cidr, ip, target_for(ip), "missing"});
    }
  }

  // Route-table limit: all creates of a table, or none.
  for (const RouteTable* rt : tables) {
    auto c = creates.find(rt);
    if (c == creates.end()) continue;
    const int needed = static_cast<int>(rt->routes.size()) - deletes[rt] + static_cast<int>(c->second.size());
    if (needed > options.route_limit) {
      LimitViolation v{rt->id, needed, options.route_limit, {}};
      for (const RouteOp& op : c->second) {
        v.refused_cidrs.push_back(op.cidr);
        plan.tables[rt->id][op.cidr] = RouteInfo{"", "", "", "refused: route table limit"};
      }
      plan.limit_violations.push_back(std::move(v));
      continue;
    }
    for (RouteOp& op : c->second) {
      plan.tables[rt->id][op.cidr] = info_for(op.router_ip, "created");
      plan.ops.push_back(std::move(op));
    }
  }
  return plan;
}

}  // namespace romana::vpcrouter
