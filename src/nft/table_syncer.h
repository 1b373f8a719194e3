// table_syncer.h: the apply layer for one nftables table that we own (Calico Felix's table.go in
// spirit). Sync(desired) diffs the desired table against the state last applied and writes the
// minimal transaction (table_diff.h) in one Runner call; a Sync with nothing to change and no
// resync due makes zero nft calls. The real table is re-read (`list table`, JSON) at the first
// Sync, after any error and every resync_interval, and whatever differs (someone deleted a
// chain, added a rule, removed set elements or the whole table) is repaired by the same diff.
//
// Ownership: only the table named in the options is ever listed, written or deleted; every other
// table in the namespace is left exactly as it is.
//
// Not thread-safe: use from one thread. `runner` and `clock` must outlive this object.
#ifndef ROMANA_NFT_TABLE_SYNCER_H_
#define ROMANA_NFT_TABLE_SYNCER_H_

#include <chrono>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "base/clock.h"
#include "nft/runner.h"
#include "nft/table.h"
#include "nft/table_diff.h"
#include "nft/table_state.h"

namespace romana::nft {

struct TableSyncerOptions {
  std::string family;  // REQUIRED, e.g. "inet"
  std::string name;    // REQUIRED, e.g. "romana"
  std::chrono::seconds resync_interval{90};
};

class TableSyncer {
 public:
  TableSyncer(Runner& runner, const base::Clock& clock, TableSyncerOptions options)
      : runner_(runner), clock_(clock), options_(std::move(options)) {}
  TableSyncer(const TableSyncer&) = delete;
  TableSyncer& operator=(const TableSyncer&) = delete;

  // Makes the table equal `desired`. REQUIRES: desired.family/name equal the options'.
  // Errors: the Runner's (Internal, NotFound) when listing or the transaction fails; the
  // transaction is all or nothing, and the next Sync re-reads the table before writing.
  absl::Status Sync(const Table& desired);
  // Deletes the table if it exists (idempotent; one nft call).
  absl::Status Remove();
  // Forces a re-read of the real table at the next Sync (logs `reason`).
  void Invalidate(const std::string& reason);

  // True when the next Sync will re-read the table first (start-up, after an error, or the
  // resync interval has passed). Callers that skip Sync while nothing changed call it anyway
  // when this is true, so drift is still repaired.
  bool read_due() const { return !known_ || clock_.Now() - last_read_ >= options_.resync_interval; }

  // What the last Sync wrote (all zero when it wrote nothing).
  const DiffStats& last_stats() const { return last_stats_; }
  // Set/map element count, sets and chains as last applied (0 when unknown).
  size_t applied_elements() const;
  size_t applied_sets() const { return applied_ ? applied_->sets.size() : 0; }
  size_t applied_chains() const { return applied_ ? applied_->chains.size() : 0; }

 private:
  absl::Status ReadActual();

  Runner& runner_;
  const base::Clock& clock_;
  const TableSyncerOptions options_;
  // The table's state as last applied or read; nullopt inside `known_` = the table is absent.
  bool known_ = false;
  std::optional<TableState> applied_;
  std::chrono::steady_clock::time_point last_read_{};
  DiffStats last_stats_;
};

}  // namespace romana::nft

#endif  // ROMANA_NFT_TABLE_SYNCER_H_
