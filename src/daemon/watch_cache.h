// watch_cache.h: romanad's watch fan-out and read cache (docs/romanad.md, "Watch cache"), like
// the Kubernetes API server's watch cache.
//
// One store watch per romanad feeds:
//   - the current state of every streamed record (StateIndex: key -> value, revision, indexes),
//     so lists, gets and snapshots are answered at one revision without a store round trip;
//   - a bounded window of the most recent events (at most `window_events` events and
//     `window_bytes` bytes of rendered lines), each rendered once as its NDJSON watch line.
// Every client stream is a Cursor into the window. A cursor never blocks the producer and owns
// no queue: a cursor that falls out of the window (its client reads too slowly) ends with
// OutOfRange ("compacted", detail compact_revision = the oldest revision still available) and
// its client re-lists. Memory is the window plus the state, whatever the number of cursors.
//
// Fan-out cost: a cursor is woken (its wakeup called) only when it asked for more and found
// nothing, and wakeups are coalesced over options.wakeup_interval, so with N streams a burst of
// events costs about N wakeups, not N per event; a round of wakeups is paced in slices
// (options.wakeup_slice) by how fast the woken cursors take their events; cursors read the
// window under the shared lock, so they never wait for each other (only for the producer
// applying a batch).
//
// Revisions (docs/api.md, "Watch stream"): revision() is R when every change <= R is applied to
// the state and in the window. A cursor opened at N gets every event with revision >= N of its
// kinds exactly once, in revision order; N must be >= oldest(), else OutOfRange. Store watches
// deliver whole revisions per batch (every backend does), so a revision is never half applied.
//
// The store watch: started at Create() from the revision of a full load (a paged range read).
// When it fails (Unavailable) it is re-created from revision() + 1 after `retry_backoff`; when
// its own start revision was compacted (the cache was cut off longer than the store keeps
// history) the cache reloads the state at the compaction point C (or the latest revision when C
// is unknown), restarts its window at C and ends with "compacted" every cursor that needed an
// event before C (their clients re-list); cursors from C on continue.
//
// Reads wait for the cache to reach a revision: the largest of the caller's minimum and every
// revision noted with NoteWrite() (romanad notes each of its own commits and each forwarded
// write's answer), so a client reads its own writes through the replica it writes to.
//
// Thread-safety: every method is safe from any thread. A Cursor is used by one thread at a
// time and must be destroyed before the cache. Wakeup functions run on the cache's thread.
#ifndef ROMANA_DAEMON_WATCH_CACHE_H_
#define ROMANA_DAEMON_WATCH_CACHE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "daemon/keys.h"
#include "daemon/state_index.h"
#include "store/store.h"

namespace romana::daemon {

struct WatchCacheOptions {
  std::string prefix = "/romana";
  // The event window: the oldest events are dropped beyond either bound. Defaults: 100,000
  // events, 64 MiB of rendered lines (a pod start writes about 3 events of ~300 bytes).
  size_t window_events = 100000;
  size_t window_bytes = size_t{64} << 20;
  // Pause before re-creating a failed store watch. Default: 200 ms.
  std::chrono::milliseconds retry_backoff{200};
  // How long a read waits for the cache to reach the revision it needs. Default: 5 s.
  std::chrono::milliseconds read_timeout{5000};
  // Keys per page of the full load. Default: 1000.
  int64_t load_page = 1000;
  // Wakeups are coalesced: after a round of wakeups the next round waits, so a burst of events
  // wakes each waiting cursor once (its client then takes the whole burst in one write) instead
  // of once per event. The wait grows with the round: a round that wakes wakeup_full_round
  // cursors or more waits the whole wakeup_interval, a smaller one proportionally less (one
  // stream: 50 us). Few watchers then see each change at once, thousands are woken at most
  // about every interval, and the wakeups per second stay bounded either way. An event after a
  // quiet spell wakes at once. wakeup_interval 0 = wake on every applied batch.
  // Defaults: 50 ms, 1,000 cursors.
  std::chrono::milliseconds wakeup_interval{50};
  size_t wakeup_full_round = 1000;
  // A round wakes cursors in slices of this many: the next slice waits until at least half of
  // the last one took its events (or 20 ms passed), so the server's threads never hold more
  // than about a slice of streams' work in their queue and requests (allocations) do not wait
  // behind a whole fan-out. Default: 64.
  size_t wakeup_slice = 64;
};

// One change as streamed: rendered once, shared by every cursor. Immutable.
struct CachedEvent {
  store::Revision revision = 0;
  int kind = 0;  // index into api::AllWatchKinds()
  std::string key;
  bool deleted = false;
  std::string line;  // the NDJSON line of GET /watch, ending in '\n'
};

// Bit i = api::AllWatchKinds()[i]. kAllKinds = every kind.
using KindMask = uint32_t;
inline constexpr KindMask kAllKinds = 0xffffffffu;
// The mask of plural kind names; InvalidArgument (field "kinds") naming an unknown one.
absl::StatusOr<KindMask> KindMaskOf(const std::vector<std::string>& plurals);

class WatchCache {
 public:
  class Cursor;

