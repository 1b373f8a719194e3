// WatchCache on real stores: MemoryStore for the window, cursor and read behaviour, one real
// etcd for the whole path.
#include "daemon/watch_cache.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "base/clock.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "store/etcd_store.h"
#include "store/forwarding_store.h"
#include "store/memory_store.h"
#include "store/testing/etcd_cluster.h"

namespace romana::daemon {
namespace {

using romana::testing::WaitUntil;
using Batch = WatchCache::Cursor::Batch;

// Next(), but when nothing is available waits up to `timeout` for the cursor's wakeup (as an
// event-driven server waits) and asks again.
absl::StatusOr<Batch> NextOrWait(WatchCache::Cursor& c, size_t max, std::chrono::milliseconds timeout) {
  struct Woken {
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
  };
  auto w = std::make_shared<Woken>();
  c.SetWakeup([w] {
    std::lock_guard l(w->mu);
    w->woken = true;
    w->cv.notify_all();
  });
  absl::StatusOr<Batch> b = c.Next(max);  // arms the wakeup when it returns nothing
  if (!b.ok() || !b->events.empty()) return b;
  std::unique_lock l(w->mu);
  w->cv.wait_for(l, timeout, [&] { return w->woken; });
  l.unlock();
  return c.Next(max);
}

// Every event a cursor delivers until it has seen `until`.
std::vector<std::shared_ptr<const CachedEvent>> Drain(WatchCache::Cursor& c, store::Revision until) {
  std::vector<std::shared_ptr<const CachedEvent>> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<Batch> b = NextOrWait(c, 64, std::chrono::milliseconds(200));
    EXPECT_TRUE(b.ok()) << b.status();
    if (!b.ok()) break;
    out.insert(out.end(), b->events.begin(), b->events.end());
    if (b->caught_up && b->progress >= until) break;
  }
  return out;
}

std::vector<std::string> Lines(const std::vector<std::shared_ptr<const CachedEvent>>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e->line);
  return out;
}

std::vector<std::string> ListTexts(WatchCache& cache, const std::string& plural, store::Revision* at = nullptr,
                                   const std::string& field = "", const std::string& value = "") {
  std::vector<std::string> out;
  absl::StatusOr<store::Revision> r = cache.Read(0, [&](const StateIndex& s) -> absl::Status {
    absl::StatusOr<std::vector<StateIndex::Value>> v = s.List(plural, field, value);
    if (!v.ok()) return v.status();
    for (const auto& x : *v) out.push_back(*x);
    return absl::OkStatus();
  });
  EXPECT_TRUE(r.ok()) << r.status();
  if (at != nullptr && r.ok()) *at = *r;
  return out;
}

class WatchCacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<WatchCache> Cache(WatchCacheOptions o = {}) {
    auto c = WatchCache::Create(*store_, std::move(o));
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *std::move(c) : nullptr;
  }
  store::Revision Put(const std::string& key, const nlohmann::json& j) { return *store_->Put(key, j.dump()); }
  store::Revision Delete(const std::string& key) {
    return store_->Commit({{}, {store::Op::Delete(key)}, {}})->revision;
  }

  base::SystemClock clock_;
  std::unique_ptr<store::MemoryStore> store_ = store::MemoryStore::Create(clock_);
};

TEST_F(WatchCacheTest, LoadsTheStateThenFollowsTheStore) {
  Put("/romana/hosts/a", {{"name", "a"}});
  Put("/romana/leader", "x");  // not streamed
  auto cache = Cache({.load_page = 2});  // several pages
  for (int i = 0; i < 5; ++i) Put(absl::StrCat("/romana/policies/p", i), {{"id", i}});
  const store::Revision last = Put("/romana/hosts/b", {{"name", "b"}});
  ASSERT_TRUE(WaitUntil([&] { return cache->revision() >= last; }));
  store::Revision at = 0;
  EXPECT_EQ(ListTexts(*cache, "hosts", &at), (std::vector<std::string>{R"({"name":"a"})", R"({"name":"b"})"}));
  EXPECT_EQ(at, last);
  EXPECT_EQ(ListTexts(*cache, "policies").size(), 5u);
}

