#include "agent/route_diff.h"

#include "absl/strings/str_cat.h"

namespace romana::agent {

std::string ToString(const Route& route) {
  return route.unreachable ? absl::StrCat("unreachable ", route.dst) : absl::StrCat(route.dst, " via ", route.gateway);
}

std::string ToString(const RouteOp& op) {
  switch (op.kind) {
    case RouteOp::Kind::kAdd:
      return absl::StrCat("add ", ToString(op.route));
    case RouteOp::Kind::kReplace:
      return absl::StrCat("replace ", ToString(op.route));
    case RouteOp::Kind::kDelete:
      return absl::StrCat("delete ", op.route.Key());
  }
  return "?";
}

RouteMap ToRouteMap(const std::vector<Route>& routes) {
  RouteMap out;
  for (const Route& r : routes) out[r.Key()] = r;
  return out;
}

std::vector<RouteOp> DiffRoutes(const RouteMap& desired, const RouteMap& actual) {
  std::vector<RouteOp> deletes, adds, replaces;
  for (const auto& [key, route] : actual) {
    if (!desired.contains(key)) deletes.push_back({RouteOp::Kind::kDelete, route});
  }
  for (const auto& [key, route] : desired) {
    auto it = actual.find(key);
    if (it == actual.end()) {
      adds.push_back({RouteOp::Kind::kAdd, route});
    } else if (it->second != route) {
      replaces.push_back({RouteOp::Kind::kReplace, route});
    }
  }
  std::vector<RouteOp> ops;
  ops.reserve(deletes.size() + adds.size() + replaces.size());
  for (auto* list : {&deletes, &adds, &replaces}) {
    for (RouteOp& op : *list) ops.push_back(std::move(op));
  }
  return ops;
}

void ApplyOpsToMap(const std::vector<RouteOp>& ops, RouteMap& routes) {
  for (const RouteOp& op : ops) {
    if (op.kind == RouteOp::Kind::kDelete) {
      routes.erase(op.route.Key());
    } else {
      routes[op.route.Key()] = op.route;
    }
  }
}

}  // namespace romana::agent
