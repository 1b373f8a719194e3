// nat.h: masquerading of pod traffic that leaves the Romana networks.
//
// Everything lives in the agent's own nftables table (`ip romana-nat`); nothing outside it is
// read, modified or deleted. The table is described as an nft::Table (set `romana-networks`,
// base chain `postrouting` at srcnat priority with one masquerade rule) and programmed through
// nft::TableSyncer over libnftables' JSON interface: the first write creates it in one
// transaction, a change of networks rewrites only the set's elements, a change of interface only
// the chain, and a resync repairs whatever was changed behind our back.
//
// Layers: RenderNatTable() is pure; NatSyncer is the apply layer. Not thread-safe: use from one
// thread.
#ifndef ROMANA_AGENT_NAT_H_
#define ROMANA_AGENT_NAT_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/clock.h"
#include "nft/runner.h"
#include "nft/table.h"
#include "nft/table_syncer.h"

namespace romana::agent {

inline constexpr char kNatFamily[] = "ip";
inline constexpr char kNatTable[] = "romana-nat";
inline constexpr char kNatSet[] = "romana-networks";
inline constexpr char kNatChain[] = "postrouting";

struct NatConfig {
  bool enabled = true;
  std::vector<std::string> networks;  // Romana network CIDRs, sources to masquerade
  std::string interface;              // empty: masquerade on any output interface
};

struct NatRender {
  std::optional<nft::Table> table;  // nullopt: the table must not exist (disabled, no networks)
  std::vector<std::string> errors;  // networks skipped because they are not canonical CIDRs
};

// The desired NAT table. Pure. A network that is not a canonical IPv4 CIDR is skipped and named
// in `errors` (it never reaches nft). Errors: InvalidArgument naming --nat-interface when the
// interface name is not 1..15 characters of [A-Za-z0-9_.:@-].
absl::StatusOr<NatRender> RenderNatTable(const NatConfig& config);

// Apply layer. A Sync with nothing changed and no resync due makes zero nft calls.
// `nft` and `clock` must outlive this object.
class NatSyncer {
 public:
  NatSyncer(nft::Runner& nft, const base::Clock& clock, std::chrono::seconds resync_interval)
      : syncer_(nft, clock, {.family = kNatFamily, .name = kNatTable, .resync_interval = resync_interval}) {}

  // Errors: InvalidArgument for a bad interface (nothing written); the runner's errors.
  absl::Status Sync(const NatConfig& config);
  // Deletes our table if present.
  absl::Status RemoveAll() { return syncer_.Remove(); }
  const nft::DiffStats& last_stats() const { return syncer_.last_stats(); }

 private:
  nft::TableSyncer syncer_;
  std::vector<std::string> last_errors_;
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_NAT_H_
