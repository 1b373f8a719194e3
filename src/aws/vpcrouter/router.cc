#include "aws/vpcrouter/router.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "spdlog/spdlog.h"

namespace romana::vpcrouter {

VpcRouter::VpcRouter(aws::Ec2Api& ec2, RouteSpecSource& source, HealthMonitor& health,
                     const base::Clock& clock, prometheus::Registry& registry, VpcRouterOptions options)
    : ec2_(ec2),
      source_(source),
      health_(health),
      clock_(clock),
      options_(std::move(options)),
      passes_(prometheus::BuildCounter()
                  .Name("romana_vpcrouter_passes_total")
                  .Help("Route reconcile passes by result (ok|error)")
                  .Register(registry)),
      ops_(prometheus::BuildCounter()
               .Name("romana_vpcrouter_route_operations_total")
               .Help("EC2 route operations by kind (create|replace|delete) and result (ok|error)")
               .Register(registry)),
      spec_errors_(prometheus::BuildCounter()
                       .Name("romana_vpcrouter_spec_errors_total")
                       .Help("Failed route spec reads")
                       .Register(registry)
                       .Add({})),
      spec_refusals_(prometheus::BuildCounter()
                         .Name("romana_vpcrouter_spec_refusals_total")
                         .Help("Route specs refused (routing nothing after a spec that routed something)")
                         .Register(registry)
                         .Add({})),
      limit_refusals_(prometheus::BuildCounter()
                          .Name("romana_vpcrouter_route_limit_refusals_total")
                          .Help("Routes not created because a route table would exceed --route_table_limit")
                          .Register(registry)
                          .Add({})),
      limit_exceeded_tables_(prometheus::BuildGauge()
                                 .Name("romana_vpcrouter_route_limit_exceeded_tables")
                                 .Help("Route tables that would exceed --route_table_limit (non-zero = action needed)")
                                 .Register(registry)
                                 .Add({})),
      failed_hosts_(prometheus::BuildGauge()
                        .Name("romana_vpcrouter_failed_hosts")
                        .Help("Candidate routers currently failing health checks")
                        .Register(registry)
                        .Add({})),
      spec_cidrs_(prometheus::BuildGauge()
                      .Name("romana_vpcrouter_spec_cidrs")
                      .Help("CIDRs in the current route spec")
                      .Register(registry)
                      .Add({})),
      routes_without_healthy_host_(prometheus::BuildGauge()
                                       .Name("romana_vpcrouter_cidrs_without_healthy_host")
                                       .Help("Spec CIDRs for which no candidate is healthy")
                                       .Register(registry)
                                       .Add({})) {
  std::lock_guard lock(mu_);
  status_.spec_source = source_.Describe();
}

RouterStatus VpcRouter::Status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void VpcRouter::Tick() {
  const auto now = clock_.Now();
  if (!last_poll_ || now - *last_poll_ >= options_.spec_poll_interval) {
    last_poll_ = now;
    absl::StatusOr<RouteSpec> spec = source_.Fetch();
    std::lock_guard lock(mu_);
    if (!spec.ok()) {
      spec_errors_.Increment();
      const std::string err(spec.status().ToString());
      if (err != status_.spec_error) {
        spdlog::error("route spec from {}: {} (keeping the last good spec)", source_.Describe(), err);
      }
      status_.spec_error = err;
    } else if (RoutesNothing(*spec) && status_.spec && !RoutesNothing(*status_.spec)) {
      spec_refusals_.Increment();
      const std::string err = "refused: the spec routes nothing after one that routed " +
                              std::to_string(status_.spec->size()) +
                              " CIDRs (keeping the last good spec; restart to accept an empty spec)";
      if (err != status_.spec_error) spdlog::error("route spec from {}: {}", source_.Describe(), err);
      status_.spec_error = err;
    } else {
      if (!status_.spec_error.empty()) spdlog::info("route spec from {} readable again", source_.Describe());
      status_.spec_error.clear();
      if (!status_.spec || *status_.spec != *spec) {
        spdlog::info("route spec changed: {}", RouteSpecToJson(*spec));
        status_.spec = *spec;
        spec_cidrs_.Set(static_cast<double>(spec->size()));
        dirty_ = true;
        dirty_reason_ = "route spec changed";
        std::vector<std::string> hosts = AllHosts(*spec);
        if (hosts != status_.working_set) {
          status_.working_set = hosts;
          health_.SetTargets(hosts);
          wait_rounds_above_ = health_.rounds();
        }
      }
    }
  }
  std::optional<RouteSpec> spec;
  {
    std::lock_guard lock(mu_);
    spec = status_.spec;
  }
  if (!spec) return;  // never act without a spec
  if (wait_rounds_above_) {
    if (health_.rounds() <= *wait_rounds_above_) return;  // no verdict on the new hosts yet
    wait_rounds_above_.reset();
  }
  HealthState health = health_.State();
  if (health.failed != last_health_.failed || health.questionable != last_health_.questionable) {
    if (!health.failed.empty() || !last_health_.failed.empty()) {
      spdlog::info("health changed: failed={{{}}}", absl::StrJoin(health.failed, ","));
    }
    last_health_ = health;
    failed_hosts_.Set(static_cast<double>(health.failed.size()));
    dirty_ = true;
    if (dirty_reason_.empty()) dirty_reason_ = "health changed";
    std::lock_guard lock(mu_);
    status_.health = health;
  }
  std::string reason;
  if (dirty_) {
    reason = dirty_reason_;
  } else if (!next_pass_ || now >= *next_pass_) {
    reason = "periodic recheck";
  } else {
    return;
  }
  dirty_ = false;
  dirty_reason_.clear();
  Reconcile(reason);
}

absl::StatusOr<VpcSnapshot> VpcRouter::ReadVpc() {
  const std::vector<aws::Ec2Filter> by_vpc = {{"vpc-id", {options_.vpc_id}}};
  VpcSnapshot snap;
  snap.vpc_id = options_.vpc_id;
  absl::StatusOr<std::vector<aws::RouteTable>> rts = ec2_.DescribeRouteTables(by_vpc);
  if (!rts.ok()) return rts.status();
  snap.route_tables = *std::move(rts);
  absl::StatusOr<std::vector<aws::Subnet>> subnets = ec2_.DescribeSubnets(by_vpc);
  if (!subnets.ok()) return subnets.status();
  snap.subnets = *std::move(subnets);
  absl::StatusOr<std::vector<aws::Instance>> instances = ec2_.DescribeInstances({}, by_vpc);
  if (!instances.ok()) return instances.status();
  snap.instances = *std::move(instances);
  return snap;
}

void VpcRouter::Reconcile(const std::string& reason) {
  RouteSpec spec;
  HealthState health;
  {
    std::lock_guard lock(mu_);
    spec = *status_.spec;
    health = status_.health;
  }
  const auto now = clock_.Now();
  absl::StatusOr<VpcSnapshot> snap = ReadVpc();
  if (!snap.ok()) {
    spdlog::error("reading VPC {} failed: {} (retrying)", options_.vpc_id, snap.status().ToString());
    passes_.Add({{"result", "error"}}).Increment();
    next_pass_ = now + options_.retry_after_error;
    std::lock_guard lock(mu_);
    status_.last_error = std::string(snap.status().message());
    status_.last_reason = reason;
    status_.last_pass = clock_.WallNow();
    ++status_.passes;
    return;
  }
  PlannerOptions planner = options_.planner;
  planner.cleanup_tables = managed_tables_;
  for (const auto& [cidr, hosts] : spec) seen_cidrs_.insert(cidr);
  for (const std::string& n : source_.Networks()) planner.managed_networks.push_back(n);
  planner.managed_networks.insert(planner.managed_networks.end(), seen_cidrs_.begin(), seen_cidrs_.end());
  RoutePlan plan = PlanRoutes(spec, health, *snap, planner);
  managed_tables_.insert(plan.selected_tables.begin(), plan.selected_tables.end());
  spdlog::debug("pass ({}): {} tables, {} operations", reason, plan.selected_tables.size(), plan.ops.size());
  std::vector<std::string> op_errors;
  for (const RouteOp& op : plan.ops) {
    absl::Status s;
    switch (op.kind) {
      case RouteOp::Kind::kCreate: s = ec2_.CreateRoute(op.route_table_id, op.cidr, op.target); break;
      case RouteOp::Kind::kReplace: s = ec2_.ReplaceRoute(op.route_table_id, op.cidr, op.target); break;
      case RouteOp::Kind::kDelete: s = ec2_.DeleteRoute(op.route_table_id, op.cidr); break;
    }
    const std::string what = absl::StrCat(OpKindName(op.kind), " ", op.route_table_id, " ", op.cidr,
                                          op.router_ip.empty() ? "" : " -> " + op.router_ip + " (" +
                                                                          op.target.network_interface_id + ")");
    ops_.Add({{"kind", OpKindName(op.kind)}, {"result", s.ok() ? "ok" : "error"}}).Increment();
    if (s.ok()) {
      spdlog::info("route {}: {}", what, op.reason);
    } else {
      spdlog::error("route {} failed: {}", what, s.ToString());
      op_errors.push_back(absl::StrCat(what, ": ", s.message()));
    }
  }
  limit_exceeded_tables_.Set(static_cast<double>(plan.limit_violations.size()));
  std::string limit_log;
  for (const LimitViolation& v : plan.limit_violations) {
    limit_refusals_.Increment(static_cast<double>(v.refused_cidrs.size()));
    absl::StrAppend(&limit_log, v.route_table_id, ":", v.routes_needed, ";");
  }
  for (const LimitViolation& v : plan.limit_violations) {
    if (limit_log == last_limit_log_) break;  // same refusal as last pass: already logged
    spdlog::error("route table {} would need {} routes, over the limit of {}: not adding {} "
                  "(raise --route_table_limit after raising the AWS quota, or use fewer, larger prefix groups)",
                  v.route_table_id, v.routes_needed, v.limit, absl::StrJoin(v.refused_cidrs, ","));
  }
  last_limit_log_ = limit_log;
  int without = 0;
  for (const auto& [cidr, ip] : plan.chosen) without += ip.empty() ? 1 : 0;
  routes_without_healthy_host_.Set(without);
  if (plan.warnings != last_warnings_) {  // repeated every pass otherwise
    for (const std::string& w : plan.warnings) spdlog::warn("{}", w);
    last_warnings_ = plan.warnings;
  }
  passes_.Add({{"result", op_errors.empty() ? "ok" : "error"}}).Increment();
  next_pass_ = now + (op_errors.empty() ? options_.route_recheck_interval : options_.retry_after_error);
  std::lock_guard lock(mu_);
  status_.last_plan = std::move(plan);
  status_.op_errors = std::move(op_errors);
  status_.last_error = status_.op_errors.empty() ? "" : "some route operations failed";
  status_.last_reason = reason;
  status_.last_pass = clock_.WallNow();
  ++status_.passes;
}

}  // namespace romana::vpcrouter