  // Loads the state under options.prefix and starts the store watch. `store` must outlive the
  // cache. Errors: those of the store's Range/Watch (the cache is not created).
  static absl::StatusOr<std::unique_ptr<WatchCache>> Create(store::Store& store, WatchCacheOptions options);
  // Stops the watch thread. REQUIRES: every Cursor was destroyed.
  ~WatchCache();
  WatchCache(const WatchCache&) = delete;
  WatchCache& operator=(const WatchCache&) = delete;

  // Every change <= revision() has been applied.
  store::Revision revision() const;
  // The smallest revision a cursor can start from.
  store::Revision oldest() const;

  // A cursor that delivers every event with revision >= `from` whose kind is in `kinds`
  // (`from` = 0: from revision() + 1). OutOfRange (api::ErrorCodeOf "compacted", detail
  // "compact_revision" = oldest()) when from < oldest(); Unavailable after Stop().
  absl::StatusOr<std::unique_ptr<Cursor>> Watch(store::Revision from, KindMask kinds);

  // Waits until revision() >= max(min_revision, every noted write), then calls `read` on the
  // state under the cache's (shared) lock and returns the revision the state was at. Keep
  // `read` short: collect the shared values, render after. Unavailable (code "unavailable")
  // when the cache does not get there within read_timeout; `read`'s own error otherwise.
  absl::StatusOr<store::Revision> Read(store::Revision min_revision,
                                       const std::function<absl::Status(const StateIndex&)>& read);

  // Reads must include `revision` from now on (a write this replica made or relayed).
  void NoteWrite(store::Revision revision);
  // The largest revision noted so far.
  store::Revision noted_write() const;

  // Ends every cursor (Unavailable) and stops the store watch. Idempotent.
  void Stop();

  // Number of open cursors (for metrics).
  size_t cursor_count() const;

  // For metrics: what the cache holds now.
  struct Stats {
    store::Revision revision = 0;
    store::Revision oldest = 0;
    size_t window_events = 0;
    size_t window_bytes = 0;
    size_t records = 0;
    size_t cursors = 0;
  };
  Stats stats() const;