TEST_F(WatchCacheTest, ReadsWaitForNotedWrites) {
  auto cache = Cache();
  // A write this replica made: a read right after it must include it, without polling.
  const store::Revision w = Put("/romana/namespaces/n", {{"name", "n"}});
  cache->NoteWrite(w);
  EXPECT_EQ(ListTexts(*cache, "namespaces"), std::vector<std::string>{R"({"name":"n"})"});
  // A revision the store will never reach within the timeout: Unavailable.
  auto quick = Cache({.read_timeout = std::chrono::milliseconds(50)});
  quick->NoteWrite(w + 100);
  absl::StatusOr<store::Revision> r = quick->Read(0, [](const StateIndex&) { return absl::OkStatus(); });
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
}

TEST_F(WatchCacheTest, CursorDeliversEveryEventFromItsRevisionInOrderWithKindsAndPrevObject) {
  auto cache = Cache();
  const store::Revision first = Put("/romana/hosts/a", {{"name", "a"}});
  Put("/romana/policies/p", {{"id", "p"}});
  ASSERT_TRUE(store_
                  ->Commit({{},
                            {store::Op::Put("/romana/hosts/b", R"({"name":"b"})"),
                             store::Op::Put("/romana/blocks/x", "{}"), store::Op::Put("/romana/ipam/revision", "1")},
                            {}})
                  .ok());
  const store::Revision last = Delete("/romana/hosts/a");
  ASSERT_TRUE(WaitUntil([&] { return cache->revision() >= last; }));

  auto hosts = *cache->Watch(first, *KindMaskOf({"hosts"}));
  EXPECT_EQ(hosts->from(), first);
  std::vector<std::string> got = Lines(Drain(*hosts, last));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(got[0]),
            (nlohmann::json{{"type", "PUT"}, {"kind", "host"}, {"key", "/romana/hosts/a"}, {"revision", first},
                            {"object", {{"name", "a"}}}}));
  EXPECT_EQ(nlohmann::json::parse(got[1])["key"], "/romana/hosts/b");
  EXPECT_EQ(nlohmann::json::parse(got[2]),
            (nlohmann::json{{"type", "DELETE"}, {"kind", "host"}, {"key", "/romana/hosts/a"}, {"revision", last},
                            {"prev_object", {{"name", "a"}}}}));
  // Every kind, from the middle: the ipam/revision key is never streamed.
  auto all = *cache->Watch(first + 1, kAllKinds);
  got = Lines(Drain(*all, last));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(got[0])["kind"], "policy");
  // A cursor from now sees only later events and reports progress for bookmarks.
  auto now = *cache->Watch(0, kAllKinds);
  EXPECT_EQ(now->from(), last + 1);
  absl::StatusOr<Batch> b = now->Next(10);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->events.empty());
  EXPECT_TRUE(b->caught_up);
  EXPECT_EQ(b->progress, last);
}

// A stream takes its events in bounded pieces (what bounds romanad's memory per stream).
TEST_F(WatchCacheTest, NextStopsAtMaxBytesButReturnsAtLeastOneEvent) {
  auto cache = Cache();
  auto cursor = *cache->Watch(0, kAllKinds);
  store::Revision last = 0;
  for (int i = 0; i < 10; ++i) last = Put(absl::StrCat("/romana/hosts/h", i), {{"name", absl::StrCat("h", i)}});
  ASSERT_TRUE(WaitUntil([&] { return cache->revision() >= last; }));
  absl::StatusOr<Batch> one = cursor->Next(100, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->events.size(), 1u);
  const size_t line = one->events[0]->line.size();
  absl::StatusOr<Batch> some = cursor->Next(100, 3 * line);
  ASSERT_TRUE(some.ok()) << some.status();
  EXPECT_EQ(some->events.size(), 3u);
  EXPECT_FALSE(some->caught_up);
  absl::StatusOr<Batch> rest = cursor->Next(100);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->events.size(), 6u);
  EXPECT_TRUE(rest->caught_up);
}

