// slice_pacer.h: when the watch cache wakes the next slice of a wakeup round, and how many
// cursors it wakes (docs/romanad.md, "Fan-out"). Pure logic: the caller passes the time, the
// number of woken cursors that have not yet taken their events, and whether an API request is
// waiting or being handled.
//
// Slice pacing exists only to keep API requests from queueing behind a whole fan-out, so:
//   - while a request is in flight, a slice is `slice` cursors, and the next one waits until at
//     most half a slice of woken cursors is unfinished, or `timeout` passed since the last
//     slice (then the unfinished ones are forgotten: a client that does not read is not waited
//     for again);
//   - while none is, the next slice is woken at once, without waiting for the last one, and is
//     twice its size (slice, 2 slice, 4 slice, ...), so a round of thousands of streams is out
//     in a few producer turns; the first request in flight brings the slice back to `slice`.
//
// Thread-safety: none (the watch cache's producer thread owns it).
#ifndef ROMANA_DAEMON_SLICE_PACER_H_
#define ROMANA_DAEMON_SLICE_PACER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace romana::daemon {

class SlicePacer {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: slice >= 1.
  SlicePacer(size_t slice, Clock::duration timeout) : slice_(slice), timeout_(timeout) {}

  struct Step {
    size_t wake = 0;                 // cursors to wake now (0: wait)
    bool forget_unfinished = false;  // stop counting the unfinished ones (the timeout passed)
  };

  // A round starts at `now`: its first slice.
  Step Start(Clock::time_point now);
  // A round goes on: the next slice, or none yet. Call again when `unfinished` fell or time
  // passed; a step that wakes cursors counts as the slice woken at `now`.
  Step Next(Clock::time_point now, int64_t unfinished, bool requests_in_flight);

 private:
  Step Woken(Clock::time_point now, size_t n, bool forget);

  const size_t slice_;
  const Clock::duration timeout_;
  size_t last_ = 0;  // the size of the last slice woken
  Clock::time_point last_at_;
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_SLICE_PACER_H_
