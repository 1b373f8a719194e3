// ipam.h: Romana's topology-aware IP address management: the in-memory state (topology, hosts,
// blocks, addresses) and every operation on it. Pure logic: no I/O, no clock.
//
// Every mutation comes in two halves, so that persistence can write exactly the changed keys
// and apply in memory only after the store accepted them:
//   PlanX(...) const  computes the Change (records to put/delete) and the result, changing nothing;
//   Apply(change)     applies a Change produced by a Plan call on this same state.
// X(...) = PlanX + Apply, for callers without a store (tests, `topology plan`).
//
// Model (docs/topology.md): each network's CIDR is split into a tree of groups; a host joins one
// leaf group per network (the least-loaded leaf whose assignment labels, and its ancestors',
// all match); addresses come from blocks (2^(32-block_mask) addresses) inside the host's leaf,
// each block owned by one host and one owner "<namespace>:<segment>".
//
// Error codes (the daemon maps them to HTTP):
//   InvalidArgument     bad input; ErrorField() names the field (400)
//   NotFound            unknown host / address (404)
//   AlreadyExists       a host name or IP, or an address name held by another host (409)
//   FailedPrecondition  the change would break existing state: relabel that no longer fits the
//                       host's group, topology update conflicts (ErrorConflicts() lists them),
//                       no topology yet, no network for the namespace (409)
//   ResourceExhausted   no free address: names the host's group(s) and network(s) (507/503)
// A failed Plan/X call changes nothing.
//
// Thread-safety: not thread-safe. romanad serialises all calls on one thread (or under one
// mutex); const methods may run concurrently with each other.
#ifndef ROMANA_IPAM_IPAM_H_
#define ROMANA_IPAM_IPAM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipam/plan.h"
#include "ipam/records.h"
#include "ipam/topology.h"
#include "net/ipv4.h"

namespace romana::ipam {

// A planned mutation: the records to write and what the caller gets back once it is applied.
template <typename T>
struct Planned {
  T result;
  Change change;
};

struct AddHostRequest {
  std::string name;
  net::Ipv4Address ip;
  Labels labels;  // Kubernetes node labels
};

struct AllocateRequest {
  std::string name;            // unique address name (CNI: "<container id>:<ifname>")
  std::string host;            // host name
  std::string namespace_name;  // "" = "default"
  std::string segment;         // "" = "default" (pod label romana.io/segment)
};

struct AllocateResult {
  AddressRecord address;
  bool created = false;  // false: `name` already had this address (idempotent retry)
};

// Address accounting of one group (or a whole network), for capacity checks and reports.
struct Usage {
  uint64_t capacity = 0;     // addresses in the CIDR minus reserved ones
  uint64_t allocated = 0;    // addresses held by an address name
  uint64_t allocatable = 0;  // free, unreserved addresses in existing blocks + unused block slots
  uint64_t blocks = 0;       // existing blocks (owned or reusable)
};

// The conflicts attached to a FailedPrecondition from PlanSetTopology (one line each).
std::vector<std::string> ErrorConflicts(const absl::Status& status);

class Ipam {
 public:
  Ipam() = default;
  Ipam(const Ipam&) = default;
  Ipam& operator=(const Ipam&) = default;
  Ipam(Ipam&&) = default;
  Ipam& operator=(Ipam&&) = default;

  // Rebuilds a state from its records (as loaded from the store). DataLoss when the records are
  // inconsistent (a block outside its group, an address not in its block, ...).
  static absl::StatusOr<Ipam> FromRecords(std::optional<TopologySpec> topology, std::vector<HostRecord> hosts,
                                          std::vector<BlockRecord> blocks, std::vector<AddressRecord> addresses);

