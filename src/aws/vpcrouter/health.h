// health.h: liveness of candidate routers (vpc-router's health plugins), over the checkers of
// health/checker.h. A HealthMonitor keeps the latest verdict and is what the router reads:
// PeriodicHealthMonitor runs a checker on its own thread every interval; MultiHealthMonitor
// reports a host failed when any of its monitors says so. Monitors are thread-safe.
#ifndef ROMANA_AWS_VPCROUTER_HEALTH_H_
#define ROMANA_AWS_VPCROUTER_HEALTH_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "aws/vpcrouter/route_planner.h"
#include "health/checker.h"

namespace romana::vpcrouter {

class HealthMonitor {
 public:
  virtual ~HealthMonitor() = default;
  // The IPs to watch from now on (the spec's hosts). Verdicts on other IPs are dropped.
  virtual void SetTargets(const std::vector<std::string>& ips) = 0;
  // Latest verdict.
  virtual HealthState State() const = 0;
  // Rounds completed so far (lets callers and tests wait for a fresh verdict).
  virtual uint64_t rounds() const = 0;
};

class PeriodicHealthMonitor final : public HealthMonitor {
 public:
  // Runs `checker` every `interval` on a thread started here; the destructor stops it.
  PeriodicHealthMonitor(std::unique_ptr<health::HealthChecker> checker, std::chrono::milliseconds interval);
  ~PeriodicHealthMonitor() override;
  void SetTargets(const std::vector<std::string>& ips) override;
  HealthState State() const override;
  uint64_t rounds() const override { return rounds_.load(); }
  std::string name() const { return checker_->name(); }

 private:
  void Loop();

  std::unique_ptr<health::HealthChecker> checker_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool targets_changed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> targets_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> failed_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> rounds_{0};
  std::thread thread_;
};

class MultiHealthMonitor final : public HealthMonitor {
 public:
  explicit MultiHealthMonitor(std::vector<std::unique_ptr<HealthMonitor>> monitors)
      : monitors_(std::move(monitors)) {}
  void SetTargets(const std::vector<std::string>& ips) override;
  HealthState State() const override;
  uint64_t rounds() const override;

 private:
  std::vector<std::unique_ptr<HealthMonitor>> monitors_;
};

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_HEALTH_H_
