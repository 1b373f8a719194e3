#include "agent/agent.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/policy_render.h"
#include "agent/route_calc.h"
#include "agent/service_range.h"
#include "agent/vip_calc.h"
#include "policy/node_plan_compiler.h"
#include "spdlog/spdlog.h"

namespace romana::agent {

namespace {
prometheus::Gauge& MakeGauge(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}
prometheus::Counter& MakeCounter(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}
}  // namespace

Agent::Agent(AgentOptions options, api::Client& client, RouteProgrammer& routes, nft::Runner& nft,
             SubnetSource subnets, const base::Clock& clock, prometheus::Registry& registry,
             VipProgrammer* vips)
    : options_(std::move(options)),
      client_(client),
      clock_(clock),
      route_syncer_(routes, clock, options_.routes),
      nat_syncer_(nft, clock, std::chrono::duration_cast<std::chrono::seconds>(options_.routes.resync_interval)),
      policy_syncer_(nft, clock, {.family = kPolicyFamily, .name = kPolicyTable,
                                  .resync_interval = std::chrono::duration_cast<std::chrono::seconds>(
                                      options_.routes.resync_interval)}),
      vip_syncer_(vips == nullptr ? nullptr
                                  : std::make_unique<VipSyncer>(*vips, clock, std::chrono::duration_cast<std::chrono::seconds>(
                                                                                  options_.routes.resync_interval))),
      subnets_(std::move(subnets)),
      managed_routes_(MakeGauge(registry, "romana_agent_managed_routes", "Routes in the romana table owned by the agent")),
      ready_gauge_(MakeGauge(registry, "romana_agent_ready", "1 once the agent is ready (/readyz): registered, synced, its node known, the CNI config written")),
      syncs_(MakeCounter(registry, "romana_agent_syncs_total", "Reconciliations run")),
      sync_seconds_(prometheus::BuildHistogram()
                        .Name("romana_agent_sync_duration_seconds")
                        .Help("Duration of one reconciliation: routes, NAT and policy (compile, render, apply)")
                        .Register(registry)
                        .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                                         0.25, 0.5, 1, 2.5, 5, 10})),
      sync_errors_(MakeCounter(registry, "romana_agent_sync_errors_total", "Reconciliations that failed")),
      route_ops_(MakeCounter(registry, "romana_agent_route_changes_total", "Route adds, replaces and deletes written")),
      watch_events_(MakeCounter(registry, "romana_agent_watch_events_total", "Watch events received from romanad")),
      relists_(MakeCounter(registry, "romana_agent_relists_total", "Full lists from romanad (start, 410, errors)")),
      registration_failures_(MakeCounter(registry, "romana_agent_registration_failures_total",
                                         "Attempts to register the node with romanad that failed (--register-node)")),
      last_sync_seconds_(MakeGauge(registry, "romana_agent_last_sync_timestamp_seconds", "Wall time of the last successful sync")),
      policy_errors_(MakeGauge(registry, "romana_agent_policy_errors", "Policies (and records) left out of enforcement because they failed to compile or decode")),
      policy_sync_seconds_(MakeGauge(registry, "romana_agent_policy_sync_seconds", "Duration of the last policy compile + render + apply")),
      policy_sets_(MakeGauge(registry, "romana_agent_policy_sets", "Sets and maps in the inet romana table")),
      policy_elements_(MakeGauge(registry, "romana_agent_policy_set_elements", "Set and map elements in the inet romana table")),
      policy_chains_(MakeGauge(registry, "romana_agent_policy_chains", "Chains in the inet romana table")),
      policy_writes_(MakeCounter(registry, "romana_agent_policy_table_writes_total", "nft transactions written to the inet romana table")),
      vips_(MakeGauge(registry, "romana_agent_vips", "VIP addresses the agent holds on the primary link")),
      vip_conflicts_(MakeGauge(registry, "romana_agent_vip_conflicts", "VIPs of this node not added because the link already holds the address without the agent's label")) {}

Agent::~Agent() { Stop(); }

void Agent::Stop() {
  stop_ = true;
  cv_.notify_all();
}

bool Agent::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_.load(); });
  return !stop_;
}

void Agent::Beat() {
  heartbeat_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch()).count();
}

bool Agent::healthy() const {
  if (!running_) return false;
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch()).count();
  return now - heartbeat_ns_.load() < std::chrono::duration_cast<std::chrono::nanoseconds>(options_.stall_timeout).count();
}

