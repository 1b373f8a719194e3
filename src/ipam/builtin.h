// builtin.h: the built-in topologies (kubeadm; AWS/kops per region, plus a generator from a
// region's availability zones), the rules that select the initial topology, and
// --network-cidr-overrides (reference §4.3, §4.11).
//
// Pure logic; thread-safe. Anything that needs I/O (reading a file, asking the EC2 instance
// metadata service for the zone) is passed in by the caller.
#ifndef ROMANA_IPAM_BUILTIN_H_
#define ROMANA_IPAM_BUILTIN_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "ipam/topology.h"
#include "net/ipv4.h"

namespace romana::ipam {

inline constexpr char kDefaultNetworkName[] = "romana-network";

// kubeadm: romana-network 10.112.0.0/12, 8 leaf groups host-group-01..08 (/15 each).
TopologySpec KubeadmTopology();

// AWS/kops for one region: romana-network 100.96.0.0/11; one top-level group per availability
// zone, named "failure-domain: <az>", with `subgroups_per_zone` leaf groups "<az>-group-0k"
// assigned by the region and zone labels (both label spellings match, see plan.h).
// `subgroups_per_zone` 0 picks the original's layout: 8 for up to 4 zones, 4 for up to 8, then 2.
// InvalidArgument for an empty zone list, a zone outside the region, or a tree that does not fit.
absl::StatusOr<TopologySpec> AwsTopologyForZones(const std::string& region, const std::vector<std::string>& zones,
                                                 int subgroups_per_zone = 0);

// The regions with a built-in AWS topology (reference §4.3 inventory), and their zones.
std::vector<std::string> AwsRegions();
std::optional<std::vector<std::string>> AwsRegionZones(const std::string& region);
// AwsTopologyForZones for a region of the inventory; NotFound for other regions.
absl::StatusOr<TopologySpec> AwsTopology(const std::string& region);

// Built-in by name: "kubeadm" or "aws-<region>". NotFound lists the valid names.
absl::StatusOr<TopologySpec> BuiltinTopology(const std::string& name);
std::vector<std::string> BuiltinTopologyNames();

// Inputs of the initial-topology selection. `initial_network_json` is the content of the
// --initial-network file when one was given. `availability_zone` is called only when the AWS
// topology is selected (it reads the instance metadata in production).
struct TopologySelection {
  std::optional<std::string> initial_network_json;
  std::string cloud;                    // "" or "aws"
  std::string kubernetes_service_host;  // $KUBERNETES_SERVICE_HOST
  std::function<absl::StatusOr<std::string>()> availability_zone;
  std::string network_cidr_overrides;   // --network-cidr-overrides ("" = none)
};
struct SelectedTopology {
  TopologySpec spec;
  std::string source;  // "file", "kubeadm", "aws-us-east-1", ... (for logs)
};
// Rules: the file if given; else --cloud=aws: the zone's region; else the service IP:
// 10.96.0.1 → kubeadm, 100.64.0.1 → AWS (zone as above); anything else is an error naming the
// flags to use. Overrides are applied last; the result is validated.
absl::StatusOr<SelectedTopology> SelectInitialTopology(const TopologySelection& selection);

// Parses "name=cidr[,name=cidr...]": names non-empty, CIDRs strict (canonical), no repeats.
// InvalidArgument naming the bad entry.
absl::StatusOr<std::vector<std::pair<std::string, net::Ipv4Cidr>>> ParseNetworkCidrOverrides(const std::string& text);
// Rewrites the CIDR of each named network (block_mask and the map unchanged, so the split is
// recomputed). InvalidArgument for a name that matches no network (the original silently ignored
// it) or a result that no longer validates.
absl::Status ApplyNetworkCidrOverrides(const std::vector<std::pair<std::string, net::Ipv4Cidr>>& overrides,
                                       TopologySpec& spec);

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_BUILTIN_H_
