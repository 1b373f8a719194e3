#include "aws/vpcrouter/health.h"

#include <algorithm>
#include <cstdint>

namespace romana::vpcrouter {

PeriodicHealthMonitor::PeriodicHealthMonitor(std::unique_ptr<health::HealthChecker> checker,
                                             std::chrono::milliseconds interval)
    : checker_(std::move(checker)), interval_(interval) {
  thread_ = std::thread([this] { Loop(); });
}

PeriodicHealthMonitor::~PeriodicHealthMonitor() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void PeriodicHealthMonitor::SetTargets(const std::vector<std::string>& ips) {
  {
    std::lock_guard lock(mu_);
    if (ips == targets_) return;
    targets_ = ips;
    targets_changed_ = true;
    std::set<std::string> keep;
    for (const auto& ip : ips) {
      if (failed_.count(ip)) keep.insert(ip);
    }
    failed_ = std::move(keep);
  }
  cv_.notify_all();  // check new targets right away
}

HealthState PeriodicHealthMonitor::State() const {
  std::lock_guard lock(mu_);
  return HealthState{.failed = failed_};
}

void PeriodicHealthMonitor::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    std::vector<std::string> targets = targets_;
    targets_changed_ = false;
    lock.unlock();
    const auto start = std::chrono::steady_clock::now();
    std::set<std::string> failed = checker_->CheckFailed(targets);
    lock.lock();
    if (!targets_changed_) {  // else the verdict is stale: a fresher round follows at once
      failed_ = std::move(failed);
      rounds_.fetch_add(1);
    }
    cv_.wait_until(lock, start + interval_, [this] { return stop_ || targets_changed_; });
  }
}

void MultiHealthMonitor::SetTargets(const std::vector<std::string>& ips) {
  for (auto& m : monitors_) m->SetTargets(ips);
}

HealthState MultiHealthMonitor::State() const {
  HealthState all;
  for (const auto& m : monitors_) {
    HealthState s = m->State();
    all.failed.insert(s.failed.begin(), s.failed.end());
    all.questionable.insert(s.questionable.begin(), s.questionable.end());
  }
  return all;
}

uint64_t MultiHealthMonitor::rounds() const {
  uint64_t r = UINT64_MAX;
  for (const auto& m : monitors_) r = std::min(r, m->rounds());
  return monitors_.empty() ? 0 : r;
}

}  // namespace romana::vpcrouter
