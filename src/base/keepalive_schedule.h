// keepalive_schedule.h: when a periodic keep-alive is due, measured on a Clock. A watch stream
// sends a BOOKMARK when it has been quiet for an interval (romanad's /watch, the lab's Kubernetes
// API); this is the timing both share, so it is tested with FakeClock. Not thread-safe: use it
// from the one strand that sends the keep-alives.
#ifndef ROMANA_BASE_KEEPALIVE_SCHEDULE_H_
#define ROMANA_BASE_KEEPALIVE_SCHEDULE_H_

#include <chrono>

#include "base/clock.h"

namespace romana::base {

class KeepaliveSchedule {
 public:
  // REQUIRES: interval > 0. `clock` must outlive this object. Starts as if one was sent now.
  KeepaliveSchedule(const Clock& clock, std::chrono::milliseconds interval)
      : clock_(clock), interval_(interval), last_(clock.Now()) {}

  std::chrono::milliseconds interval() const { return interval_; }

  // Records a keep-alive sent `ago` before now (0: now). A stream that starts with
  // `ago` = a random part of the interval spreads the first ones of streams opened together.
  void Sent(std::chrono::milliseconds ago = std::chrono::milliseconds(0)) { last_ = clock_.Now() - ago; }

  // True once `interval` has passed since the last Sent().
  bool Due() const { return clock_.Now() - last_ >= interval_; }

  // How long a timer should wait before looking again: the interval when one is due now (the
  // caller sends it, or does not because it is busy, and looks again an interval later), else
  // the time left, rounded down to milliseconds, plus 1 ms so the timer never fires just early.
  std::chrono::milliseconds NextCheck() const {
    const auto since = clock_.Now() - last_;
    if (since >= interval_) return interval_;
    return std::chrono::duration_cast<std::chrono::milliseconds>(interval_ - since) + std::chrono::milliseconds(1);
  }

 private:
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace romana::base

#endif  // ROMANA_BASE_KEEPALIVE_SCHEDULE_H_
