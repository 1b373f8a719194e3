// backoff.h: exponential backoff with full jitter, as pure arithmetic, and the injected sleep and
// random sources that retry loops (the HTTP client's, the EC2 client's) use. Thread-safe (no state).
#ifndef ROMANA_HTTP_BACKOFF_H_
#define ROMANA_HTTP_BACKOFF_H_

#include <algorithm>
#include <chrono>
#include <functional>

namespace romana::http {

struct BackoffPolicy {
  int max_attempts = 5;                               // Total tries, >= 1.
  std::chrono::milliseconds base_delay{100};          // Cap for the first retry's delay.
  std::chrono::milliseconds max_delay{10000};         // Cap for any delay.
};

// Delay before retry number `retry` (1 = first retry): uniform in [0, min(max, base*2^(retry-1))],
// scaled by `unit_random` in [0,1). Full jitter (AWS architecture blog, "Exponential Backoff
// And Jitter").
inline std::chrono::milliseconds BackoffDelay(const BackoffPolicy& p, int retry, double unit_random) {
  const int shift = std::clamp(retry - 1, 0, 30);
  const double cap = std::min<double>(static_cast<double>(p.max_delay.count()),
                                      static_cast<double>(p.base_delay.count()) * double(1u << shift));
  return std::chrono::milliseconds(static_cast<long long>(cap * std::clamp(unit_random, 0.0, 1.0)));
}

// How retries wait. The real one sleeps; tests record the delays instead.
using SleepFunction = std::function<void(std::chrono::milliseconds)>;
// Source of uniform numbers in [0,1) for jitter; tests pass a constant.
using RandomFunction = std::function<double()>;

}  // namespace romana::http

#endif  // ROMANA_HTTP_BACKOFF_H_