  // ---- Topology -------------------------------------------------------------------------
  // Replaces the topology. Accepted when every existing host keeps its group (same path, still a
  // leaf that accepts its labels), every block still fits its group and the block size, and no
  // address becomes reserved or loses its network; otherwise FailedPrecondition listing every
  // conflict (ErrorConflicts). Static hosts of the new topology are added; hosts are placed into
  // networks they were not in yet. Empty blocks that no longer fit are dropped.
  absl::StatusOr<Change> PlanSetTopology(const TopologySpec& spec) const;
  absl::Status SetTopology(const TopologySpec& spec);
  // Adds `cidr` to the network's reserved list (a wider one replaces contained narrower ones; one
  // inside an existing reservation is a no-op). FailedPrecondition if an address is allocated in
  // it; InvalidArgument if outside the network or the whole network. Idempotent.
  absl::StatusOr<Change> PlanReserve(const std::string& network, const net::Ipv4Cidr& cidr) const;
  // Removes exactly `cidr` from the reserved list; NotFound if it is not there.
  absl::StatusOr<Change> PlanUnreserve(const std::string& network, const net::Ipv4Cidr& cidr) const;

  // The applied topology, or nullptr before the first SetTopology.
  const TopologySpec* topology() const { return topology_ ? &*topology_ : nullptr; }
  // Plans in network definition order (empty before a topology).
  const std::vector<NetworkPlan>& plans() const { return plans_; }

  // ---- Hosts ----------------------------------------------------------------------------
  // Adds a host to the least-loaded eligible leaf of every network that has one (ties: the first
  // leaf in tree order). InvalidArgument for a bad name/IP or when no network accepts the labels
  // (the reasons are listed); AlreadyExists for a used name or IP; FailedPrecondition without a
  // topology.
  absl::StatusOr<Planned<HostRecord>> PlanAddHost(const AddHostRequest& request) const;
  absl::StatusOr<HostRecord> AddHost(const AddHostRequest& request);
  // Removes a host, frees its blocks (they go to their group's reuse list) and every address on
  // them. NotFound if unknown. Returns the removed host.
  absl::StatusOr<Planned<HostRecord>> PlanRemoveHost(const std::string& name) const;
  absl::StatusOr<HostRecord> RemoveHost(const std::string& name);
  // Replaces a host's labels; moves nothing. FailedPrecondition (with the group and label) when
  // the new labels no longer fit the host's group (or an ancestor) in some network. Idempotent.
  absl::StatusOr<Planned<HostRecord>> PlanSetHostLabels(const std::string& name, const Labels& labels) const;
  absl::StatusOr<HostRecord> SetHostLabels(const std::string& name, const Labels& labels);

  // ---- Addresses ------------------------------------------------------------------------
  // Allocates the lowest free address for (host, namespace, segment): the owner's blocks on this
  // host first, then the lowest reusable block of the host's group, then a new block (the lowest
  // unused slot of the group). Networks are tried in order: those listing the namespace in
  // `tenants`, then the wildcard ones. Idempotent: a name that already has an address on the same
  // host returns it (created = false); on another host it is AlreadyExists. ResourceExhausted
  // names every group and network tried. NotFound for an unknown host.
  absl::StatusOr<Planned<AllocateResult>> PlanAllocate(const AllocateRequest& request) const;
  absl::StatusOr<AllocateResult> Allocate(const AllocateRequest& request);
  // Releases an address by name or by IP. NotFound if unknown. An emptied block goes to its
  // group's reuse list. Returns the released address.
  absl::StatusOr<Planned<AddressRecord>> PlanRelease(const std::string& name) const;
  absl::StatusOr<Planned<AddressRecord>> PlanReleaseIp(net::Ipv4Address ip) const;
  absl::StatusOr<AddressRecord> Release(const std::string& name);
  absl::StatusOr<AddressRecord> ReleaseIp(net::Ipv4Address ip);

  // Applies a Change computed by a Plan call on this exact state (CHECK-fails on records that
  // contradict it, which would be a bug in the caller).
  void Apply(const Change& change);

