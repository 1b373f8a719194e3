#include "k8s/leader_elector.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace romana::k8s {

using nlohmann::json;

absl::Status LeaderElector::Validate(const LeaderElectorOptions& o) {
  if (o.lease_namespace.empty()) return absl::InvalidArgumentError("lease namespace: must not be empty");
  if (o.lease_name.empty()) return absl::InvalidArgumentError("lease name: must not be empty");
  if (o.identity.empty()) return absl::InvalidArgumentError("identity: must not be empty");
  if (o.lease_duration.count() < 1) return absl::InvalidArgumentError("lease duration: must be >= 1 s");
  if (o.renew_deadline >= o.lease_duration) {
    return absl::InvalidArgumentError("renew deadline: must be shorter than the lease duration");
  }
  if (o.retry_period.count() <= 0 || o.retry_period >= o.renew_deadline) {
    return absl::InvalidArgumentError("retry period: must be > 0 and shorter than the renew deadline");
  }
  return absl::OkStatus();
}

std::string LeaderElector::LeasePath() const {
  return absl::StrCat("/apis/coordination.k8s.io/v1/namespaces/", options_.lease_namespace, "/leases/",
                      options_.lease_name);
}

bool LeaderElector::IsLeader() const {
  if (!leading_) return false;
  const auto since = clock_.Now().time_since_epoch() - std::chrono::nanoseconds(last_renew_ns_.load());
  return since < options_.renew_deadline;
}

bool LeaderElector::SleepUnlessStopped(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_.load(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

absl::Status LeaderElector::TryAcquireOrRenew() {
  const auto now = clock_.Now();
  const int duration = static_cast<int>(options_.lease_duration.count());
  absl::StatusOr<json> lease = client_.Get(LeasePath());
  if (absl::IsNotFound(lease.status())) {
    LeaseRecord mine = NextRecord(std::nullopt, options_.identity, duration, clock_.WallNow());
    json object = WithLeaseRecord({{"apiVersion", "coordination.k8s.io/v1"},
                                   {"kind", "Lease"},
                                   {"metadata", {{"name", options_.lease_name}, {"namespace", options_.lease_namespace}}}},
                                  mine);
    absl::StatusOr<json> created = client_.Create(
        absl::StrCat("/apis/coordination.k8s.io/v1/namespaces/", options_.lease_namespace, "/leases"), object);
    if (!created.ok()) return created.status();
    observed_ = {mine, now};
    return absl::OkStatus();
  }
  if (!lease.ok()) return lease.status();
  absl::StatusOr<LeaseRecord> current = ParseLeaseRecord(*lease);
  if (!current.ok()) return current.status();
  observed_ = Observe(observed_, *current, now);
  if (!MayAcquire(observed_, options_.identity, now)) {
    return absl::FailedPreconditionError(absl::StrCat("held by ", current->holder_identity));
  }
  LeaseRecord mine = NextRecord(*current, options_.identity, duration, clock_.WallNow());
  absl::StatusOr<json> updated = client_.Update(LeasePath(), WithLeaseRecord(*lease, mine));
  if (!updated.ok()) return updated.status();
  if (current->holder_identity != options_.identity) ++transitions_;
  observed_ = {mine, now};
  return absl::OkStatus();
}

void LeaderElector::Release() {
  absl::StatusOr<json> lease = client_.Get(LeasePath());
  if (!lease.ok()) return;
  absl::StatusOr<LeaseRecord> current = ParseLeaseRecord(*lease);
  if (!current.ok() || current->holder_identity != options_.identity) return;
  LeaseRecord released = *current;
  released.holder_identity = "";
  released.lease_duration_seconds = 1;
  released.renew_time = FormatMicroTime(clock_.WallNow());
  absl::StatusOr<json> updated = client_.Update(LeasePath(), WithLeaseRecord(*lease, released));
  if (updated.ok()) {
    spdlog::info("lease {}/{}: released", options_.lease_namespace, options_.lease_name);
  } else {
    spdlog::warn("lease {}/{}: release failed: {}", options_.lease_namespace, options_.lease_name,
                 updated.status().ToString());
  }
}

void LeaderElector::Run() {
  std::mt19937 rng(std::random_device{}());
  // client-go waits retry_period * (1 + up to 1.2 jitter) between attempts while not leading.
  auto jittered = [&] {
    const auto base = options_.retry_period.count();
    return std::chrono::milliseconds(base + std::uniform_int_distribution<long long>(0, base * 6 / 5)(rng));
  };
  std::string last_reason;
  while (!stop_) {
    absl::Status s = TryAcquireOrRenew();
    if (s.ok()) {
      last_renew_ns_ = clock_.Now().time_since_epoch().count();
      if (!leading_.exchange(true)) {
        spdlog::info("lease {}/{}: {} is the leader", options_.lease_namespace, options_.lease_name, options_.identity);
        if (options_.on_started_leading) options_.on_started_leading();
      }
      last_reason.clear();
      SleepUnlessStopped(options_.retry_period);
      continue;
    }
    // Another candidate holds it (we were too slow to renew), or the deadline passed: step down.
    if (leading_ && (absl::IsFailedPrecondition(s) || !IsLeader())) {
      leading_ = false;
      spdlog::warn("lease {}/{}: not renewed ({}): no longer the leader", options_.lease_namespace,
                   options_.lease_name, s.ToString());
      if (options_.on_stopped_leading) options_.on_stopped_leading();
    }
    if (s.ToString() != last_reason) {
      spdlog::info("lease {}/{}: not acquired: {}", options_.lease_namespace, options_.lease_name, s.ToString());
      last_reason = s.ToString();
    }
    SleepUnlessStopped(leading_ ? options_.retry_period : jittered());
  }
  if (leading_.exchange(false)) {
    Release();
    if (options_.on_stopped_leading) options_.on_stopped_leading();
  }
}

}  // namespace romana::k8s
