// router.h: romana-vpcrouter's reconcile loop.
//
// Tick() is called about once a second from one thread. It polls the route spec (every
// spec_poll_interval), hands the spec's hosts to the health monitor, and reconciles when the
// spec changed, the health verdict changed, or route_recheck_interval passed:
//   read the VPC (DescribeRouteTables/Subnets/Instances, filtered by vpc-id) -> PlanRoutes()
//   (pure) -> run the operations one by one (a failed one is logged, counted and reported on
//   the status page; the rest still run; the next pass repairs it).
// It never acts without a spec, never on a spec that routes nothing after one that routed
// something (a wiped or half-written source would otherwise delete every route: refused, logged,
// counted in romana_vpcrouter_spec_refusals_total, the last good spec kept), and waits for one health round over a new working set before
// acting, so a dead host is not chosen at start-up. Status() may be called from any thread.
#ifndef ROMANA_AWS_VPCROUTER_ROUTER_H_
#define ROMANA_AWS_VPCROUTER_ROUTER_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "aws/ec2_api.h"
#include "aws/vpcrouter/health.h"
#include "aws/vpcrouter/route_planner.h"
#include "aws/vpcrouter/spec_source.h"
#include "base/clock.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace romana::vpcrouter {

struct VpcRouterOptions {
  std::string region;                                        // For the status page.
  std::string vpc_id;                                        // REQUIRES: non-empty.
  PlannerOptions planner;                                    // managed_networks: --romana_networks
  std::chrono::milliseconds route_recheck_interval{30000};  // 0 = every tick.
  std::chrono::milliseconds spec_poll_interval{5000};
  std::chrono::milliseconds retry_after_error{2000};        // Next reconcile after a failed one.
};

struct RouterStatus {
  std::optional<RouteSpec> spec;
  std::string spec_source;
  std::string spec_error;                 // Last Fetch() error ("" when the last one worked).
  std::vector<std::string> working_set;
  HealthState health;
  RoutePlan last_plan;                    // Tables, chosen routers, limit violations, warnings.
  std::vector<std::string> op_errors;     // Failed operations of the last pass.
  std::string last_error;                 // Why the last pass failed ("" = it worked).
  std::string last_reason;                // Why the last pass ran.
  std::chrono::system_clock::time_point last_pass;
  uint64_t passes = 0;
};

class VpcRouter {
 public:
  // Every reference must outlive the router.
  VpcRouter(aws::Ec2Api& ec2, RouteSpecSource& source, HealthMonitor& health, const base::Clock& clock,
            prometheus::Registry& registry, VpcRouterOptions options);

  void Tick();
  RouterStatus Status() const;
  // The clock the router was built with (the status page's current time comes from it).
  const base::Clock& clock() const { return clock_; }

  // The VPC as EC2 describes it now. Errors: the EC2 call's.
  absl::StatusOr<VpcSnapshot> ReadVpc();

 private:
  void Reconcile(const std::string& reason);

  aws::Ec2Api& ec2_;
  RouteSpecSource& source_;
  HealthMonitor& health_;
  const base::Clock& clock_;
  const VpcRouterOptions options_;

  // Loop-thread state.
  std::optional<std::chrono::steady_clock::time_point> last_poll_;
  std::optional<std::chrono::steady_clock::time_point> next_pass_;
  std::optional<uint64_t> wait_rounds_above_;
  bool dirty_ = false;
  std::string dirty_reason_;
  HealthState last_health_;
  std::string last_limit_log_;
  std::vector<std::string> last_warnings_;  // logged once until they change
  std::set<std::string> managed_tables_;   // every table selected so far (clean-up candidates)
  std::set<std::string> seen_cidrs_;       // every spec CIDR so far: ours even after it leaves the spec

  mutable std::mutex mu_;
  RouterStatus status_ ABSL_GUARDED_BY(mu_);

  prometheus::Family<prometheus::Counter>& passes_;
  prometheus::Family<prometheus::Counter>& ops_;
  prometheus::Counter& spec_errors_;
  prometheus::Counter& spec_refusals_;
  prometheus::Counter& limit_refusals_;
  prometheus::Gauge& limit_exceeded_tables_;
  prometheus::Gauge& failed_hosts_;
  prometheus::Gauge& spec_cidrs_;
  prometheus::Gauge& routes_without_healthy_host_;
};

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_ROUTER_H_
