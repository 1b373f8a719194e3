#include "daemon/watch_pump.h"

#include <algorithm>

namespace romana::daemon {

void WatchPump::Add(std::unique_ptr<WatchFeed> feed) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      incoming_.push_back(std::move(feed));
      if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
      cv_.notify_one();
      return;
    }
  }
  feed.reset();  // stopping: outside the lock (its destructor ends the stream)
}

void WatchPump::Stop() {
  std::thread t;
  std::vector<std::unique_ptr<WatchFeed>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    t = std::move(thread_);
    left = std::move(incoming_);
  }
  if (t.joinable()) t.join();
}

void WatchPump::Loop() {
  std::unique_ptr<store::Watcher> wake;  // any change under prefix_ wakes the pump
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (feeds_.empty()) cv_.wait(lock, [this] { return stopping_ || !incoming_.empty(); });
      if (stopping_) break;
      for (auto& f : incoming_) feeds_.push_back(std::move(f));
      incoming_.clear();
    }
    feeds_.erase(std::remove_if(feeds_.begin(), feeds_.end(), [](const auto& f) { return !f->Poll(); }),
                 feeds_.end());
    if (feeds_.empty()) {
      wake.reset();
      continue;
    }
    if (!wake) {
      absl::StatusOr<std::unique_ptr<store::Watcher>> w = store_.Watch(prefix_, 0);
      if (w.ok()) wake = *std::move(w);
    }
    if (wake) {
      // The events themselves go to each feed through its own watcher.
      if (absl::StatusOr<std::vector<store::Event>> e = wake->Next(kTick); !e.ok()) wake.reset();
    } else {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kTick, [this] { return stopping_; });
    }
  }
  feeds_.clear();
}

}  // namespace romana::daemon