TEST_F(WatchCacheTest, WindowOverflowEndsTheSlowCursorWithCompactedAndNeverDelaysTheFastOne) {
  auto cache = Cache({.window_events = 10});
  const store::Revision start = cache->revision() + 1;
  auto slow = *cache->Watch(start, kAllKinds);  // never reads
  auto fast = *cache->Watch(start, kAllKinds);
  std::atomic<store::Revision> last{0};
  std::vector<std::shared_ptr<const CachedEvent>> fast_got;
  std::thread reader([&] {
    while (true) {
      absl::StatusOr<Batch> b = NextOrWait(*fast, 4, std::chrono::milliseconds(100));
      ASSERT_TRUE(b.ok()) << b.status();
      fast_got.insert(fast_got.end(), b->events.begin(), b->events.end());
      if (last != 0 && b->caught_up && b->progress >= last) return;
    }
  });
  store::Revision r = 0;
  for (int i = 0; i < 100; ++i) {
    r = Put(absl::StrCat("/romana/endpoints/ns/e", i), {{"i", i}});
    // Keep the fast reader inside the window: it must never be more than 10 events behind.
    ASSERT_TRUE(WaitUntil([&] { return cache->revision() >= r; }));
    if (i % 5 == 4) {
      ASSERT_TRUE(WaitUntil([&] { return fast_got.size() >= static_cast<size_t>(i + 1); }));
    }
  }
  last = r;
  reader.join();
  ASSERT_EQ(fast_got.size(), 100u);
  for (size_t i = 0; i < fast_got.size(); ++i) EXPECT_EQ(fast_got[i]->revision, start + static_cast<int64_t>(i));

  absl::StatusOr<Batch> s = slow->Next(100);
  ASSERT_TRUE(store::IsCompacted(s.status())) << s.status();
  EXPECT_EQ(api::ErrorCodeOf(s.status()), "compacted");
  EXPECT_EQ(api::DetailOf(s.status(), "compact_revision"), absl::StrCat(cache->oldest()));
  EXPECT_EQ(cache->oldest(), r - 9);  // the last 10 revisions are kept
  // Opening before the window is compacted too; at its start works.
  EXPECT_TRUE(store::IsCompacted(cache->Watch(start, kAllKinds).status()));
  auto at_oldest = *cache->Watch(cache->oldest(), kAllKinds);
  EXPECT_EQ(Drain(*at_oldest, r).size(), 10u);
}

// The producer looks only at armed cursors (those whose last Next() found nothing): a cursor is
// woken by events of its kinds only, stays armed through others, and once destroyed is never
// woken while the cursors around it in the armed list still are.
TEST_F(WatchCacheTest, ArmedCursorsAreWokenByTheirKindsOnlyAndDestroyedOnesNever) {
  auto cache = Cache({.wakeup_interval = std::chrono::milliseconds(0)});
  constexpr int kCursors = 6;  // 0-4 watch addresses, 5 hosts
  std::vector<std::unique_ptr<WatchCache::Cursor>> cursors;
  std::vector<std::atomic<int>> woken(kCursors);
  for (int i = 0; i < kCursors; ++i) {
    cursors.push_back(*cache->Watch(0, *KindMaskOf({i < 5 ? "addresses" : "hosts"})));
    cursors.back()->SetWakeup([&woken, i] { ++woken[i]; });
    absl::StatusOr<Batch> b = cursors.back()->Next(16);  // nothing yet: arms
    ASSERT_TRUE(b.ok() && b->events.empty());
  }
  cursors[1].reset();  // from the middle of the armed list
  Put("/romana/hosts/h", {{"name", "h"}});
  ASSERT_TRUE(WaitUntil([&] { return woken[5] == 1; }));
  const store::Revision a = Put("/romana/addresses/x", {{"name", "x"}});
  for (int i : {0, 2, 3, 4}) EXPECT_TRUE(WaitUntil([&] { return woken[i] == 1; })) << "cursor " << i;
  ASSERT_TRUE(WaitUntil([&] { return cache->revision() >= a; }));
  EXPECT_EQ(woken[5], 1);  // the address woke no hosts cursor
  for (int i : {0, 2, 3, 4}) {
    absl::StatusOr<Batch> b = cursors[i]->Next(16);
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_EQ(b->events.size(), 1u) << "cursor " << i;
    EXPECT_EQ(b->events[0]->key, "/romana/addresses/x");
  }
  // Destroyed while armed (cursor 5 is armed again after reading its event): the list stays
  // whole and the others are still woken.
  ASSERT_TRUE(cursors[5]->Next(16).ok());
  ASSERT_TRUE(cursors[5]->Next(16).ok());
  cursors[5].reset();
  for (int i : {0, 2, 3, 4}) ASSERT_TRUE(cursors[i]->Next(16).ok());  // caught up: armed again
  cursors[0].reset();
  Put("/romana/addresses/y", {{"name", "y"}});
  for (int i : {2, 3, 4}) EXPECT_TRUE(WaitUntil([&] { return woken[i] == 2; })) << "cursor " << i;
}

