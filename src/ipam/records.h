// records.h: the IPAM state as records, one per store key (docs/store-layout.md), and their JSON.
//
// The JSON of each record is exactly the object docs/api.md documents (Network, Group, Host,
// Block, Address), plus a few extra fields IPAM needs to rebuild its state (a block's free list,
// a network's tenants and reserved ranges, whether a host came from the topology). romanad can
// therefore stream stored values unchanged.
//
// Value types; pure functions; thread-safe.
#ifndef ROMANA_IPAM_RECORDS_H_
#define ROMANA_IPAM_RECORDS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ipam/topology.h"
#include "net/ipv4.h"

namespace romana::ipam {

struct NetworkRecord {
  std::string name;
  net::Ipv4Cidr cidr;
  int block_mask = kDefaultBlockMask;  // effective mask
  std::vector<std::string> tenants;    // empty = every namespace
  std::vector<net::Ipv4Cidr> reserved;
  bool operator==(const NetworkRecord&) const = default;
};

struct GroupRecord {
  std::string network;
  std::string path;  // "/0/1"
  std::string name;
  net::Ipv4Cidr cidr;
  Labels assignment;
  std::string routing;
  bool leaf = false;
  bool padding = false;
  // No member list: a group's hosts are the host records whose `groups` name it, so adding,
  // relabelling or removing a host writes only that host's record, whatever the group's size
  // (docs/store-layout.md "Group membership").
  bool operator==(const GroupRecord&) const = default;
};

struct HostRecord {
  std::string name;
  net::Ipv4Address ip;
  Labels labels;
  std::map<std::string, std::string> groups;  // network name -> group path
  bool is_static = false;                     // listed in the topology
  bool operator==(const HostRecord&) const = default;
};

struct BlockRecord {
  std::string network;
  net::Ipv4Cidr cidr;
  std::string group;  // path of the leaf group
  std::string host;   // "" = empty block on the group's reuse list
  std::string owner;  // "<namespace>:<segment>", "" when host is ""
  std::vector<net::Ipv4Range> free;  // free addresses, sorted, disjoint, non-adjacent
  uint64_t allocated() const;        // cidr size minus free
  bool operator==(const BlockRecord&) const = default;
};

struct AddressRecord {
  std::string name;
  net::Ipv4Address ip;
  std::string host;
  std::string network;
  net::Ipv4Cidr block;
  std::string namespace_name;
  std::string segment;
  bool operator==(const AddressRecord&) const = default;
};

// JSON (compact) of each record, and the strict inverse (DataLoss on malformed stored data).
std::string ToJson(const NetworkRecord& r);
std::string ToJson(const GroupRecord& r);
std::string ToJson(const HostRecord& r);
std::string ToJson(const BlockRecord& r);
std::string ToJson(const AddressRecord& r);
absl::StatusOr<NetworkRecord> NetworkFromJson(std::string_view json);
absl::StatusOr<GroupRecord> GroupFromJson(std::string_view json);
absl::StatusOr<HostRecord> HostFromJson(std::string_view json);
absl::StatusOr<BlockRecord> BlockFromJson(std::string_view json);
absl::StatusOr<AddressRecord> AddressFromJson(std::string_view json);

// A block's key component: "10.112.0.0-29" (the CIDR with '/' replaced by '-').
std::string BlockKeyPart(const net::Ipv4Cidr& cidr);

// One IPAM mutation as the records it writes and deletes: "compute the change, then apply it".
// Persistence writes exactly these keys in one transaction.
struct Change {
  std::optional<TopologySpec> topology;  // set when the topology is replaced
  std::vector<NetworkRecord> put_networks;
  std::vector<std::string> deleted_networks;
  std::vector<GroupRecord> put_groups;
  std::vector<std::pair<std::string, std::string>> deleted_groups;  // (network, path)
  std::vector<HostRecord> put_hosts;
  std::vector<std::string> deleted_hosts;
  std::vector<BlockRecord> put_blocks;
  std::vector<std::pair<std::string, net::Ipv4Cidr>> deleted_blocks;  // (network, cidr)
  std::vector<AddressRecord> put_addresses;
  std::vector<std::string> deleted_addresses;

  bool empty() const;
  size_t size() const;  // number of keys written or deleted
};

// The Change that turns the records of `before` into those of `after` (both full record sets as
// from Ipam::AllRecords): puts for new or different records, deletes for missing ones.
Change DiffRecords(const Change& before, const Change& after);

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_RECORDS_H_
