// group_commit.h: group commit by flat combining. Callers on many threads Submit() one item
// each and block; whichever caller finds no commit in progress takes every waiting item (up to
// max_batch), runs `commit` on them with no lock held and hands each caller its own status. Items
// that arrive while a commit runs wait and go together in the next one, so N concurrent writers
// cost about one store round trip per batch instead of one each (no extra thread).
//
// Gathering: the callers answered by one commit come back at about the same time, just after
// the next commit started; without a pause they would always miss it and the writers would
// split into two alternating half-size batches. So when the last batch held k > 1 items, the
// next one waits up to `gather` for k items to be there. A lone writer (k = 1) never waits.
//
// `commit` runs on one thread at a time, in batch order; it must return one status per item.
// Thread-safety: Submit() may be called from any thread.
#ifndef ROMANA_DAEMON_GROUP_COMMIT_H_
#define ROMANA_DAEMON_GROUP_COMMIT_H_

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "absl/status/status.h"

namespace romana::daemon {

template <typename Item>
class GroupCommit {
 public:
  using CommitFn = std::function<std::vector<absl::Status>(std::vector<Item>& batch)>;

  GroupCommit(size_t max_batch, std::chrono::microseconds gather, CommitFn commit)
      : max_batch_(std::max<size_t>(1, max_batch)), gather_(gather), commit_(std::move(commit)) {}

  absl::Status Submit(Item item) {
    Waiter self{std::move(item)};
    std::unique_lock lock(mu_);
    queue_.push_back(&self);
    if (gathering_) arrivals_.notify_one();
    while (!self.done) {
      if (committing_) {
        cv_.wait(lock);
        continue;
      }
      committing_ = true;
      const size_t want = std::min(last_batch_, max_batch_);
      if (want > 1 && queue_.size() < want) {
        gathering_ = true;
        arrivals_.wait_for(lock, gather_, [&] { return queue_.size() >= want; });
        gathering_ = false;
      }
      std::vector<Waiter*> batch;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
      lock.unlock();
      std::vector<Item> items;
      items.reserve(batch.size());
      for (Waiter* w : batch) items.push_back(std::move(w->item));
      std::vector<absl::Status> statuses = commit_(items);
      lock.lock();
      for (size_t i = 0; i < batch.size(); ++i) {
        batch[i]->status = i < statuses.size() ? statuses[i] : absl::InternalError("group commit lost a status");
        batch[i]->done = true;
      }
      committing_ = false;
      last_batch_ = batch.size();
      ++batches_;
      cv_.notify_all();
    }
    return self.status;
  }

  // Items waiting for a commit (tests use it to know a batch has formed).
  size_t waiting() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }
  uint64_t batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  struct Waiter {
    Item item;
    absl::Status status;
    bool done = false;
  };

  const size_t max_batch_;
  const std::chrono::microseconds gather_;
  const CommitFn commit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;        // a commit finished
  std::condition_variable arrivals_;  // an item arrived while the committer gathers
  std::deque<Waiter*> queue_;         // guarded by mu_; the waiters live on their callers' stacks
  bool committing_ = false;           // guarded by mu_
  bool gathering_ = false;            // guarded by mu_
  size_t last_batch_ = 1;             // guarded by mu_
  uint64_t batches_ = 0;              // guarded by mu_
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_GROUP_COMMIT_H_
