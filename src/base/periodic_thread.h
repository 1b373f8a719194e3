// periodic_thread.h: a thread that calls one function over and over, a pause apart, until it is
// stopped: the main loop of the binaries whose work is a Tick() (romana-vpcrouter, romana-aws).
// Thread-safe: Stop() may be called from any thread.
//
// The pause is a condition-variable wait on the real steady clock, so Stop() interrupts it at
// once; it only paces the calls: what a tick does with time comes from its own base::Clock.
#ifndef ROMANA_BASE_PERIODIC_THREAD_H_
#define ROMANA_BASE_PERIODIC_THREAD_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace romana::base {

class PeriodicThread {
 public:
  // Starts the thread: tick(), pause, tick(), ... `tick` runs only on that thread.
  PeriodicThread(std::function<void()> tick, std::chrono::milliseconds pause);
  // Stop().
  ~PeriodicThread();
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  // Ends the loop after the tick in progress (if any) and joins the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  const std::function<void()> tick_;
  const std::chrono::milliseconds pause_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace romana::base

#endif  // ROMANA_BASE_PERIODIC_THREAD_H_
