// nat.h: masquerading of pod traffic that leaves the Romana networks.
//
// Everything lives in the agent's own nftables table (`ip romana-nat`); nothing outside it is
// read-modified or deleted. The table is replaced atomically in one nft transaction
// ("add table; delete table; table {...}"), so a reader never sees a half-built table.
//
// Layers: RenderNatRuleset() is pure; NatSyncer is the apply layer over an Nftables runner
// (LibNftables for real, FakeNftables in agent/testing). Not thread-safe: use from one thread.
#ifndef ROMANA_AGENT_NAT_H_
#define ROMANA_AGENT_NAT_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/clock.h"

struct nft_ctx;

namespace romana::agent {

inline constexpr char kNatFamily[] = "ip";
inline constexpr char kNatTable[] = "romana-nat";

struct NatConfig {
  bool enabled = true;
  std::vector<std::string> networks;  // Romana network CIDRs (canonical), sources to masquerade
  std::string interface;              // empty: masquerade on any output interface
};

// Runs nft commands. Run() executes a batch atomically (all or nothing) and returns nft's output.
class Nftables {
 public:
  virtual ~Nftables() = default;
  // Errors: Internal with nft's error text; nothing applied.
  virtual absl::StatusOr<std::string> Run(const std::string& commands) = 0;
};

// The real runner: libnftables in the calling thread's network namespace.
class LibNftables : public Nftables {
 public:
  static absl::StatusOr<std::unique_ptr<LibNftables>> Create();
  ~LibNftables() override;
  absl::StatusOr<std::string> Run(const std::string& commands) override;

 private:
  explicit LibNftables(::nft_ctx* ctx) : ctx_(ctx) {}
  ::nft_ctx* ctx_;
};

// The nft batch that replaces our table with the desired one (or removes it when disabled or
// there are no networks). Pure. Validates: interface names must be 1..15 chars without quotes or
// spaces (InvalidArgument naming --nat-interface).
absl::StatusOr<std::string> RenderNatRuleset(const NatConfig& config);

// Apply layer: writes the table when the rendered batch changes, and every resync interval
// re-lists the table and rewrites it if its listing differs from what we last wrote (someone
// changed or deleted it). A Sync with nothing changed and no resync due makes zero nft calls.
class NatSyncer {
 public:
  NatSyncer(Nftables& nft, const base::Clock& clock, std::chrono::seconds resync_interval)
      : nft_(nft), clock_(clock), resync_interval_(resync_interval) {}

  absl::Status Sync(const NatConfig& config);
  // Deletes our table if present.
  absl::Status RemoveAll();
  int writes() const { return writes_; }

 private:
  absl::StatusOr<std::string> ListOurs();

  Nftables& nft_;
  const base::Clock& clock_;
  const std::chrono::seconds resync_interval_;
  std::optional<std::string> applied_batch_;
  std::string applied_listing_;
  std::chrono::steady_clock::time_point last_check_{};
  int writes_ = 0;
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_NAT_H_