absl::Status Agent::Register() {
  if (options_.node_ip.empty()) return absl::InvalidArgumentError("--node-ip: required with --register-node");
  std::chrono::milliseconds backoff = options_.retry_backoff;
  while (!stop_) {
    Beat();
    absl::StatusOr<api::Host> h =
        client_.AddHost({options_.node_name, options_.node_ip, options_.node_labels});
    if (h.ok()) {
      spdlog::info("registered node {} ({}) with romanad", options_.node_name, options_.node_ip);
      return absl::OkStatus();
    }
    if (absl::IsAlreadyExists(h.status())) {
      absl::StatusOr<api::Host> existing = client_.GetHost(options_.node_name);
      if (existing.ok() && existing->ip == options_.node_ip) {
        spdlog::info("node {} already registered with IP {}", options_.node_name, options_.node_ip);
        return absl::OkStatus();
      }
      if (existing.ok()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "--node-name: node ", options_.node_name, " is registered with IP ", existing->ip,
            ", not --node-ip ", options_.node_ip));
      }
      if (!absl::IsNotFound(existing.status())) {
        spdlog::warn("register: cannot read host {}: {}", options_.node_name, existing.status().ToString());
      } else {
        return absl::FailedPreconditionError(
            absl::StrCat("--node-ip: ", options_.node_ip, " is registered to another node"));
      }
    } else if (absl::IsInvalidArgument(h.status())) {
      return h.status();
    } else {
      spdlog::warn("register: {} (retrying)", h.status().ToString());
    }
    registration_failures_.Increment();
    if (!SleepFor(backoff)) break;
    backoff = std::min(backoff * 2, options_.max_retry_backoff);
  }
  return absl::OkStatus();
}

absl::Status Agent::ListAll(api::Revision* revision) {
  // One snapshot: every kind at one revision, so the watch resumes exactly after it.
  absl::StatusOr<api::StateSnapshot> snap = client_.Snapshot(
      {"networks", "groups", "hosts", "blocks", "namespaces", "endpoints", "policies", "networkpolicies", "vips"});
  if (!snap.ok()) return snap.status();
  *revision = snap->revision;
  relists_.Increment();
  std::lock_guard lock(mu_);
  cache_.ReplaceNetworks(snap->networks);
  cache_.ReplaceHosts(snap->hosts);
  cache_.ReplaceBlocks(snap->blocks);
  cache_.ReplaceGroups(snap->groups);
  cache_.ReplaceNamespaces(snap->namespaces);
  cache_.ReplaceEndpoints(snap->endpoints);
  cache_.ReplacePolicies(snap->policies);
  cache_.ReplaceNetworkPolicies(snap->network_policies);
  cache_.ReplaceVips(snap->vips);
  have_data_ = true;
  dirty_ = true;
  ++cache_generation_;
  cv_.notify_all();
  spdlog::info("listed {} network(s), {} group(s), {} host(s), {} block(s), {} namespace(s), {} endpoint(s), {} "
               "policy(ies), {} NetworkPolicy(ies) at revision {}", snap->networks.size(), snap->groups.size(),
               snap->hosts.size(), snap->blocks.size(), snap->namespaces.size(), snap->endpoints.size(),
               snap->policies.size(), snap->network_policies.size(), snap->revision);
  return absl::OkStatus();
}