 private:
  explicit WatchCache(store::Store& store, WatchCacheOptions options);
  // Loads the state at `at` (0 = latest) and empties the window.
  absl::Status Load(store::Revision at);
  void ReloadAfterCompaction(store::Revision compact_revision);
  void Run();
  void Apply(const std::vector<store::Event>& events);
  // Calls the wakeup of up to `max` cursors marked due. Caller holds wakeup_mu_, not mu_.
  void WakeDue(size_t max) ABSL_EXCLUSIVE_LOCKS_REQUIRED(wakeup_mu_) ABSL_LOCKS_EXCLUDED(mu_);
  // The wakeup round: starts when cursors are due and the last round started at least
  // wakeup_interval ago; wakes the next slice when the last one is (mostly) done. The producer
  // thread only.
  void MaybeWake();
  // How long the producer may wait for the store before MaybeWake() needs it again.
  std::chrono::milliseconds WakeWait();
  // Takes an armed cursor off armed_list_ (O(1): the last one takes its place).
  void RemoveArmed(Cursor* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(armed_mu_);
  // Disarms every cursor. Caller holds mu_ exclusively.
  void DisarmAll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends every cursor with `status` and wakes them. Caller holds wakeup_mu_, not mu_.
  void EndCursors(const absl::Status& status) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status CompactedError(store::Revision asked) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool SleepUnlessStopping(std::chrono::milliseconds d);

  store::Store& store_;
  const WatchCacheOptions options_;
  const Keys keys_;

  // Lock order: wakeup_mu_ before mu_. The producer holds wakeup_mu_ while it applies a batch
  // and calls wakeups, so a cursor's destructor (which takes it) never races a wakeup.
  absl::Mutex wakeup_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_ ABSL_ACQUIRED_BEFORE(armed_mu_);
  // Cursors whose last Next() returned nothing. Cursors add themselves under the shared mu_ (so
  // this has a lock of its own); the producer looks only at these when it applies a batch, not
  // at every open cursor (with thousands of streams that scan held mu_ for every batch).
  absl::Mutex armed_mu_;
  std::vector<Cursor*> armed_list_ ABSL_GUARDED_BY(armed_mu_);
  StateIndex state_ ABSL_GUARDED_BY(mu_);
  store::Revision revision_ ABSL_GUARDED_BY(mu_) = 0;
  store::Revision oldest_ ABSL_GUARDED_BY(mu_) = 1;
  std::deque<std::shared_ptr<const CachedEvent>> window_ ABSL_GUARDED_BY(mu_);
  uint64_t first_seq_ ABSL_GUARDED_BY(mu_) = 0;  // sequence number of window_.front()
  size_t window_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<Cursor*> cursors_ ABSL_GUARDED_BY(mu_);
  // Lock-free: the request path notes every commit and must not wait for the cache's lock.
  std::atomic<store::Revision> noted_write_{0};
  store::Revision loaded_through_ ABSL_GUARDED_BY(mu_) = 0;  // events <= this are in state_ already
  store::Revision watch_from_ ABSL_GUARDED_BY(mu_) = 1;      // where a new store watch starts
  // Every event <= this is in the window or was before it (revision_, except right after a load
  // at a compaction point C, until C's events are replayed): what bookmarks may claim.
  store::Revision windowed_through_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Cursors marked due (armed, with events for them) wait for the next wakeup round.
  std::vector<Cursor*> due_list_ ABSL_GUARDED_BY(mu_);
  bool wake_pending_ ABSL_GUARDED_BY(mu_) = false;  // !due_list_.empty()
  // Woken cursors that have not called Next() since (see wakeup_slice).
  std::atomic<int64_t> unfinished_{0};
  // The producer thread's: a round is in progress; when the last slice was woken; the earliest
  // start of the next round.
  bool round_ = false;
  std::chrono::steady_clock::time_point slice_woken_;
  std::chrono::steady_clock::time_point next_wakeup_;
  std::unique_ptr<store::Watcher> watcher_;  // the producer thread's
  std::thread thread_;
};

// A client's position in the window. Not thread-safe: one thread at a time (the wakeup may run
// on the cache's thread concurrently; it must only schedule work, e.g. post to an event loop).
class WatchCache::Cursor {
 public:
  // Unregisters; once it returns, the wakeup is not running and never runs again.
  // REQUIRES: not called from within the wakeup.
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  struct Batch {
    std::vector<std::shared_ptr<const CachedEvent>> events;  // in revision order
    // True when nothing more is available now; then every change <= progress has been returned
    // or did not match the kinds (a BOOKMARK at progress is truthful).
    bool caught_up = false;
    store::Revision progress = 0;
  };

  // Never blocks: up to `max` events available now (none = would block; see SetWakeup), and
  // no more once their lines hold `max_bytes` (at least one event is returned when available).
  // OutOfRange ("compacted", detail compact_revision) when the cursor fell out of the window or
  // the cache reloaded; Unavailable when the cache stopped. After an error every call returns it.
  absl::StatusOr<Batch> Next(size_t max, size_t max_bytes = SIZE_MAX);

  // `wakeup` is called (on the cache's thread, no cache lock held, must not block or destroy
  // this cursor) after Next() returned no events, once events of the cursor's kinds (within
  // the cache's wakeup_interval: coalesced) or an error are available. For an event-driven
  // server: post a "write more" to the connection.
  void SetWakeup(std::function<void()> wakeup);

  // The first revision this cursor delivers (the stream's opening BOOKMARK is from() - 1).
  store::Revision from() const { return from_; }

 private:
  friend class WatchCache;
  Cursor(WatchCache& cache, store::Revision from, KindMask kinds) : cache_(cache), from_(from), kinds_(kinds) {}

  WatchCache& cache_;
  const store::Revision from_;
  const KindMask kinds_;
  // Guarded by cache_.mu_: written by the cache under the exclusive lock, and by Next() (the
  // cursor's one user at a time) under the shared lock, which excludes the cache's writers.
  uint64_t next_seq_ = 0;  // next window sequence number to look at
  bool armed_ = false;     // the last Next() returned nothing: wake when events come
  size_t armed_at_ = 0;    // while armed_: the index in cache_.armed_list_ (guarded by cache_.armed_mu_)
  bool due_ = false;       // armed and events came: woken in the next wakeup round
  bool woken_ = false;     // counted in cache_.unfinished_ until Next()
  absl::Status error_;
  std::function<void()> wakeup_ ABSL_GUARDED_BY(cache_.wakeup_mu_);
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_WATCH_CACHE_H_
