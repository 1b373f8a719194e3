// leadership.h: which romanad replica may write.
//
// With one replica (embedded store) SoleLeader always leads and writes unfenced. With several
// replicas on etcd, LeaseElection campaigns for the key <prefix>/leader: it is created only if
// absent, attached to a lease the leader keeps alive, and holds {"url", "term"} where term is
// unique per campaign. Every leader write carries Fence() (value of the leader key equals ours),
// so a replica that lost its lease (paused, partitioned) can never write: its transaction fails
// and FencedStore reports not_leader. Followers learn the leader's URL from the key.
//
// Thread-safety: all methods are safe to call from any thread.
#ifndef ROMANA_DAEMON_LEADERSHIP_H_
#define ROMANA_DAEMON_LEADERSHIP_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "store/store.h"

namespace romana::daemon {

class Leadership {
 public:
  virtual ~Leadership() = default;
  virtual bool IsLeader() const = 0;
  // The leader's advertised URL ("" when unknown); our own URL while we lead.
  virtual std::string LeaderUrl() const = 0;
  // The compare every leader write must carry; nullopt when writes need no fence.
  virtual std::optional<store::Compare> Fence() const = 0;
  // Increases each time this replica becomes leader (state loaded under an older term is stale).
  virtual uint64_t Term() const = 0;
  // True once the replica knows whether it leads (and, if not, who does).
  virtual bool Settled() const = 0;
};

class SoleLeader final : public Leadership {
 public:
  bool IsLeader() const override { return true; }
  std::string LeaderUrl() const override { return ""; }
  std::optional<store::Compare> Fence() const override { return std::nullopt; }
  uint64_t Term() const override { return 1; }
  bool Settled() const override { return true; }
};

struct LeaseElectionOptions {
  std::string key;            // REQUIRES: non-empty, e.g. "/romana/leader"
  std::string advertise_url;  // how followers reach this replica, e.g. "http://10.0.0.1:9600"
  std::chrono::seconds ttl{5};  // lease TTL: the failover time after a crash is at most this
  // How often a follower re-checks the key (it campaigns as soon as the key is gone).
  std::chrono::milliseconds poll{200};
  // Called (on the election thread) whenever this replica gains or loses leadership.
  std::function<void(bool leader)> on_change;
};

class LeaseElection final : public Leadership {
 public:
  // `store` and `clock` must outlive the election. Starts campaigning on a background thread.
  static std::unique_ptr<LeaseElection> Start(LeaseElectionOptions options, store::Store& store,
                                              const base::Clock& clock);
  // Stops; a leader revokes its lease so that a follower takes over at once.
  ~LeaseElection() override;

  bool IsLeader() const override;
  std::string LeaderUrl() const override;
  std::optional<store::Compare> Fence() const override;
  uint64_t Term() const override;
  bool Settled() const override;

  // Steps down now (revokes the lease); the thread keeps campaigning later. For shutdown.
  void Resign();

 private:
  LeaseElection(LeaseElectionOptions options, store::Store& store, const base::Clock& clock)
      : options_(std::move(options)), store_(store), clock_(clock) {}
  void Run();
  void Campaign();
  void KeepLeading();
  void SetLeader(bool leader, const std::string& value, store::LeaseId lease);
  bool WaitFor(std::chrono::milliseconds d);  // false when stopping

  const LeaseElectionOptions options_;
  store::Store& store_;
  const base::Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;               // guarded by mu_
  bool leader_ = false;             // guarded by mu_
  bool settled_ = false;            // guarded by mu_
  std::string value_;               // guarded by mu_: our leader-key value while leading
  std::string leader_url_;          // guarded by mu_
  store::LeaseId lease_ = 0;        // guarded by mu_
  uint64_t term_ = 0;               // guarded by mu_
  std::chrono::steady_clock::time_point last_renewed_;  // election thread only
  std::thread thread_;
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_LEADERSHIP_H_
