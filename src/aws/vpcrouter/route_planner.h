// route_planner.h: the route-setting algorithm of romana-vpcrouter as a pure function.
//
//   PlanRoutes(spec, health, vpc snapshot, options) -> the EC2 route operations to run.
//
// Behaviour (reference original-aws-addons.md §1.4, with its quirks fixed):
// * Route tables processed: by default the non-main tables explicitly associated with a subnet
//   that holds a spec host ("cluster subnets"); `all_tables` = every non-main table of the VPC;
//   `named_tables` = exactly those. The main table is left alone unless `include_main`.
// * Ownership: a route is Romana's only when its destination lies inside a managed network
//   (`managed_networks`, or a CIDR of the spec itself). Every other route -- a NAT instance's
//   default route, a VPN prefix, another cluster's prefix -- is foreign: never replaced or
//   deleted, whatever the spec says.
// * Existing routes: foreign or inside an ignore CIDR -> untouched; not an instance/ENI route
//   (local, gateway, NAT) -> untouched; CIDR not in the spec (or empty host list) -> DeleteRoute;
//   current router healthy and a candidate -> kept (no change while healthy, no fail-back);
//   otherwise ReplaceRoute to a healthy candidate, the same one in every table.
// * Missing routes: CreateRoute to the CIDR's chosen router.
// * Choice: healthy candidates (not failed, not questionable) first, then questionable ones;
//   among them a stable pick by a hash of the CIDR, so different CIDRs spread over hosts and
//   the same inputs always give the same plan.
// * Targets are always the ENI that holds the router IP (works for secondary IPs and
//   multi-ENI instances; moto stores route targets exactly as sent).
// * Limit: if a table would hold more than `route_limit` routes after the plan, none of the
//   creates for that table are planned and a LimitViolation is reported (nothing half-done).
// * Clean-up: in `cleanup_tables` (managed before, not selected now) routes whose CIDR left the
//   spec are deleted, so a table does not keep stale routes when its subnet's hosts leave.
// Pure: no I/O, no clock, no randomness. Thread-safe.
#ifndef ROMANA_AWS_VPCROUTER_ROUTE_PLANNER_H_
#define ROMANA_AWS_VPCROUTER_ROUTE_PLANNER_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "aws/ec2_types.h"
#include "aws/vpcrouter/route_spec.h"

namespace romana::vpcrouter {

struct HealthState {
  std::set<std::string> failed;
  std::set<std::string> questionable;
};

// What EC2 says about the VPC (instances, subnets and route tables of one VPC).
struct VpcSnapshot {
  std::string vpc_id;
  std::vector<aws::Instance> instances;
  std::vector<aws::Subnet> subnets;
  std::vector<aws::RouteTable> route_tables;
};

struct PlannerOptions {
  std::vector<std::string> ignore_routes;   // Canonical CIDRs; "0.0.0.0/0" protects only itself.
  // Canonical CIDRs of the Romana networks this router manages (besides the spec's own CIDRs):
  // only routes whose destination lies inside one of them are ever replaced or deleted.
  std::vector<std::string> managed_networks;
  std::set<std::string> named_tables;       // Non-empty: only these tables.
  bool all_tables = false;                  // Every non-main table of the VPC.
  bool include_main = false;                // The main table too.
  int route_limit = 50;                     // Max routes per table (AWS default quota).
  // Tables managed in earlier passes that are not selected any more (their cluster hosts left
  // the spec): only routes whose CIDR left the spec are deleted there; nothing else changes.
  std::set<std::string> cleanup_tables;
};

struct RouteOp {
  enum class Kind { kCreate, kReplace, kDelete };
  Kind kind;
  std::string route_table_id;
  std::string cidr;
  std::string router_ip;           // Create/Replace: the chosen router.
  aws::RouteTarget target;         // Create/Replace: its ENI.
  std::string reason;              // Human-readable, for logs and the status page.
  bool operator==(const RouteOp&) const = default;
};

struct LimitViolation {
  std::string route_table_id;
  int routes_needed = 0;           // What the table would hold with every create.
  int limit = 0;
  std::vector<std::string> refused_cidrs;
};

// How one route looks after the plan (for the status page).
struct RouteInfo {
  std::string router_ip;           // Empty when unknown.
  std::string instance_id;
  std::string eni_id;
  std::string note;                // "kept", "replaced: ...", "created", "no healthy host", ...
};

struct RoutePlan {
  std::vector<RouteOp> ops;
  std::map<std::string, std::string> chosen;       // CIDR -> router IP ("" = none healthy).
  std::vector<std::string> selected_tables;        // Sorted.
  std::vector<LimitViolation> limit_violations;
  std::vector<std::string> warnings;               // e.g. spec host not in the VPC.
  std::map<std::string, std::map<std::string, RouteInfo>> tables;  // RT -> CIDR -> info
};

RoutePlan PlanRoutes(const RouteSpec& spec, const HealthState& health, const VpcSnapshot& vpc,
                     const PlannerOptions& options);

// True when `cidr` is protected by `ignore` (both canonical): containment, except that
// "0.0.0.0/0" protects only the default route itself (as vpc-router did, so the usual
// `--ignore_routes 0.0.0.0/0` keeps the internet route safe without freezing everything).
bool IsIgnored(const std::string& cidr, const std::vector<std::string>& ignore);

// True when `cidr` (canonical) lies inside (or equals) one of `networks`.
bool IsInsideAny(const std::string& cidr, const std::vector<std::string>& networks);

// Stable choice among sorted `candidates` for `cidr` (FNV-1a of the CIDR modulo the count).
// REQUIRES: candidates non-empty.
std::string StableChoice(const std::string& cidr, const std::vector<std::string>& candidates);

std::string OpKindName(RouteOp::Kind k);

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_ROUTE_PLANNER_H_