// The wait between wakeup rounds grows with the round: a lone stream is woken for change after
// change (an interval of a minute scaled to a round of one in a thousand is 60 ms), while a
// full round waits the whole interval.
TEST_F(WatchCacheTest, SmallRoundsAreWokenAtOnceAndFullRoundsWaitTheInterval) {
  for (const size_t full_round : {size_t{1000}, size_t{1}}) {
    SCOPED_TRACE(full_round);
    auto cache = Cache({.wakeup_interval = std::chrono::minutes(1), .wakeup_full_round = full_round});
    auto cursor = *cache->Watch(0, *KindMaskOf({"hosts"}));
    std::atomic<int> woken{0};
    cursor->SetWakeup([&woken] { ++woken; });
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(cursor->Next(16).ok());  // takes what there is, then arms
      ASSERT_TRUE(cursor->Next(16).ok());
      const store::Revision r = Put(absl::StrCat("/romana/hosts/h", i), {{"name", absl::StrCat("h", i)}});
      ASSERT_TRUE(WaitUntil([&] { return cache->revision() >= r; }));
      if (full_round == 1 && i > 0) {
        // The first round (after a quiet spell) woke at once; this one waits a minute.
        EXPECT_FALSE(WaitUntil([&] { return woken == i + 1; }, std::chrono::milliseconds(300)));
        break;
      }
      ASSERT_TRUE(WaitUntil([&] { return woken == i + 1; })) << "change " << i;
    }
  }
}

TEST_F(WatchCacheTest, AThousandCursorsWokenByCallbacksReceiveEveryEvent) {
  auto cache = Cache();
  constexpr int kCursors = 1000;
  constexpr int kEvents = 200;
  const store::Revision start = cache->revision() + 1;
  // An event-driven server in miniature: wakeups only queue the cursor; two workers drain.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<int> ready;
  bool done = false;
  std::vector<std::unique_ptr<WatchCache::Cursor>> cursors;
  std::vector<std::vector<store::Revision>> got(kCursors);
  std::vector<store::Revision> progress(kCursors, 0);
  for (int i = 0; i < kCursors; ++i) {
    cursors.push_back(*cache->Watch(start, i % 2 == 0 ? kAllKinds : *KindMaskOf({"addresses"})));
    cursors.back()->SetWakeup([&, i] {
      std::lock_guard l(mu);
      ready.push_back(i);
      cv.notify_one();
    });
    std::lock_guard l(mu);
    ready.push_back(i);  // first read, which arms the wakeup
  }
  auto worker = [&] {
    while (true) {
      int i;
      {
        std::unique_lock l(mu);
        cv.wait(l, [&] { return done || !ready.empty(); });
        if (ready.empty()) return;
        i = ready.front();
        ready.pop_front();
      }
      while (true) {  // one worker per cursor at a time: a cursor is queued only when armed
        absl::StatusOr<Batch> b = cursors[i]->Next(16);
        ASSERT_TRUE(b.ok()) << b.status();
        for (const auto& e : b->events) got[i].push_back(e->revision);
        if (b->caught_up) {
          progress[i] = b->progress;
          if (b->events.empty()) break;
        }
      }
    }
  };
  std::thread w1(worker), w2(worker);
  store::Revision last = 0;
  for (int k = 0; k < kEvents; ++k) {
    last = Put(absl::StrCat(k % 2 == 0 ? "/romana/addresses/a" : "/romana/policies/p", k % 7), {{"k", k}});
  }
  const bool all_delivered = WaitUntil(
      [&] {
        std::lock_guard l(mu);
        for (int i = 0; i < kCursors; ++i) {
          if (got[i].size() != static_cast<size_t>(i % 2 == 0 ? kEvents : kEvents / 2)) return false;
        }
        return true;
      },
      std::chrono::seconds(60));
  {
    std::lock_guard l(mu);
    done = true;
    cv.notify_all();
  }
  w1.join();
  w2.join();
  ASSERT_TRUE(all_delivered);
  for (int i = 0; i < kCursors; ++i) {
    for (size_t k = 0; k < got[i].size(); ++k) {
      ASSERT_EQ(got[i][k], start + static_cast<int64_t>(i % 2 == 0 ? k : 2 * k)) << "cursor " << i;
    }
  }
  EXPECT_EQ(cache->cursor_count(), static_cast<size_t>(kCursors));
  cursors.clear();
  EXPECT_EQ(cache->cursor_count(), 0u);
  (void)last;
}

