// watch_pump.h: feeds romanad's open watch streams on one thread, so an open watch holds no
// thread of its own. The pump waits for any change under the watched prefix (or a short tick,
// for bookmarks), then lets every feed move what is ready to its client without blocking.
// Interim: each feed still has its own store watcher; the watch fan-out cache (issue 11) will
// replace that source.
//
// Thread-safety: Add and Stop from any thread; feeds are polled and destroyed on the pump's
// thread only.
#ifndef ROMANA_DAEMON_WATCH_PUMP_H_
#define ROMANA_DAEMON_WATCH_PUMP_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace romana::daemon {

class WatchFeed {
 public:
  virtual ~WatchFeed() = default;
  // Moves what is ready to the client; never blocks. Returns false when the feed is done (the
  // client left, the stream ended or failed): the pump then destroys it.
  virtual bool Poll() = 0;
};

class WatchPump {
 public:
  // How long the pump waits for a change before polling anyway (bookmarks are due, a backend
  // whose watchers see a change slightly apart).
  static constexpr std::chrono::milliseconds kTick{50};

  // `store` must outlive the pump; the pump wakes on changes under `prefix`.
  WatchPump(store::Store& store, std::string prefix) : store_(store), prefix_(std::move(prefix)) {}
  ~WatchPump() { Stop(); }
  WatchPump(const WatchPump&) = delete;
  WatchPump& operator=(const WatchPump&) = delete;

  // Starts polling `feed` (the pump thread starts with the first feed). After Stop the feed is
  // destroyed at once.
  void Add(std::unique_ptr<WatchFeed> feed);
  // Joins the pump thread and destroys every feed. Idempotent.
  void Stop();

 private:
  void Loop();

  store::Store& store_;
  const std::string prefix_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<WatchFeed>> incoming_;  // guarded by mu_
  bool stopping_ = false;                             // guarded by mu_
  std::thread thread_;                                // started under mu_
  std::vector<std::unique_ptr<WatchFeed>> feeds_;     // pump thread only
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_WATCH_PUMP_H_
