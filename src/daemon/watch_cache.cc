#include "daemon/watch_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/types.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace romana::daemon {
namespace {

constexpr std::chrono::milliseconds kPoll{200};  // how often the producer checks for Stop()
// How long a wakeup slice may take before the next one is woken regardless.
constexpr std::chrono::milliseconds kSliceTimeout{20};

int KindIndex(const std::string& plural) {
  const auto& kinds = api::AllWatchKinds();
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i] == plural) return static_cast<int>(i);
  }
  return -1;
}

// The stored value as JSON text fit for one NDJSON line: the value itself when it is JSON
// without line breaks (the usual case: romanad stores compact JSON), else re-serialised, else
// (not JSON at all) a JSON string holding it, as the watch stream always sent it.
std::string LineSafeJson(const std::string& raw) {
  nlohmann::json j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded()) return nlohmann::json(raw).dump();
  if (raw.find_first_of("\r\n") != std::string::npos) return j.dump();
  return raw;
}

std::string RenderLine(const std::string& plural, const std::string& key, store::Revision revision, bool deleted,
                       const std::string* value) {
  nlohmann::json head = {{"type", deleted ? "DELETE" : "PUT"},
                         {"kind", api::SingularKind(plural)},
                         {"key", key},
                         {"revision", revision}};
  std::string line = head.dump();
  line.pop_back();  // the closing brace: the object follows
  if (value != nullptr) absl::StrAppend(&line, deleted ? ",\"prev_object\":" : ",\"object\":", LineSafeJson(*value));
  line += "}\n";
  return line;
}

}  // namespace

absl::StatusOr<KindMask> KindMaskOf(const std::vector<std::string>& plurals) {
  if (plurals.empty()) return kAllKinds;
  KindMask mask = 0;
  for (const std::string& p : plurals) {
    int i = KindIndex(p);
    if (i < 0) {
      return api::FieldError("kinds", absl::StrCat("unknown kind \"", p,
                                                   "\"; use topology, networks, groups, hosts, blocks, addresses, "
                                                   "policies, namespaces, endpoints, networkpolicies, hoststatus, vips"));
    }
    mask |= KindMask{1} << i;
  }
  return mask;
}

WatchCache::WatchCache(store::Store& store, WatchCacheOptions options)
    : store_(store), options_(std::move(options)), keys_(options_.prefix), state_(keys_) {}

absl::StatusOr<std::unique_ptr<WatchCache>> WatchCache::Create(store::Store& store, WatchCacheOptions options) {
  if (options.window_events == 0 || options.window_bytes == 0 || options.load_page <= 0 ||
      options.wakeup_slice == 0 || options.wakeup_full_round == 0) {
    return absl::InvalidArgumentError(
        "watch cache: window_events, window_bytes, load_page, wakeup_slice and wakeup_full_round must be positive");
  }
  std::unique_ptr<WatchCache> c(new WatchCache(store, std::move(options)));
  if (absl::Status s = c->Load(0); !s.ok()) return s;
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  return c;
}

WatchCache::~WatchCache() { Stop(); }

