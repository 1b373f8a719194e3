// ipam_store.h: the IPAM state persisted in a store::Store, one key per record
// (docs/store-layout.md):
//
//   <prefix>/topology                      the applied topology JSON
//   <prefix>/networks/<network>            Network
//   <prefix>/groups/<network><path>        Group   (e.g. /romana/groups/romana-network/0/1):
//                                          the topology's fields only, no member list
//   <prefix>/hosts/<host>                  Host    (names its group in each network: group
//                                          membership is stored here, one key per host)
//   <prefix>/blocks/<network>/<a.b.c.d-n>  Block   (with its free list)
//   <prefix>/addresses/<name>              Address
//   <prefix>/ipam/revision                 the fence: written by every IPAM transaction
//   <prefix>/ipam/journal/...              only while a change too big for one transaction
//                                          (etcd's 128 ops / 1.5 MiB) is being written
//
// Every mutation is planned on the in-memory Ipam, written as ONE transaction that puts and
// deletes exactly the changed keys (a change larger than one transaction goes through a
// roll-forward journal, so it is still all-or-nothing for anyone who loads the state), and applied in memory only after the store accepted it, so
// an error leaves nothing half-applied. Each transaction compares the mod revision of the fence
// key with the one this process last saw (plus any compares from Options::fence, e.g. romanad's
// leadership key), so a concurrent or deposed writer can never overwrite newer state: on a lost
// compare the state is reloaded and the operation re-planned (up to Options::max_attempts).
//
// Thread-safety: not thread-safe (like Ipam); romanad serialises calls. The Store must outlive
// this object.
#ifndef ROMANA_IPAM_IPAM_STORE_H_
#define ROMANA_IPAM_IPAM_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipam/ipam.h"
#include "store/store.h"

namespace romana::ipam {

struct IpamStoreOptions {
  // Key prefix. Default "/romana" (no trailing slash).
  std::string prefix = "/romana";
  // Extra compares added to every transaction (e.g. "the leader key still holds my lease").
  // A transaction that fails only these returns FailedPrecondition ("not the leader") without
  // retrying. Default: none.
  std::function<std::vector<store::Compare>()> fence;
  // How often a mutation is re-planned after losing the fence compare to another writer.
  // Default: 3.
  int max_attempts = 3;
  // Keys per read when loading (paging keeps etcd responses small). Default: 2000.
  int64_t load_page_size = 2000;
};

// The store keys of each record kind (pure functions of the prefix).
class IpamKeys {
 public:
  explicit IpamKeys(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string Topology() const { return prefix_ + "/topology"; }
  std::string Fence() const { return prefix_ + "/ipam/revision"; }
  std::string JournalPrefix() const { return prefix_ + "/ipam/journal/"; }
  std::string JournalCommit() const { return JournalPrefix() + "commit"; }
  std::string NetworksPrefix() const { return prefix_ + "/networks/"; }
  std::string GroupsPrefix() const { return prefix_ + "/groups/"; }
  std::string HostsPrefix() const { return prefix_ + "/hosts/"; }
  std::string BlocksPrefix() const { return prefix_ + "/blocks/"; }
  std::string AddressesPrefix() const { return prefix_ + "/addresses/"; }
  std::string Network(const std::string& name) const { return NetworksPrefix() + name; }
  std::string Group(const std::string& network, const std::string& path) const {
    return GroupsPrefix() + network + path;
  }
  std::string Host(const std::string& name) const { return HostsPrefix() + name; }
  std::string Block(const std::string& network, const net::Ipv4Cidr& cidr) const {
    return BlocksPrefix() + network + "/" + BlockKeyPart(cidr);
  }
  std::string Address(const std::string& name) const { return AddressesPrefix() + name; }

 private:
  std::string prefix_;
};

// The store transaction ops (puts and deletes) that write `change` under `keys`.
std::vector<store::Op> ChangeToOps(const Change& change, const IpamKeys& keys);

class IpamStore {
 public:
  // Loads the state stored under options.prefix (an empty store gives an empty Ipam). DataLoss
  // when stored records are malformed or inconsistent; store errors are passed through. Group
  // records in an older form (with "hosts"/"host_ips" lists) are rewritten in the current one.
  static absl::StatusOr<std::unique_ptr<IpamStore>> Open(store::Store& store, IpamStoreOptions options = {});
  IpamStore(const IpamStore&) = delete;
  IpamStore& operator=(const IpamStore&) = delete;

