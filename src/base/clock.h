// clock.h: the only source of time in library code.
//
// Library code takes a `Clock&` so tests can drive time with FakeClock instead of sleeping.
// SystemClock is stateless and thread-safe; FakeClock is thread-safe.
#ifndef ROMANA_BASE_CLOCK_H_
#define ROMANA_BASE_CLOCK_H_

#include <chrono>
#include <mutex>
#include <thread>

namespace romana::base {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for timeouts and intervals.
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  // Wall-clock time, for logs and API timestamps.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  // Blocks the calling thread for `d` (retry backoff between attempts). A FakeClock does not
  // block: it moves its time forward by `d`, so retry loops run at once in tests.
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point WallNow() const override { return std::chrono::system_clock::now(); }
  void SleepFor(std::chrono::nanoseconds d) override { std::this_thread::sleep_for(d); }
};

// A clock that only moves when told to. Starts at an arbitrary fixed point.
class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    std::lock_guard lock(mu_);
    return std::chrono::steady_clock::time_point(offset_);
  }
  std::chrono::system_clock::time_point WallNow() const override {
    std::lock_guard lock(mu_);
    return std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)) +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(offset_);
  }
  void SleepFor(std::chrono::nanoseconds d) override { Advance(d); }
  void Advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    offset_ += d;
  }

 private:
  mutable std::mutex mu_;
  std::chrono::nanoseconds offset_{std::chrono::hours(1)};
};

}  // namespace romana::base

#endif  // ROMANA_BASE_CLOCK_H_