void WatchCache::Stop() {
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  {
    absl::MutexLock w(&wakeup_mu_);
    EndCursors(absl::UnavailableError("romanad is shutting down"));
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status WatchCache::Load(store::Revision at) {
  StateIndex fresh(keys_);
  store::RangeRequest r;
  r.prefix = keys_.prefix() + "/";
  r.limit = options_.load_page;
  r.revision = at;
  while (true) {
    absl::StatusOr<store::RangeResult> page = store_.Range(r);
    if (!page.ok()) return page.status();
    for (store::KeyValue& kv : page->kvs) fresh.Put(kv.key, std::move(kv.value), kv.mod_revision);
    r.revision = page->revision;  // every further page at the first one's revision
    if (!page->more || page->kvs.empty()) break;
    r.start_key = page->kvs.back().key + std::string(1, '\0');
  }
  absl::MutexLock l(&mu_);
  state_ = std::move(fresh);
  revision_ = r.revision;
  // Loaded at a compaction point C: C's own events are still in the store's history, so the
  // watch restarts at C and a cursor may start at C (the events of C are windowed, not applied).
  oldest_ = at > 0 ? at : r.revision + 1;
  loaded_through_ = r.revision;
  windowed_through_ = oldest_ - 1;
  watch_from_ = oldest_;
  first_seq_ += window_.size();
  window_.clear();
  window_bytes_ = 0;
  spdlog::info("watch cache: loaded {} records at revision {}", state_.size(), revision_);
  return absl::OkStatus();
}

void WatchCache::ReloadAfterCompaction(store::Revision compact_revision) {
  absl::Status loaded = compact_revision > 0 ? Load(compact_revision) : absl::OutOfRangeError("");
  if (store::IsCompacted(loaded)) loaded = Load(0);  // compacted further meanwhile, or not known
  if (!loaded.ok()) {
    spdlog::warn("watch cache: reload failed: {} (retrying)", loaded.ToString());
    SleepUnlessStopping(options_.retry_backoff);
    return;
  }
  // Cursors that need nothing before the new window continue; the others lost events.
  absl::MutexLock w(&wakeup_mu_);
  std::vector<Cursor*> wake;
  {
    absl::MutexLock l(&mu_);
    const absl::Status compacted = CompactedError(0);
    for (Cursor* c : cursors_) {
      if (!c->error_.ok()) continue;
      if (c->from_ >= oldest_) {
        c->next_seq_ = first_seq_;
      } else {
        c->error_ = compacted;
      }
      c->armed_ = false;
      c->due_ = false;
      wake.push_back(c);
    }
    DisarmAll();
    due_list_.clear();
    wake_pending_ = false;
  }
  for (Cursor* c : wake) {
    if (c->wakeup_) c->wakeup_();
  }
}

void WatchCache::DisarmAll() {
  absl::MutexLock a(&armed_mu_);
  for (Cursor* c : armed_list_) c->armed_ = false;
  armed_list_.clear();
}

void WatchCache::RemoveArmed(Cursor* c) {
  Cursor* last = armed_list_.back();
  armed_list_[c->armed_at_] = last;
  last->armed_at_ = c->armed_at_;
  armed_list_.pop_back();
}

bool WatchCache::SleepUnlessStopping(std::chrono::milliseconds d) {
  absl::MutexLock l(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::FromChrono(d));
  return !stopping_;
}

void WatchCache::Run() {
  while (true) {
    {
      absl::MutexLock l(&mu_);
      if (stopping_) return;
    }
    if (watcher_ == nullptr) {
      store::Revision from;
      {
        absl::ReaderMutexLock l(&mu_);
        from = watch_from_;
      }
      absl::StatusOr<std::unique_ptr<store::Watcher>> w = store_.Watch(keys_.prefix() + "/", from);
      if (!w.ok()) {
        spdlog::warn("watch cache: cannot watch the store: {} (retrying)", w.status().ToString());
        if (!SleepUnlessStopping(options_.retry_backoff)) return;
        continue;
      }
      watcher_ = *std::move(w);
    }
    absl::StatusOr<std::vector<store::Event>> events = watcher_->Next(WakeWait());
    if (!events.ok()) {
      watcher_.reset();
      if (store::IsCompacted(events.status())) {
        spdlog::info("watch cache: the store compacted past revision {}: reloading; streams that needed the lost "
                     "events end with \"compacted\"",
                     revision() + 1);
        ReloadAfterCompaction(store::CompactRevisionOf(events.status()));
      } else {
        spdlog::warn("watch cache: the store watch failed: {}; resuming from revision {}", events.status().ToString(),
                     revision() + 1);
        if (!SleepUnlessStopping(options_.retry_backoff)) return;
      }
      continue;
    }
    if (!events->empty()) {
      Apply(*events);
    } else {
      MaybeWake();
    }
  }
}

void WatchCache::Apply(const std::vector<store::Event>& events) {
  {
    absl::MutexLock l(&mu_);
    const uint64_t old_end = first_seq_ + window_.size();
    KindMask batch_kinds = 0;
    for (const store::Event& e : events) {
      revision_ = std::max(revision_, e.kv.mod_revision);
      watch_from_ = std::max(watch_from_, e.kv.mod_revision + 1);
      windowed_through_ = std::max(windowed_through_, e.kv.mod_revision);
      const bool in_state = e.kv.mod_revision <= loaded_through_;  // replayed after a load at it
      const std::string plural = keys_.KindOf(e.kv.key);
      if (plural.empty()) continue;  // never streamed (leader, internal keys)
      auto ev = std::make_shared<CachedEvent>();
      ev->revision = e.kv.mod_revision;
      ev->kind = KindIndex(plural);
      ev->key = e.kv.key;
      if (e.type == store::Event::Type::kPut) {
        ev->line = RenderLine(plural, e.kv.key, e.kv.mod_revision, false, &e.kv.value);
        if (!in_state) state_.Put(e.kv.key, e.kv.value, e.kv.mod_revision);
      } else {
        StateIndex::Value previous = in_state ? nullptr : state_.Delete(e.kv.key);
        ev->deleted = true;
        ev->line = RenderLine(plural, e.kv.key, e.kv.mod_revision, true, previous.get());
      }
      batch_kinds |= KindMask{1} << ev->kind;
      window_bytes_ += ev->line.size();
      window_.push_back(std::move(ev));
    }
    // Bound the window; whole revisions leave together so oldest_ stays exact.
    while (!window_.empty() && (window_.size() > options_.window_events || window_bytes_ > options_.window_bytes)) {
      oldest_ = std::max(oldest_, window_.front()->revision + 1);
      window_bytes_ -= window_.front()->line.size();
      window_.pop_front();
      ++first_seq_;
    }
    while (!window_.empty() && window_.front()->revision < oldest_) {
      window_bytes_ -= window_.front()->line.size();
      window_.pop_front();
      ++first_seq_;
    }
    const uint64_t new_end = first_seq_ + window_.size();
    absl::MutexLock a(&armed_mu_);
    size_t kept = 0;
    for (Cursor* c : armed_list_) {
      if ((c->kinds_ & batch_kinds) != 0) {
        c->armed_ = false;
        c->due_ = true;
        due_list_.push_back(c);
        wake_pending_ = true;
        continue;
      }
      if (c->next_seq_ == old_end) c->next_seq_ = new_end;  // caught up, and nothing new is for it: stays caught up
      c->armed_at_ = kept;
      armed_list_[kept++] = c;
    }
    armed_list_.resize(kept);
  }
  MaybeWake();
}

void WatchCache::MaybeWake() {
  const auto now = std::chrono::steady_clock::now();
  if (!round_) {
    size_t due;
    {
      absl::ReaderMutexLock l(&mu_);
      due = due_list_.size();
    }
    if (due == 0) return;
    if (now < next_wakeup_) return;  // Run() comes back at next_wakeup_
    round_ = true;
    next_wakeup_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             options_.wakeup_interval * std::min(1.0, static_cast<double>(due) /
                                                                          static_cast<double>(options_.wakeup_full_round)));
  } else if (unfinished_.load() > static_cast<int64_t>(options_.wakeup_slice / 2)) {
    if (now < slice_woken_ + kSliceTimeout) return;  // the last slice is still taking its events
    // Streams that were woken but did not ask (a client not reading, a stream closing) are
    // not waited for again.
    absl::MutexLock l(&mu_);
    for (Cursor* c : cursors_) c->woken_ = false;
    unfinished_ = 0;
  }
  absl::MutexLock w(&wakeup_mu_);
  WakeDue(options_.wakeup_slice);
  slice_woken_ = now;
  absl::ReaderMutexLock l(&mu_);
  round_ = wake_pending_;
}

std::chrono::milliseconds WatchCache::WakeWait() {
  if (round_) return std::chrono::milliseconds(1);  // pacing the slices
  {
    absl::ReaderMutexLock l(&mu_);
    if (!wake_pending_) return kPoll;
  }
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(next_wakeup_ - std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::milliseconds(1), kPoll);
}

void WatchCache::WakeDue(size_t max) {
  std::vector<Cursor*> wake;
  {
    absl::MutexLock l(&mu_);
    const size_t n = std::min(max, due_list_.size());
    wake.assign(due_list_.begin(), due_list_.begin() + static_cast<ptrdiff_t>(n));  // the longest due first
    due_list_.erase(due_list_.begin(), due_list_.begin() + static_cast<ptrdiff_t>(n));
    for (Cursor* c : wake) {
      c->due_ = false;
      if (!c->woken_) ++unfinished_;
      c->woken_ = true;
    }
    wake_pending_ = !due_list_.empty();
  }
  for (Cursor* c : wake) {
    if (c->wakeup_) c->wakeup_();
  }
}

void WatchCache::EndCursors(const absl::Status& status) {
  std::vector<Cursor*> wake;
  {
    absl::MutexLock l(&mu_);
    for (Cursor* c : cursors_) {
      if (c->error_.ok()) c->error_ = status;
      c->armed_ = false;
      c->due_ = false;
      wake.push_back(c);
    }
    DisarmAll();
    due_list_.clear();
    wake_pending_ = false;
  }
  for (Cursor* c : wake) {
    if (c->wakeup_) c->wakeup_();
  }
}

absl::Status WatchCache::CompactedError(store::Revision asked) const {
  absl::Status s = absl::OutOfRangeError(
      asked > 0 ? absl::StrCat("revision ", asked, " is older than romanad's watch window (oldest ", oldest_,
                               "): list the resources again and watch from the list's revision + 1")
                : absl::StrCat("the watch fell out of romanad's watch window (oldest revision now ", oldest_,
                               "): list again and watch from the list's revision + 1"));
  s = api::WithErrorCode(s, "compacted");
  return api::WithDetail(s, "compact_revision", absl::StrCat(oldest_));
}

store::Revision WatchCache::revision() const {
  absl::ReaderMutexLock l(&mu_);
  return revision_;
}

store::Revision WatchCache::oldest() const {
  absl::ReaderMutexLock l(&mu_);
  return oldest_;
}

size_t WatchCache::cursor_count() const {
  absl::ReaderMutexLock l(&mu_);
  return cursors_.size();
}

WatchCache::Stats WatchCache::stats() const {
  absl::ReaderMutexLock l(&mu_);
  return {revision_, oldest_, window_.size(), window_bytes_, state_.size(), cursors_.size()};
}

void WatchCache::NoteWrite(store::Revision revision) {
  store::Revision noted = noted_write_.load();
  while (noted < revision && !noted_write_.compare_exchange_weak(noted, revision)) {
  }
}

store::Revision WatchCache::noted_write() const { return noted_write_.load(); }

absl::StatusOr<std::unique_ptr<WatchCache::Cursor>> WatchCache::Watch(store::Revision from, KindMask kinds) {
  absl::MutexLock l(&mu_);
  if (stopping_) return absl::UnavailableError("romanad is shutting down");
  if (from <= 0) from = revision_ + 1;
  if (from < oldest_) return CompactedError(from);
  std::unique_ptr<Cursor> c(new Cursor(*this, from, kinds));
  auto it = std::lower_bound(window_.begin(), window_.end(), from,
                             [](const std::shared_ptr<const CachedEvent>& e, store::Revision r) { return e->revision < r; });
  c->next_seq_ = first_seq_ + static_cast<uint64_t>(it - window_.begin());
  cursors_.insert(c.get());
  return c;
}

namespace {
struct ReadWait {
  const store::Revision* revision;
  const bool* stopping;
  store::Revision target;
};
bool Reached(ReadWait* w) { return *w->revision >= w->target || *w->stopping; }
}  // namespace

absl::StatusOr<store::Revision> WatchCache::Read(store::Revision min_revision,
                                                 const std::function<absl::Status(const StateIndex&)>& read) {
  ReadWait wait{&revision_, &stopping_, std::max(min_revision, noted_write_.load())};
  if (!mu_.ReaderLockWhenWithTimeout(absl::Condition(&Reached, &wait), absl::FromChrono(options_.read_timeout))) {
    const store::Revision at = revision_;
    mu_.ReaderUnlock();
    return api::WithErrorCode(
        absl::UnavailableError(absl::StrCat("romanad's watch cache is at revision ", at, ", behind the revision ",
                                            wait.target, " this read needs (is the store reachable?); retry")),
        "unavailable");
  }
  absl::Status s = stopping_ ? absl::UnavailableError("romanad is shutting down") : read(state_);
  const store::Revision at = revision_;
  mu_.ReaderUnlock();
  if (!s.ok()) return s;
  return at;
}

// --- Cursor ---

WatchCache::Cursor::~Cursor() {
  absl::MutexLock w(&cache_.wakeup_mu_);
  absl::MutexLock l(&cache_.mu_);
  if (woken_) --cache_.unfinished_;
  if (armed_) {
    absl::MutexLock a(&cache_.armed_mu_);
    cache_.RemoveArmed(this);
  }
  if (due_) cache_.due_list_.erase(std::find(cache_.due_list_.begin(), cache_.due_list_.end(), this));
  cache_.cursors_.erase(this);
}

void WatchCache::Cursor::SetWakeup(std::function<void()> wakeup) {
  absl::MutexLock w(&cache_.wakeup_mu_);
  wakeup_ = std::move(wakeup);
}

absl::StatusOr<WatchCache::Cursor::Batch> WatchCache::Cursor::Next(size_t max, size_t max_bytes) {
  absl::ReaderMutexLock l(&cache_.mu_);  // see the cursor's fields: only its user writes them under it
  if (woken_) {
    woken_ = false;
    --cache_.unfinished_;
  }
  if (!error_.ok()) return error_;
  if (next_seq_ < cache_.first_seq_) {
    error_ = cache_.CompactedError(0);
    return error_;
  }
  Batch b;
  const uint64_t end = cache_.first_seq_ + cache_.window_.size();
  size_t bytes = 0;
  while (next_seq_ < end && b.events.size() < max && bytes < max_bytes) {
    const std::shared_ptr<const CachedEvent>& e = cache_.window_[next_seq_ - cache_.first_seq_];
    ++next_seq_;
    if (e->revision >= from_ && (kinds_ & (KindMask{1} << e->kind)) != 0) {
      b.events.push_back(e);
      bytes += e->line.size();
    }
  }
  b.caught_up = next_seq_ == end;
  if (b.caught_up) b.progress = std::max(cache_.windowed_through_, from_ - 1);
  const bool arm = b.caught_up && b.events.empty();
  if (arm != armed_) {
    absl::MutexLock a(&cache_.armed_mu_);
    if (arm) {
      armed_at_ = cache_.armed_list_.size();
      cache_.armed_list_.push_back(this);
    } else {
      cache_.RemoveArmed(this);
    }
    armed_ = arm;
  }
  return b;
}

}  // namespace romana::daemon