  // The current state (valid until the next call on this object).
  const Ipam& ipam() const { return ipam_; }
  // The store revision the in-memory state reflects (after load or the last write).
  store::Revision revision() const { return revision_; }
  const IpamKeys& keys() const { return keys_; }

  // Re-reads everything from the store.
  absl::Status Reload();

  // The mutations of Ipam (same contracts and error codes), persisted. Additional errors:
  // store errors (Unavailable, DeadlineExceeded: the write may or may not have happened; the
  // next call reloads first), Aborted (still losing to other writers after max_attempts),
  // FailedPrecondition from a failed Options::fence compare.
  absl::Status SetTopology(const TopologySpec& spec);
  absl::Status Reserve(const std::string& network, const net::Ipv4Cidr& cidr);
  absl::Status Unreserve(const std::string& network, const net::Ipv4Cidr& cidr);
  absl::StatusOr<HostRecord> AddHost(const AddHostRequest& request);
  absl::StatusOr<HostRecord> RemoveHost(const std::string& name);
  absl::StatusOr<HostRecord> SetHostLabels(const std::string& name, const Labels& labels);
  absl::StatusOr<AllocateResult> Allocate(const AllocateRequest& request);
  absl::StatusOr<AddressRecord> Release(const std::string& name);
  absl::StatusOr<AddressRecord> ReleaseIp(net::Ipv4Address ip);

  // Group commit: runs `plans` in order, each on the state left by the ones before it (a plan that
  // fails changes nothing and does not stop the others), and writes all their changes in ONE
  // fenced transaction (the last op per key wins; a batch too big for one transaction goes
  // through the journal). Returns each plan's status: its planning error, or the write's outcome,
  // which is shared by every plan that changed something. On a lost fence the whole batch is
  // re-planned on the reloaded state (up to max_attempts). A plan may be called more than once,
  // so it must only record its result (the result of its last call counts).
  using Plan = std::function<absl::StatusOr<Change>(const Ipam& state)>;
  std::vector<absl::Status> MutateBatch(const std::vector<Plan>& plans);
  // A Plan from a PlanX call that stores its result in `result` (which must outlive the batch).
  template <typename T>
  static Plan Recording(std::function<absl::StatusOr<Planned<T>>(const Ipam&)> plan, std::optional<T>& result) {
    return [plan = std::move(plan), &result](const Ipam& state) -> absl::StatusOr<Change> {
      absl::StatusOr<Planned<T>> p = plan(state);
      if (!p.ok()) return p.status();
      result = std::move(p->result);
      return std::move(p->change);
    };
  }

  // Number of transactions written so far (tests check that a no-op writes nothing).
  int64_t transactions() const { return transactions_; }

 private:
  IpamStore(store::Store& store, IpamStoreOptions options)
      : store_(store), options_(std::move(options)), keys_(options_.prefix) {}

  // A batch of one: plans with `plan`, commits, returns its result.
  template <typename T>
  absl::StatusOr<T> Mutate(const std::function<absl::StatusOr<Planned<T>>(const Ipam&)>& plan);
  // Writes `ops` fenced. Ok(true) = written, Ok(false) = lost the fence (reload and retry).
  absl::StatusOr<bool> Write(std::vector<store::Op> ops);
  // One fenced transaction of `ops` (plus the fence put); same results as Write.
  absl::StatusOr<bool> CommitFenced(std::vector<store::Op> ops);
  // Changes too big for one transaction: a roll-forward journal (see ipam_store.cc).
  absl::StatusOr<bool> WriteJournaled(const std::vector<store::Op>& ops);
  absl::Status ApplyJournalOps(const std::vector<store::Op>& ops);
  // Rolls a committed journal forward, or discards an uncommitted one (called by Reload).
  absl::Status RecoverJournal();
  // Rewrites stored group records that differ from the derived ones (a store written by the
  // old layout, whose group records listed their hosts); called by Open.
  absl::Status RewriteStaleGroupRecords();

  store::Store& store_;
  IpamStoreOptions options_;
  IpamKeys keys_;
  Ipam ipam_;
  store::Revision revision_ = 0;
  store::Revision fence_revision_ = 0;  // mod revision of the fence key as last seen
  bool stale_ = false;                  // an ambiguous write happened: reload before the next op
  int64_t transactions_ = 0;
};

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_IPAM_STORE_H_