  // ---- Reads (results are copies) ---------------------------------------------------------
  std::vector<NetworkRecord> Networks() const;
  std::optional<NetworkRecord> GetNetwork(const std::string& name) const;
  std::vector<GroupRecord> Groups() const;  // every group of every network, tree order
  std::optional<GroupRecord> GetGroup(const std::string& network, const std::string& path) const;
  // The hosts of a group, by name (empty for an unknown group): derived from the host records'
  // `groups`, which is where membership is stored.
  std::vector<std::string> GroupHosts(const std::string& network, const std::string& path) const;
  std::vector<HostRecord> Hosts() const;    // by name
  std::optional<HostRecord> GetHost(const std::string& name) const;
  // Blocks by (network, address); empty filters match everything.
  std::vector<BlockRecord> Blocks(const std::string& network = "", const std::string& host = "") const;
  std::vector<AddressRecord> Addresses(const std::string& host = "") const;  // by name
  std::optional<AddressRecord> GetAddress(const std::string& name) const;
  std::optional<AddressRecord> GetAddressByIp(net::Ipv4Address ip) const;
  size_t host_count() const { return hosts_.size(); }
  size_t address_count() const { return addresses_.size(); }
  size_t block_count() const { return blocks_.size(); }

  // Accounting of one leaf group or (path "") of a whole network; NotFound if unknown.
  absl::StatusOr<Usage> GetUsage(const std::string& network, const std::string& path = "") const;

  // Every record of the state: what a fresh store must hold (topology + all records as puts).
  Change AllRecords() const;

 private:
  struct GroupState {
    std::set<std::string> hosts;
    std::set<net::Ipv4Cidr> blocks;    // every block in the group
    std::set<net::Ipv4Cidr> reusable;  // blocks without a host
  };
  struct NetworkState {
    std::vector<GroupState> groups;                // parallel to NetworkPlan::groups
    absl::flat_hash_map<std::string, int> by_path;
    std::vector<net::Ipv4Range> reserved;          // merged
  };
  using BlockKey = std::pair<std::string, net::Ipv4Cidr>;  // (network, cidr)
  using OwnerKey = std::tuple<std::string, std::string, std::string>;  // (network, host, owner)

  int NetworkIndex(const std::string& name) const;  // -1 if absent
  int GroupIndex(int network, const std::string& path) const;
  GroupRecord MakeGroupRecord(int network, int group) const;
  const BlockRecord* FindBlockContaining(const std::string& network, net::Ipv4Address ip) const;
  std::optional<BlockRecord> NewBlock(int network, int group) const;
  absl::StatusOr<Planned<AddressRecord>> PlanReleaseRecord(const AddressRecord& address) const;
  absl::StatusOr<Change> PlanReserved(const std::string& network, std::vector<net::Ipv4Cidr> reserved) const;

  void SetPlans(std::optional<TopologySpec> topology, std::vector<NetworkPlan> plans);
  void RebuildIndexes();
  void IndexHost(const HostRecord& h, bool add);
  void IndexBlock(const BlockRecord& b, bool add);
  void IndexAddress(const AddressRecord& a, bool add);
  absl::Status CheckConsistency() const;

  std::optional<TopologySpec> topology_;
  std::vector<NetworkPlan> plans_;
  std::vector<NetworkState> states_;  // parallel to plans_
  std::map<std::string, HostRecord> hosts_;
  absl::flat_hash_map<uint32_t, std::string> host_by_ip_;
  std::map<BlockKey, BlockRecord> blocks_;
  std::map<OwnerKey, std::set<net::Ipv4Cidr>> owner_blocks_;
  std::map<std::string, std::set<BlockKey>> host_blocks_;
  std::map<std::string, AddressRecord> addresses_;
  absl::flat_hash_map<uint32_t, std::string> address_by_ip_;
  std::map<std::string, std::set<std::string>> host_addresses_;
};

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_IPAM_H_
