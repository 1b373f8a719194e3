// health.h: liveness checks of candidate routers (vpc-router's health plugins).
//
// A HealthChecker runs one blocking round over a list of IPs and returns the ones that failed.
// IcmpEchoChecker sends ICMP echo requests on a raw socket (needs CAP_NET_RAW) and waits for
// the replies; TcpChecker connects to a port. A HealthMonitor keeps the latest verdict and is
// what the router reads: PeriodicHealthMonitor runs a checker on its own thread every
// interval; MultiHealthMonitor reports a host failed when any of its monitors says so.
// Checkers are used from one thread at a time; monitors are thread-safe.
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

namespace romana::vpcrouter {

class HealthChecker {
 public:
  virtual ~HealthChecker() = default;
  virtual std::string name() const = 0;
  // Checks every IP once (in parallel) and returns those that did not answer in time.
  virtual std::set<std::string> CheckFailed(const std::vector<std::string>& ips) = 0;
};

class IcmpEchoChecker final : public HealthChecker {
 public:
  // `timeout` is the whole round; requests are re-sent `attempts` times within it.
  // Errors: PermissionDenied without CAP_NET_RAW, Internal for other socket errors.
  static absl::StatusOr<std::unique_ptr<IcmpEchoChecker>> Create(std::chrono::milliseconds timeout,
                                                                int attempts);
  ~IcmpEchoChecker() override;
  std::string name() const override { return "icmpecho"; }
  std::set<std::string> CheckFailed(const std::vector<std::string>& ips) override;

 private:
  IcmpEchoChecker(int fd, std::chrono::milliseconds timeout, int attempts, uint16_t id)
      : fd_(fd), timeout_(timeout), attempts_(attempts), id_(id) {}
  int fd_;
  std::chrono::milliseconds timeout_;
  int attempts_;
  uint16_t id_;
  uint16_t seq_ = 0;
};

class TcpChecker final : public HealthChecker {
 public:
  TcpChecker(int port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}
  std::string name() const override { return "tcp"; }
  std::set<std::string> CheckFailed(const std::vector<std::string>& ips) override;

 private:
  int port_;
  std::chrono::milliseconds timeout_;
};

// Never reports a failure (vpc-router's "always" test plugin).
class AlwaysHealthyChecker final : public HealthChecker {
 public:
  std::string name() const override { return "always"; }
  std::set<std::string> CheckFailed(const std::vector<std::string>&) override { return {}; }
};

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
  PeriodicHealthMonitor(std::unique_ptr<HealthChecker> checker, std::chrono::milliseconds interval);
  ~PeriodicHealthMonitor() override;
  void SetTargets(const std::vector<std::string>& ips) override;
  HealthState State() const override;
  uint64_t rounds() const override { return rounds_.load(); }
  std::string name() const { return checker_->name(); }

 private:
  void Loop();

  std::unique_ptr<HealthChecker> checker_;
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
