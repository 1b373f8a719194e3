// leader_elector.h: leader election on a coordination.k8s.io/v1 Lease (client-go's
// leaderelection with a LeaseLock).
//
// Run() loops until Stop(): while not leading it reads the Lease every `retry_period` and takes
// it when lease_record.h's MayAcquire() allows (create when absent; PUT with the read
// resourceVersion otherwise, so of two candidates exactly one wins: the other gets 409 and keeps
// waiting). While leading it renews every `retry_period`; when no renewal succeeded for
// `renew_deadline` it stops leading (on_stopped_leading) and goes back to waiting. Stop()
// releases a held lease (empty holder, duration 1 s) so a standby takes over at once instead of
// after the lease duration.
//
// IsLeader() is true only while the last successful write is younger than `renew_deadline`:
// as renew_deadline < lease_duration, a leader that cannot renew stops acting before anyone else
// may take the lease.
//
// Thread-safety: Run() on one thread; Stop(), IsLeader(), identity() from any thread. The
// callbacks run on Run()'s thread and must not block for long.
#ifndef ROMANA_K8S_LEADER_ELECTOR_H_
#define ROMANA_K8S_LEADER_ELECTOR_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "base/clock.h"
#include "k8s/kube_client.h"
#include "k8s/lease_record.h"

namespace romana::k8s {

struct LeaderElectorOptions {
  std::string lease_namespace = "kube-system";  // REQUIRES: non-empty
  std::string lease_name = "romana-listener";   // REQUIRES: non-empty
  std::string identity;                          // REQUIRES: non-empty, unique per candidate
  std::chrono::seconds lease_duration{15};
  std::chrono::milliseconds renew_deadline{10000};  // REQUIRES: < lease_duration
  std::chrono::milliseconds retry_period{2000};     // REQUIRES: < renew_deadline
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
};

class LeaderElector {
 public:
  // `client` and `clock` must outlive the elector. InvalidArgument naming the option when the
  // REQUIRES above do not hold.
  static absl::Status Validate(const LeaderElectorOptions& options);
  LeaderElector(KubeClient& client, const base::Clock& clock, LeaderElectorOptions options)
      : client_(client), clock_(clock), options_(std::move(options)) {}
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void Run();
  void Stop();
  bool IsLeader() const;
  const std::string& identity() const { return options_.identity; }
  int transitions_seen() const { return transitions_.load(); }

 private:
  // One read and, when allowed, one write. OK = we hold the lease now.
  absl::Status TryAcquireOrRenew();
  void Release();
  bool SleepUnlessStopped(std::chrono::milliseconds d);
  std::string LeasePath() const;

  KubeClient& client_;
  const base::Clock& clock_;
  const LeaderElectorOptions options_;
  LeaseObservation observed_;  // Run()'s thread only
  std::atomic<bool> leading_{false};
  std::atomic<int64_t> last_renew_ns_{0};  // steady time of the last successful write
  std::atomic<int> transitions_{0};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace romana::k8s

#endif  // ROMANA_K8S_LEADER_ELECTOR_H_