// A store whose watches can be broken on demand (Unavailable, as etcd's after its retry window)
// and whose re-watch can be held back: lets the test compact history while the cache is cut off.
class BreakableStore final : public store::ForwardingStore {
 public:
  explicit BreakableStore(store::Store& s) : store::ForwardingStore(s) {}
  absl::StatusOr<std::unique_ptr<store::Watcher>> Watch(const std::string& p, store::Revision from) override {
    std::unique_lock l(mu_);
    ++waiting_;
    cv_.wait(l, [&] { return !hold_; });
    --waiting_;
    ++watches_;
    absl::StatusOr<std::unique_ptr<store::Watcher>> w = inner().Watch(p, from);
    if (!w.ok()) return w;
    return std::unique_ptr<store::Watcher>(new Breakable(*this, *std::move(w)));
  }
  void Break(bool hold) {
    std::lock_guard l(mu_);
    broken_ = true;
    hold_ = hold;
  }
  void Release() {
    std::lock_guard l(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  int watches() {
    std::lock_guard l(mu_);
    return watches_;
  }
  // True while a Watch() call is held back (the cache noticed the break and is cut off).
  bool cut_off() {
    std::lock_guard l(mu_);
    return waiting_ > 0;
  }

 private:
  class Breakable final : public store::Watcher {
   public:
    Breakable(BreakableStore& s, std::unique_ptr<store::Watcher> w) : s_(s), w_(std::move(w)) {}
    absl::StatusOr<std::vector<store::Event>> Next(std::chrono::milliseconds timeout) override {
      {
        std::lock_guard l(s_.mu_);
        if (s_.broken_) {
          s_.broken_ = false;
          return absl::UnavailableError("broken on purpose");
        }
      }
      return w_->Next(std::min(timeout, std::chrono::milliseconds(20)));
    }

   private:
    BreakableStore& s_;
    std::unique_ptr<store::Watcher> w_;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  bool broken_ = false;
  bool hold_ = false;
  int watches_ = 0;
  int waiting_ = 0;
};

TEST_F(WatchCacheTest, AFailedStoreWatchResumesFromTheLastRevisionWithoutLosingEvents) {
  BreakableStore breakable(*store_);
  auto cache = *WatchCache::Create(breakable, {.retry_backoff = std::chrono::milliseconds(10)});
  auto cursor = *cache->Watch(0, kAllKinds);
  Put("/romana/hosts/a", {{"name", "a"}});
  ASSERT_TRUE(WaitUntil([&] { return cache->revision() == *store_->CurrentRevision(); }));
  breakable.Break(/*hold=*/true);
  ASSERT_TRUE(WaitUntil([&] { return breakable.cut_off(); }));
  const store::Revision last = Put("/romana/hosts/b", {{"name", "b"}});  // while the cache is cut off
  breakable.Release();
  std::vector<std::string> got = Lines(Drain(*cursor, last));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(got[1])["key"], "/romana/hosts/b");
  EXPECT_GE(breakable.watches(), 2);
}

TEST_F(WatchCacheTest, CompactionOfItsOwnWatchReloadsAndEndsCursorsWithCompacted) {
  BreakableStore breakable(*store_);
  auto cache = *WatchCache::Create(breakable, {.retry_backoff = std::chrono::milliseconds(10)});
  Put("/romana/hosts/a", {{"name", "a"}});
  ASSERT_TRUE(WaitUntil([&] { return cache->revision() == *store_->CurrentRevision(); }));
  auto cursor = *cache->Watch(0, kAllKinds);
  const store::Revision before = cache->revision();
  // A cursor from the (future) compaction point needs nothing that will be lost.
  auto later = *cache->Watch(before + 2, kAllKinds);
  breakable.Break(/*hold=*/true);
  ASSERT_TRUE(WaitUntil([&] { return breakable.cut_off(); }));
  Delete("/romana/hosts/a");
  const store::Revision last = Put("/romana/hosts/c", {{"name", "c"}});
  ASSERT_EQ(last, before + 2);
  ASSERT_TRUE(store_->Compact(last).ok());
  breakable.Release();
  absl::StatusOr<Batch> b = NextOrWait(*cursor, 10, std::chrono::seconds(10));
  while (b.ok()) b = NextOrWait(*cursor, 10, std::chrono::seconds(10));
  EXPECT_TRUE(store::IsCompacted(b.status())) << b.status();
  // The compaction revision itself is still served (its events are replayed into the window).
  EXPECT_EQ(api::DetailOf(b.status(), "compact_revision"), absl::StrCat(last));
  std::vector<std::string> got = Lines(Drain(*later, last));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(got[0])["key"], "/romana/hosts/c");
  store::Revision at = 0;
  EXPECT_EQ(ListTexts(*cache, "hosts", &at), std::vector<std::string>{R"({"name":"c"})"});
  EXPECT_EQ(at, last);
}

TEST_F(WatchCacheTest, StopEndsCursorsWithUnavailable) {
  auto cache = Cache();
  auto cursor = *cache->Watch(0, kAllKinds);
  std::atomic<bool> woken{false};
  cursor->SetWakeup([&] { woken = true; });
  ASSERT_TRUE(cursor->Next(1).ok());  // arms the wakeup
  cache->Stop();
  EXPECT_TRUE(woken);
  EXPECT_TRUE(absl::IsUnavailable(cursor->Next(1).status()));
  EXPECT_TRUE(absl::IsUnavailable(cache->Watch(0, kAllKinds).status()));
}

TEST(WatchCacheEtcdTest, FollowsARealEtcd) {
  auto cluster = store::testing::EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto store = store::EtcdStore::Create({.endpoints = (*cluster)->ClientEndpoints()});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Put("/romana/addresses/a0", R"({"name":"a0","host":"h1","ip":"10.0.0.1"})").ok());
  auto cache = *WatchCache::Create(**store, {.load_page = 1});
  auto cursor = *cache->Watch(0, *KindMaskOf({"addresses"}));
  store::Revision last = 0;
  for (int i = 1; i <= 20; ++i) {
    last = *(*store)->Put(absl::StrCat("/romana/addresses/a", i),
                          nlohmann::json{{"name", absl::StrCat("a", i)}, {"host", i % 2 ? "h1" : "h2"},
                                         {"ip", absl::StrCat("10.0.0.", i + 1)}}
                              .dump());
  }
  last = (*store)->Commit({{}, {store::Op::Delete("/romana/addresses/a0")}, {}})->revision;
  std::vector<std::string> got = Lines(Drain(*cursor, last));
  ASSERT_EQ(got.size(), 21u);
  EXPECT_EQ(nlohmann::json::parse(got[20])["prev_object"]["ip"], "10.0.0.1");
  cache->NoteWrite(last);
  store::Revision at = 0;
  EXPECT_EQ(ListTexts(*cache, "addresses", &at, "host", "h1").size(), 10u);
  EXPECT_EQ(at, last);
  EXPECT_EQ(ListTexts(*cache, "addresses", nullptr, "ip", "10.0.0.21").size(), 1u);
}

}  // namespace
}  // namespace romana::daemon
