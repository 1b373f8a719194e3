// vip_syncer.h: the "diff + apply" layer of the agent's VIP reconciler (docs/agent.md, "VIPs").
//
// Keeps the VIP addresses the agent owns on the primary link (VipProgrammer) equal to the
// desired set (ComputeVips). It caches what it believes the link holds and re-reads it at the
// first Sync, after any error, and every `resync_interval`; a Sync whose desired set matches the
// cache makes zero writes. An address the link already holds without our label (AlreadyExists)
// is someone else's: it is reported in last_conflicts(), never taken over, and tried again only
// after the next re-read.
//
// Not thread-safe: use from the agent's loop thread. `programmer` and `clock` must outlive it.
#ifndef ROMANA_AGENT_VIP_SYNCER_H_
#define ROMANA_AGENT_VIP_SYNCER_H_

#include <chrono>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "agent/vip_programmer.h"
#include "base/clock.h"

namespace romana::agent {

class VipSyncer {
 public:
  VipSyncer(VipProgrammer& programmer, const base::Clock& clock, std::chrono::seconds resync_interval)
      : programmer_(programmer), clock_(clock), resync_interval_(resync_interval) {}
  VipSyncer(const VipSyncer&) = delete;
  VipSyncer& operator=(const VipSyncer&) = delete;

  // Adds the missing addresses of `desired`, removes owned ones not in it. Errors come from the
  // programmer (a prefix of the changes may have been applied); the cache is dropped, so the next
  // Sync re-reads and repairs.
  absl::Status Sync(const std::set<std::string>& desired);
  // Removes every address we own (romana-agent --cleanup).
  absl::Status RemoveAll();

  int last_writes() const { return last_writes_; }                       // adds + removes of the last Sync
  const std::set<std::string>& owned() const { return actual_; }        // after a successful Sync
  const std::set<std::string>& last_conflicts() const { return conflicts_; }

 private:
  VipProgrammer& programmer_;
  const base::Clock& clock_;
  const std::chrono::seconds resync_interval_;
  bool cache_valid_ = false;
  std::chrono::steady_clock::time_point last_read_{};
  std::set<std::string> actual_;
  std::set<std::string> conflicts_;  // held by someone else, as of the last re-read
  int last_writes_ = 0;
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_VIP_SYNCER_H_
