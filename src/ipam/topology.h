// topology.h: the topology JSON (networks + group trees) Romana users write: the model, a strict
// parser that names the JSON path of every error, semantic validation, and serialisation.
//
// Format (docs/topology.md has the full description):
//   {"networks":   [{"name", "cidr", "block_mask"?, "tenants"?, "reserved"?}],
//    "topologies": [{"networks": [names], "map": [Group]}]}
//   Group: {"name"?, "assignment"?: {label: value}, "routing"?, "groups"?: [Group] | [Host],
//           "hosts"?: [Host], "cidr"? (ignored: computed)}
//   Host:  {"name", "ip"}
//
// Unknown keys are errors (a typo such as "asignment" would otherwise make a group accept every
// host). Pure logic, no I/O; all functions are thread-safe.
#ifndef ROMANA_IPAM_TOPOLOGY_H_
#define ROMANA_IPAM_TOPOLOGY_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/ipv4.h"

namespace romana::ipam {

using Labels = std::map<std::string, std::string>;

inline constexpr int kDefaultBlockMask = 29;

struct NetworkSpec {
  std::string name;
  net::Ipv4Cidr cidr;
  // 0 = absent: the effective mask is max(29, prefix length of cidr) (see EffectiveBlockMask).
  int block_mask = 0;
  // Namespaces allowed to use this network; empty (or ["*"]) = every namespace.
  std::vector<std::string> tenants;
  // Addresses never handed out (reference §4.8 "blacked out"), each inside `cidr`.
  std::vector<net::Ipv4Cidr> reserved;

  int EffectiveBlockMask() const;
  bool IsWildcard() const;  // usable by every namespace
  bool operator==(const NetworkSpec&) const = default;
};

struct HostSpec {
  std::string name;
  net::Ipv4Address ip;
  bool operator==(const HostSpec&) const = default;
};

struct GroupSpec {
  std::string name;
  Labels assignment;
  std::string routing;             // free text, stored only
  std::vector<GroupSpec> groups;   // sub-groups; empty = leaf
  std::vector<HostSpec> hosts;     // static hosts of a leaf (share the leaf's CIDR)
  // Which JSON key held the hosts ("groups", the original's form, or "hosts", the documented
  // form); only used to build error paths and to write the spec back the way it was read.
  bool hosts_in_hosts_key = false;
  bool operator==(const GroupSpec&) const = default;
};

struct TopologyDef {
  std::vector<std::string> networks;
  std::vector<GroupSpec> map;
  bool operator==(const TopologyDef&) const = default;
};

struct TopologySpec {
  std::vector<NetworkSpec> networks;
  std::vector<TopologyDef> topologies;
  bool operator==(const TopologySpec&) const = default;
};

// Parses and fully validates (ValidateTopology) topology JSON text. InvalidArgument with the JSON
// path of the first bad value (also as ErrorField payload) otherwise.
absl::StatusOr<TopologySpec> ParseTopology(std::string_view json_text);

// Semantic validation of a spec (also for specs built in code, e.g. built-ins with overrides):
//  - at least one network; names unique and made of [A-Za-z0-9_.-]; CIDRs canonical (by type);
//    networks do not overlap; prefix <= block_mask <= 32; tenants match [A-Za-z0-9_-]+ or "*";
//    reserved CIDRs inside the network and not the whole network;
//  - every topology names >= 1 defined network, each network in exactly one topology (a network
//    without a topology is an error: the original crashed on it); map not empty;
//  - the tree fits: at each level n children need BitLength(n-1) bits, and the leaves must still
//    be at least one block (leaf prefix <= block_mask);
//  - groups hold sub-groups or static hosts, never both; host name non-empty and valid, host IP
//    not inside any network; host names and IPs unique within a tree, and a host listed in
//    several trees has the same IP everywhere; assignment keys non-empty.
absl::Status ValidateTopology(const TopologySpec& spec);

// Serialises a spec to the JSON format ParseTopology accepts (round-trips exactly).
std::string TopologyToJson(const TopologySpec& spec, int indent = -1);

// The host-name rule used by topologies and the host API: 1..253 characters of
// [A-Za-z0-9_.-] (no '/', so it can be a store key segment).
bool IsValidHostName(std::string_view name);
bool IsValidNetworkName(std::string_view name);

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_TOPOLOGY_H_
