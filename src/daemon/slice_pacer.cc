#include "daemon/slice_pacer.h"

#include <algorithm>
#include <limits>

namespace romana::daemon {

SlicePacer::Step SlicePacer::Start(Clock::time_point now) {
  // A plain slice whatever the load: a request may arrive in the next instant.
  return Woken(now, slice_, false);
}

SlicePacer::Step SlicePacer::Next(Clock::time_point now, int64_t unfinished, bool requests_in_flight) {
  if (!requests_in_flight) {
    // Nothing to protect: grow, and do not wait for the last slice.
    const size_t doubled = last_ > std::numeric_limits<size_t>::max() / 2 ? last_ : last_ * 2;
    return Woken(now, std::max(slice_, doubled), false);
  }
  if (unfinished <= static_cast<int64_t>(slice_ / 2)) return Woken(now, slice_, false);
  if (now < last_at_ + timeout_) return {};  // the last slice is still taking its events
  return Woken(now, slice_, true);
}

SlicePacer::Step SlicePacer::Woken(Clock::time_point now, size_t n, bool forget) {
  last_ = n;
  last_at_ = now;
  return {n, forget};
}

}  // namespace romana::daemon
