// plan.h: the address plan: how each network's CIDR is split into the groups of its topology
// (reference §4.2, with the original's quirks fixed), and which hosts a group accepts.
//
// Splitting: every level of the tree (the top-level `map` included) with n groups is padded to
// 2^BitLength(n-1) entries and the parent CIDR is split evenly; a single group keeps its parent's
// CIDR. Padding entries become groups with `padding = true` that exist in the plan (their CIDR is
// reserved, so routes stay aggregatable) but never receive hosts. Every group keeps its name.
// Static-host leaves: all listed hosts share the leaf's CIDR.
//
// Pure logic; thread-safe.
#ifndef ROMANA_IPAM_PLAN_H_
#define ROMANA_IPAM_PLAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ipam/topology.h"
#include "net/ipv4.h"

namespace romana::ipam {

struct GroupPlan {
  std::string path;        // "/0/1" = 2nd child of the 1st top-level group
  std::string name;        // as written in the topology ("" for padding or unnamed groups)
  net::Ipv4Cidr cidr;
  Labels assignment;       // this group's own assignment (a host must also match every ancestor's)
  std::string routing;     // free text from the topology
  bool padding = false;    // a power-of-two filler: never receives hosts
  bool leaf = false;       // holds hosts (no sub-groups)
  int parent = -1;         // index into NetworkPlan::groups, -1 for top-level groups
  std::vector<int> children;
  std::vector<HostSpec> static_hosts;
  std::string spec_path;   // JSON path in the topology ("" for padding)

  // Number of blocks of the network's block size in this group.
  uint64_t BlockCapacity(int block_mask) const { return uint64_t{1} << (block_mask - cidr.length()); }
};

struct NetworkPlan {
  NetworkSpec network;
  int topology_index = 0;          // index into TopologySpec::topologies
  std::vector<GroupPlan> groups;   // pre-order: a parent before its children, siblings in order
  int block_mask() const { return network.EffectiveBlockMask(); }
  // The group at `path`, or nullptr.
  const GroupPlan* Find(std::string_view path) const;
  int IndexOf(std::string_view path) const;  // -1 if absent
};

// Builds the plan of every network in definition order. Runs ValidateTopology first, so any
// spec error comes back as InvalidArgument naming the JSON path.
absl::StatusOr<std::vector<NetworkPlan>> BuildPlans(const TopologySpec& spec);

// The zone and region labels: Kubernetes' current names and the deprecated beta names. An
// assignment on either name matches a host label on either name.
inline constexpr char kZoneLabel[] = "topology.kubernetes.io/zone";
inline constexpr char kRegionLabel[] = "topology.kubernetes.io/region";
inline constexpr char kBetaZoneLabel[] = "failure-domain.beta.kubernetes.io/zone";
inline constexpr char kBetaRegionLabel[] = "failure-domain.beta.kubernetes.io/region";

// True when every assignment pair is satisfied by `labels` (zone/region aliases understood).
// An empty assignment matches any labels.
bool AssignmentMatches(const Labels& assignment, const Labels& labels);
// The first assignment pair `labels` do not satisfy, as "key=value", or "" if all match.
std::string FirstMismatch(const Labels& assignment, const Labels& labels);

// True when a host with `labels` may join leaf `group_index`: the group is a non-padding leaf and
// it and all its ancestors' assignments match.
bool LeafAccepts(const NetworkPlan& plan, int group_index, const Labels& labels);
// Why a leaf does not accept `labels` ("" when it does), naming the group and label.
std::string LeafRejection(const NetworkPlan& plan, int group_index, const Labels& labels);

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_PLAN_H_
