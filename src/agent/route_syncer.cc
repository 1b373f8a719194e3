#include "agent/route_syncer.h"

#include <vector>

#include "agent/route_diff.h"
#include "spdlog/spdlog.h"

namespace romana::agent {

void RouteSyncer::Invalidate(const std::string& reason) {
  if (cache_valid_) spdlog::info("routes: cache invalidated: {}", reason);
  cache_valid_ = false;
  invalid_reason_ = reason;
}

absl::Status RouteSyncer::Resync() {
  spdlog::info("routes: re-reading table {} ({})", options_.rule.table, invalid_reason_);
  absl::StatusOr<RouteMap> routes = programmer_.ListOwnedRoutes();
  if (!routes.ok()) return routes.status();
  absl::StatusOr<std::vector<Rule>> rules = programmer_.ListOwnedRules();
  if (!rules.ok()) return rules.status();
  actual_ = *std::move(routes);
  // Exactly one rule of ours, the configured one: remove strays (e.g. an old priority).
  rule_ok_ = false;
  for (const Rule& r : *rules) {
    if (r == options_.rule && !rule_ok_) {
      rule_ok_ = true;
      continue;
    }
    spdlog::info("routes: removing stale rule priority {} table {}", r.priority, r.table);
    if (absl::Status s = programmer_.DeleteRule(r); !s.ok()) return s;
  }
  last_read_ = clock_.Now();
  cache_valid_ = true;
  stats_.resynced = true;
  return absl::OkStatus();
}

absl::Status RouteSyncer::Sync(const RouteMap& desired) {
  stats_ = {};
  if (cache_valid_ && clock_.Now() - last_read_ >= options_.resync_interval) {
    cache_valid_ = false;
    invalid_reason_ = "periodic resync";
  }
  if (!cache_valid_) {
    if (absl::Status s = Resync(); !s.ok()) {
      cache_valid_ = false;
      invalid_reason_ = "error while re-reading: " + s.ToString();
      return s;
    }
  }
  if (!rule_ok_) {
    spdlog::info("routes: adding rule priority {} lookup {}", options_.rule.priority,
                 options_.rule.table);
    if (absl::Status s = programmer_.AddRule(options_.rule); !s.ok()) {
      Invalidate("rule add failed: " + s.ToString());
      return s;
    }
    rule_ok_ = true;
  }
  std::vector<RouteOp> ops = DiffRoutes(desired, actual_);
  if (ops.empty()) return absl::OkStatus();
  for (const RouteOp& op : ops) spdlog::debug("routes: {}", ToString(op));
  stats_.ops = static_cast<int>(ops.size());
  if (absl::Status s = programmer_.ApplyRoutes(ops); !s.ok()) {
    Invalidate("apply failed: " + s.ToString());
    return s;
  }
  ApplyOpsToMap(ops, actual_);
  spdlog::info("routes: applied {} change(s); table {} now holds {} route(s)", ops.size(),
               options_.rule.table, actual_.size());
  return absl::OkStatus();
}

absl::Status RouteSyncer::RemoveAll() {
  absl::StatusOr<RouteMap> routes = programmer_.ListOwnedRoutes();
  if (!routes.ok()) return routes.status();
  std::vector<RouteOp> ops = DiffRoutes({}, *routes);
  if (!ops.empty()) {
    if (absl::Status s = programmer_.ApplyRoutes(ops); !s.ok()) return s;
  }
  absl::StatusOr<std::vector<Rule>> rules = programmer_.ListOwnedRules();
  if (!rules.ok()) return rules.status();
  for (const Rule& r : *rules) {
    if (absl::Status s = programmer_.DeleteRule(r); !s.ok()) return s;
  }
  cache_valid_ = false;
  invalid_reason_ = "removed everything";
  actual_.clear();
  rule_ok_ = false;
  return absl::OkStatus();
}

}  // namespace romana::agent
