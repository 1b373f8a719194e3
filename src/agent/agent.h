// agent.h: romana-agent's control loop: follows romanad, keeps the node's routes, NAT table and
// policy table.
//
//   romanad --list/watch--> [watcher thread] --ClusterCache--> [loop thread]
//        calc (ComputeRoutes) -> diff+apply (RouteSyncer over the RouteProgrammer)
//        NAT (NatSyncer over nft::Runner)
//        policy: calc (policy::CompileNodePlan, RenderPolicyTable) -> diff+apply
//                (nft::TableSyncer on `inet romana`)
//        VIPs (when a VipProgrammer is given): calc (ComputeVips) -> diff+apply (VipSyncer)
//
// The watcher lists networks, hosts, blocks, namespaces, endpoints, policies, NetworkPolicies and VIPs,
// then follows GET /watch from the list revision + 1; after a disconnect the client resumes by
// itself, after a compacted revision (410) or an unresolvable DELETE it re-lists. The loop
// thread recomputes whenever the cache changed and at least every second (the syncers decide
// themselves when to re-read the kernel: every resync_interval and after any error), so routes
// deleted behind the agent's back come back. The policy plan, the costly part, is compiled only
// when the cache changed, after a failed policy sync, or when the policy table's re-read is due.
// Policy records left out of enforcement (they failed to decode or compile) are logged, counted
// in a metric and reported to romanad as the host's status (GET /hosts/{node}/status).
//
// Thread-safety: Run() blocks the calling thread; Stop(), ready(), healthy() may be called
// from any thread. All references passed to the constructor must outlive the Agent.
#ifndef ROMANA_AGENT_AGENT_H_
#define ROMANA_AGENT_AGENT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "agent/cluster_cache.h"
#include "agent/nat.h"
#include "agent/route_programmer.h"
#include "agent/route_syncer.h"
#include "agent/vip_programmer.h"
#include "agent/vip_syncer.h"
#include "api/client.h"
#include "nft/runner.h"
#include "nft/table_syncer.h"
#include "base/clock.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace romana::agent {

struct AgentOptions {
  std::string node_name;                       // REQUIRED: this node's Romana host name
  bool register_node = false;                  // POST /hosts at start (outside Kubernetes)
  std::string node_ip;                         // REQUIRED with register_node
  api::Labels node_labels;                     // with register_node
  RouteSyncerOptions routes;                   // table/rule and kernel resync interval
  bool nat = true;                             // masquerade pods leaving the Romana networks
  std::string nat_interface;                   // "" = any output interface
  bool enforce_policy = true;                  // program `inet romana`; false removes it
  std::string service_range;                   // resolved range; "" = no check
  std::chrono::milliseconds retry_backoff{200};      // first retry delay after an error
  std::chrono::milliseconds max_retry_backoff{5000};
  // healthy() turns false when the agent's loop has not come round for this long (a stuck
  // thread). REQUIRES: well above max_retry_backoff plus the API client's timeout.
  std::chrono::milliseconds stall_timeout{60000};
  // Runs on the loop thread when the agent could become ready (see ready()), before ready() turns
  // true; an error keeps it not ready and is retried on the next pass (about every second).
  // romana-agent writes the CNI config here, so the node turns network-ready only once pods can
  // work. Empty = nothing to do.
  std::function<absl::Status()> before_ready;
};

class Agent {
 public:
  // Returns this node's directly connected IPv4 subnets (ConnectedSubnets over netlink).
  using SubnetSource = std::function<absl::StatusOr<std::vector<std::string>>()>;

  // `vips`: where this node's VIPs go (its primary link); nullptr = the agent serves no VIPs.
  Agent(AgentOptions options, api::Client& client, RouteProgrammer& routes, nft::Runner& nft,
        SubnetSource subnets, const base::Clock& clock, prometheus::Registry& registry,
        VipProgrammer* vips = nullptr);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Registers the node (if asked), then runs until Stop(). Returns OK after Stop(), or:
  //   FailedPrecondition when a Romana network overlaps options.service_range, or the node name
  //   is registered with another IP; InvalidArgument for bad options.
  absl::Status Run();
  void Stop();

  // True once (and from then on) the node was registered (with register_node), a sync after the
  // first complete list succeeded, romanad's hosts include options.node_name (outside
  // --register-node the listener or an operator adds it), and options.before_ready succeeded.
  bool ready() const { return ready_.load(); }
  // Liveness: true while Run() is running and its loop (or the registration retry loop) came
  // round within options.stall_timeout. Does not depend on romanad: an agent waiting for romanad
  // is alive (not ready), so a liveness probe does not restart it in a loop.
  bool healthy() const;

 private:
  absl::Status Register();
  void WatchLoop();
  absl::Status ListAll(api::Revision* revision);
  absl::Status SyncOnce();
  absl::Status SyncPolicy();
  absl::Status SyncVips();
  // PUT /hosts/{node}/status when the policy errors differ from what romanad last accepted
  // (so once after start, then on change). A failure is retried on the next pass.
  void ReportStatus();
  bool SleepFor(std::chrono::milliseconds d);  // false when stopped
  // After a successful sync while not ready: checks the node is known and runs before_ready;
  // turns ready when both hold. Loop thread only.
  void TryBecomeReady();

  const AgentOptions options_;
  api::Client& client_;
  const base::Clock& clock_;
  RouteSyncer route_syncer_;
  NatSyncer nat_syncer_;
  nft::TableSyncer policy_syncer_;
  std::unique_ptr<VipSyncer> vip_syncer_;  // nullptr = no VIPs
  std::vector<std::string> last_vip_errors_;  // loop thread only: log changes once
  std::vector<std::string> last_policy_errors_;  // loop thread only: log changes once
  std::optional<std::vector<std::string>> reported_policy_errors_;  // loop thread only: romanad has these
  std::optional<uint64_t> policy_synced_generation_;  // loop thread only: cache generation last enforced
  std::string not_ready_reason_;  // loop thread only: log each new reason once
  SubnetSource subnets_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::atomic<bool> running_{false};
  std::atomic<int64_t> heartbeat_ns_{0};  // clock_.Now() of the loop's last round
  void Beat();
  std::mutex mu_;
  std::condition_variable cv_;
  ClusterCache cache_ ABSL_GUARDED_BY(mu_);
  bool have_data_ ABSL_GUARDED_BY(mu_) = false;
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t cache_generation_ ABSL_GUARDED_BY(mu_) = 0;  // bumped on every cache change
  absl::Status fatal_ ABSL_GUARDED_BY(mu_);

  prometheus::Gauge& managed_routes_;
  prometheus::Gauge& ready_gauge_;
  prometheus::Counter& syncs_;
  prometheus::Histogram& sync_seconds_;
  prometheus::Counter& sync_errors_;
  prometheus::Counter& route_ops_;
  prometheus::Counter& watch_events_;
  prometheus::Counter& relists_;
  prometheus::Counter& registration_failures_;
  prometheus::Gauge& last_sync_seconds_;
  prometheus::Gauge& policy_errors_;
  prometheus::Gauge& policy_sync_seconds_;
  prometheus::Gauge& policy_sets_;
  prometheus::Gauge& policy_elements_;
  prometheus::Gauge& policy_chains_;
  prometheus::Counter& policy_writes_;
  prometheus::Gauge& vips_;
  prometheus::Gauge& vip_conflicts_;
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_AGENT_H_
