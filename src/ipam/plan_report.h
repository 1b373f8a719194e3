// plan_report.h: the pure part of `romanactl topology plan`: what a topology does to the address
// space, for users designing one. For every group: its path, name, CIDR, assignment, how many
// blocks it holds, and how many routes a router at that level needs; per network: how many
// routes an upstream router (or a VPC route table) needs in total. Table and JSON forms.
//
// Pure logic; thread-safe.
#ifndef ROMANA_IPAM_PLAN_REPORT_H_
#define ROMANA_IPAM_PLAN_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ipam/plan.h"
#include "ipam/topology.h"

namespace romana::ipam {

struct PlanReportGroup {
  std::string path;
  std::string name;
  int depth = 0;              // 0 for top-level groups
  net::Ipv4Cidr cidr;
  Labels assignment;          // this group's own assignment
  bool leaf = false;
  bool padding = false;
  uint64_t addresses = 0;     // size of the CIDR
  uint64_t blocks = 0;        // blocks of the network's block size in the CIDR (0 for padding)
  // Routes a router at this group needs towards what is below it: 1 for a leaf (its CIDR), the
  // number of non-padding children for an inner group, 0 for padding.
  int routes = 0;
  std::vector<std::string> static_hosts;
};

struct PlanReportNetwork {
  std::string name;
  net::Ipv4Cidr cidr;
  int block_mask = 0;
  uint64_t block_size = 0;    // addresses per block
  std::vector<std::string> tenants;  // empty = all namespaces
  std::vector<net::Ipv4Cidr> reserved;
  std::vector<PlanReportGroup> groups;  // tree order
  int leaf_groups = 0;        // non-padding leaves: where hosts go
  int padding_groups = 0;
  // Routes an upstream router needs to reach every host group of this network: one per
  // non-padding leaf group, whatever the number of nodes.
  int upstream_routes = 0;
};

struct PlanReport {
  std::string source;  // "file" or the built-in's name
  std::vector<PlanReportNetwork> networks;
};

// Builds the report of a valid spec. InvalidArgument (with the JSON path) for an invalid one.
absl::StatusOr<PlanReport> BuildPlanReport(const TopologySpec& spec, std::string source = "file");

// Resolves the input of `topology plan`: the content of a topology file, or else a built-in name
// ("kubeadm", "aws-<region>"), then the --network-cidr-overrides text ("" = none).
// InvalidArgument when both or neither input is given.
absl::StatusOr<PlanReport> BuildPlanReportFor(const std::optional<std::string>& file_json,
                                              const std::string& builtin_name, const std::string& overrides);

// Human-readable table, one line per group, indented by depth.
std::string FormatPlanTable(const PlanReport& report);
// Machine form (--json): {"source", "networks": [{..., "groups": [...]}]}.
std::string PlanReportToJson(const PlanReport& report, int indent = 2);

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_PLAN_REPORT_H_