void Agent::WatchLoop() {
  std::chrono::milliseconds backoff = options_.retry_backoff;
  while (!stop_) {
    api::Revision min_rev = 0;
    if (absl::Status s = ListAll(&min_rev); !s.ok()) {
      spdlog::warn("list from romanad failed: {} (retrying in {} ms)", s.ToString(), backoff.count());
      if (!SleepFor(backoff)) return;
      backoff = std::min(backoff * 2, options_.max_retry_backoff);
      continue;
    }
    backoff = options_.retry_backoff;
    api::WatchOptions wo;
    wo.revision = min_rev + 1;
    wo.kinds = {"networks", "groups", "hosts", "blocks", "namespaces", "endpoints", "policies", "networkpolicies",
                "vips"};
    wo.stop = [this] { return stop_.load(); };
    wo.bookmark_interval = std::chrono::milliseconds(1000);
    bool relist = false;
    absl::Status s = client_.Watch(wo, [&](const api::WatchEvent& e) -> absl::Status {
      watch_events_.Increment();
      std::lock_guard lock(mu_);
      ClusterCache::EventResult r = cache_.ApplyEvent(e);
      if (r == ClusterCache::EventResult::kNeedRelist) {
        relist = true;
        return absl::AbortedError("re-list needed");
      }
      if (r == ClusterCache::EventResult::kChanged) {
        dirty_ = true;
        ++cache_generation_;
        cv_.notify_all();
      }
      return absl::OkStatus();
    });
    if (stop_) return;
    if (relist) {
      spdlog::info("watch: a deletion that could not be resolved (no previous object, unknown key); re-listing");
    } else if (api::IsCompacted(s)) {
      spdlog::info("watch: revision {} compacted (compact revision {}); re-listing", wo.revision,
                   api::CompactRevisionOf(s));
    } else {
      spdlog::warn("watch ended: {}; re-listing after {} ms", s.ToString(), backoff.count());
      if (!SleepFor(backoff)) return;
      backoff = std::min(backoff * 2, options_.max_retry_backoff);
    }
  }
}

absl::Status Agent::SyncOnce() {
  ClusterSnapshot snapshot;
  {
    std::lock_guard lock(mu_);
    snapshot = cache_.Snapshot();
    dirty_ = false;
  }
  if (absl::Status s = CheckServiceRange(options_.service_range, snapshot.network_cidrs); !s.ok()) {
    std::lock_guard lock(mu_);
    fatal_ = s;
    return s;
  }
  absl::StatusOr<std::vector<std::string>> subnets = subnets_();
  if (!subnets.ok()) return subnets.status();
  RouteCalcResult calc = ComputeRoutes(snapshot, {options_.node_name, *subnets});
  for (const std::string& e : calc.errors) spdlog::warn("calc: {}", e);
  if (absl::Status s = route_syncer_.Sync(calc.routes); !s.ok()) return s;
  route_ops_.Increment(route_syncer_.last_stats().ops);
  managed_routes_.Set(static_cast<double>(route_syncer_.cached_routes().size()));
  NatConfig nat{options_.nat, snapshot.network_cidrs, options_.nat_interface};
  std::sort(nat.networks.begin(), nat.networks.end());
  if (absl::Status s = nat_syncer_.Sync(nat); !s.ok()) return s;
  // A VIP that cannot be applied (the link is gone) must not hold back policy, nor the reverse.
  absl::Status policy = SyncPolicy();
  absl::Status vips = SyncVips();
  return policy.ok() ? vips : policy;
}

absl::Status Agent::SyncVips() {
  if (vip_syncer_ == nullptr) return absl::OkStatus();
  VipCalcResult calc;
  {
    std::lock_guard lock(mu_);
    calc = ComputeVips(cache_.vips(), options_.node_name);
  }
  if (calc.errors != last_vip_errors_) {
    for (const std::string& e : calc.errors) spdlog::warn("vip: skipped {}", e);
    last_vip_errors_ = calc.errors;
  }
  absl::Status s = vip_syncer_->Sync(calc.addresses);
  vips_.Set(static_cast<double>(vip_syncer_->owned().size()));
  vip_conflicts_.Set(static_cast<double>(vip_syncer_->last_conflicts().size()));
  return s;
}

absl::Status Agent::SyncPolicy() {
  if (!options_.enforce_policy) return policy_syncer_.Remove();
  const auto start = clock_.Now();
  ClusterCache::PolicyInputs in;
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    generation = cache_generation_;
    // Compiling is the costly part: skip it while nothing changed and no re-read is due.
    if (policy_synced_generation_ == generation && !policy_syncer_.read_due()) return absl::OkStatus();
    in = cache_.PolicyInputsSnapshot();
  }
  policy::NodePlan plan = policy::CompileNodePlan(in.cluster, in.policies, options_.node_name);
  // A policy that fails to compile is left out of the plan (it neither isolates nor allows) and
  // never blocks the others: report it, enforce the rest.
  std::vector<std::string> errors = std::move(in.errors);
  for (const policy::CompileError& e : plan.errors) errors.push_back(absl::StrCat(e.policy_id, ": ", e.message));
  if (errors != last_policy_errors_) {
    for (const std::string& e : errors) spdlog::warn("policy: skipped {}", e);
    last_policy_errors_ = errors;
  }
  policy_errors_.Set(static_cast<double>(errors.size()));
  if (absl::Status s = policy_syncer_.Sync(RenderPolicyTable(plan)); !s.ok()) {
    policy_synced_generation_.reset();
    return s;
  }
  const nft::DiffStats& st = policy_syncer_.last_stats();
  if (st.recreate || st.elements_added + st.elements_deleted + st.chains_written + st.chains_deleted > 0) {
    policy_writes_.Increment();
    spdlog::debug("policy: {} local pod(s), {} chain(s); wrote +{}/-{} elements, {} chain(s){}", plan.pods.size(),
                  plan.chains.size(), st.elements_added, st.elements_deleted, st.chains_written,
                  st.recreate ? " (table created)" : "");
  }
  policy_sets_.Set(static_cast<double>(policy_syncer_.applied_sets()));
  policy_elements_.Set(static_cast<double>(policy_syncer_.applied_elements()));
  policy_chains_.Set(static_cast<double>(policy_syncer_.applied_chains()));
  policy_sync_seconds_.Set(std::chrono::duration<double>(clock_.Now() - start).count());
  policy_synced_generation_ = generation;
  return absl::OkStatus();
}

