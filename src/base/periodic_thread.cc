#include "base/periodic_thread.h"

namespace romana::base {

PeriodicThread::PeriodicThread(std::function<void()> tick, std::chrono::milliseconds pause)
    : tick_(std::move(tick)), pause_(pause), thread_([this] { Loop(); }) {}

PeriodicThread::~PeriodicThread() { Stop(); }

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PeriodicThread::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    tick_();
    lock.lock();
    cv_.wait_for(lock, pause_, [this] { return stop_; });
  }
}

}  // namespace romana::base
