// etcd_watcher.h: EtcdStore's Watcher: one etcd Watch stream served by a background thread
// that reconnects (to the next endpoint) and resumes after the last delivered revision.
// Internal to the store module; see etcd_store.h for the behaviour.
//
// Thread-safety: Next() is called by one thread at a time; the reader thread synchronises
// with it through mu_.
#ifndef ROMANA_STORE_ETCD_WATCHER_H_
#define ROMANA_STORE_ETCD_WATCHER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/etcd_connection.h"
#include "store/store.h"

namespace romana::store {

class EtcdWatcher final : public Watcher {
 public:
  // Starts watching `prefix` from revision `from` (REQUIRES: from > 0). `connection` must
  // outlive the watcher.
  EtcdWatcher(EtcdConnection& connection, std::string prefix, Revision from);
  ~EtcdWatcher() override;
  EtcdWatcher(const EtcdWatcher&) = delete;
  EtcdWatcher& operator=(const EtcdWatcher&) = delete;

  absl::StatusOr<std::vector<Event>> Next(std::chrono::milliseconds timeout) override;

 private:
  enum class StreamEnd { kStopped, kFatal, kBroken };
  void Run();
  // One stream on endpoint `index`; `connected` is set once etcd created the watch.
  StreamEnd RunStream(size_t index, bool& connected);
  void Fail(absl::Status status);

  EtcdConnection& connection_;
  const std::string prefix_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<std::vector<Event>> ready_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> error_ ABSL_GUARDED_BY(mu_);  // sticky, after `ready_` drains
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;
  Revision next_;  // first revision not yet received; only the reader thread touches it
  std::thread thread_;
};

}  // namespace romana::store

#endif  // ROMANA_STORE_ETCD_WATCHER_H_
