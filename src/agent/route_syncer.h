// route_syncer.h: the "apply" layer of the agent's route reconciler.
//
// Keeps the kernel's `romana` table (our routes only) and our policy rule equal to the desired
// state. It caches what it believes the kernel holds; it re-reads the real state at the first
// Sync, after any error, when Invalidate() was called, and every `resync_interval`. A Sync whose
// desired state already matches the cache makes zero writes.
//
// Not thread-safe: use from the agent's loop thread. `programmer` and `clock` must outlive it.
#ifndef ROMANA_AGENT_ROUTE_SYNCER_H_
#define ROMANA_AGENT_ROUTE_SYNCER_H_

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "agent/route_programmer.h"
#include "base/clock.h"

namespace romana::agent {

struct RouteSyncerOptions {
  Rule rule{kDefaultRulePriority, kDefaultRouteTable};  // the one rule we keep
  std::chrono::seconds resync_interval{60};              // re-read the kernel this often
};

struct SyncStats {
  int ops = 0;            // route ops written by the last Sync
  bool resynced = false;  // the last Sync re-read the kernel
};

class RouteSyncer {
 public:
  RouteSyncer(RouteProgrammer& programmer, const base::Clock& clock, RouteSyncerOptions options)
      : programmer_(programmer), clock_(clock), options_(options) {}
  RouteSyncer(const RouteSyncer&) = delete;
  RouteSyncer& operator=(const RouteSyncer&) = delete;

  // Makes the kernel hold exactly `desired` in our table, plus our rule. Errors come from the
  // programmer; the cache is then dropped so the next Sync re-reads (partial writes may remain
  // and are repaired by that next Sync).
  absl::Status Sync(const RouteMap& desired);

  // Forces the next Sync to re-read the kernel. `reason` is logged.
  void Invalidate(const std::string& reason);

  // Removes every route and rule we own (used by `romana-agent --cleanup`).
  absl::Status RemoveAll();

  const SyncStats& last_stats() const { return stats_; }
  // What the syncer believes the kernel holds (valid after a successful Sync).
  const RouteMap& cached_routes() const { return actual_; }

 private:
  absl::Status Resync();

  RouteProgrammer& programmer_;
  const base::Clock& clock_;
  const RouteSyncerOptions options_;
  bool cache_valid_ = false;
  std::string invalid_reason_ = "start-up";
  std::chrono::steady_clock::time_point last_read_{};
  RouteMap actual_;
  bool rule_ok_ = false;
  SyncStats stats_;
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_ROUTE_SYNCER_H_