void Agent::ReportStatus() {
  if (reported_policy_errors_ == last_policy_errors_) return;
  api::HostStatus status;
  status.host = options_.node_name;
  status.policy_error_count = static_cast<int64_t>(last_policy_errors_.size());
  for (const std::string& e : last_policy_errors_) {
    if (status.policy_errors.size() == api::HostStatus::kMaxErrors) break;
    status.policy_errors.push_back(e.substr(0, api::HostStatus::kMaxErrorLength));
  }
  if (absl::Status s = client_.PutHostStatus(status); !s.ok()) {
    spdlog::debug("status report to romanad failed (retrying): {}", s.ToString());
    return;
  }
  reported_policy_errors_ = last_policy_errors_;
}

void Agent::TryBecomeReady() {
  bool known;
  {
    std::lock_guard lock(mu_);
    known = cache_.hosts().contains(options_.node_name);
  }
  absl::Status s = known ? absl::OkStatus()
                         : absl::UnavailableError(absl::StrCat("romanad does not know node ", options_.node_name,
                                                               " yet (not among its hosts)"));
  if (s.ok() && options_.before_ready) s = options_.before_ready();
  if (!s.ok()) {
    const std::string reason(s.message());
    if (reason != not_ready_reason_) spdlog::warn("synced, not ready: {} (retrying)", reason);
    not_ready_reason_ = reason;
    return;
  }
  ready_ = true;
  ready_gauge_.Set(1);
  spdlog::info("first sync done; agent ready");
}

absl::Status Agent::Run() {
  if (options_.node_name.empty()) return absl::InvalidArgumentError("--node-name: must be set");
  Beat();
  running_ = true;
  struct NotRunning {
    std::atomic<bool>& running;
    ~NotRunning() { running = false; }
  } not_running{running_};
  if (options_.register_node) {
    if (absl::Status s = Register(); !s.ok()) return s;
  }
  std::thread watcher([this] { WatchLoop(); });
  std::chrono::milliseconds backoff = options_.retry_backoff;
  while (!stop_) {
    Beat();
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_.load() || dirty_; });
      if (stop_) break;
      if (!have_data_) continue;
    }
    syncs_.Increment();
    const auto sync_start = clock_.Now();
    absl::Status s = SyncOnce();
    sync_seconds_.Observe(std::chrono::duration<double>(clock_.Now() - sync_start).count());
    {
      std::lock_guard lock(mu_);
      if (!fatal_.ok()) break;
    }
    if (!s.ok()) {
      sync_errors_.Increment();
      spdlog::warn("sync failed: {} (retrying in {} ms)", s.ToString(), backoff.count());
      {
        std::lock_guard lock(mu_);
        dirty_ = true;  // retry even without news
      }
      if (!SleepFor(backoff)) break;
      backoff = std::min(backoff * 2, options_.max_retry_backoff);
      continue;
    }
    backoff = options_.retry_backoff;
    if (!ready_) TryBecomeReady();
    ReportStatus();
    last_sync_seconds_.Set(std::chrono::duration<double>(
        clock_.WallNow().time_since_epoch()).count());
  }
  stop_ = true;
  cv_.notify_all();
  watcher.join();
  std::lock_guard lock(mu_);
  return fatal_;
}

}  // namespace romana::agent
