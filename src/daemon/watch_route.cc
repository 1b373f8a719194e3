// GET /watch: the NDJSON change stream (docs/api.md, "Watch stream"), served from the watch
// cache: each stream is a WatchCache::Cursor; the lines were rendered once by the cache.
//
// Delivery contract: the stream opens with a BOOKMARK at revision N-1 (everything before N is
// "seen"), then every change with revision >= N of the requested kinds, in revision order.
// A BOOKMARK at R is sent only when the cursor is caught up (nothing more is available) and
// means "every change <= R was sent": a client that resumes from R+1 misses nothing and repeats
// nothing. Events of one revision (one transaction) may span several lines; a client that lost
// the connection in the middle of a revision resumes from that revision and skips the keys it
// already saw (api::Client::Watch does). A cursor that falls out of the cache's window ends
// the stream with the ERROR "compacted" line.
//
// A stream holds no thread. Its work (move what the cursor has to the connection) runs on the
// connection's io strand, scheduled by: the cursor's wakeup (events arrived after a Next that
// returned nothing), the connection's drained notification (the client took what was queued,
// after the stream stopped at kHighWater bytes), and one bookmark timer. A client that does not
// read costs a bounded buffer and a cursor, never a thread, and never delays the others; when
// it falls out of the window its stream ends with "compacted".
#include <optional>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"
#include "api/types.h"
#include "base/keepalive_schedule.h"
#include "daemon/http_error.h"
#include "daemon/server.h"
#include "daemon/server_metrics.h"
#include "daemon/watch_cache.h"
#include "http_server/responder.h"

namespace romana::daemon {
namespace {

using http_server::Request;
using http_server::Response;

// A stream with more than this waiting for the client takes no new events until it drained.
// With thousands of streams this bounds romanad's memory for clients slower than the changes:
// a stream holds at most kHighWater + kBatchBytes (a client that reads has the socket take a
// turn's bytes at once, so nothing waits in romanad).
constexpr size_t kHighWater = 0;
// Events (and bytes) moved per turn, in one socket write, before the stream yields its io
// thread to other connections. A stream that is behind (a burst of changes) catches up in few
// large writes: each write costs a system call and the kernel's TCP work whatever its size.
constexpr size_t kBatch = 1024;
constexpr size_t kBatchBytes = 32 << 10;

void SendError(http_server::Responder& responder, const absl::Status& s) {
  HttpError e = ToHttpError(s);
  Response res;
  res.status = e.status;
  res.body = e.body.dump() + "\n";
  if (e.retry_after_seconds > 0) res.headers.emplace_back("Retry-After", std::to_string(e.retry_after_seconds));
  responder.Send(std::move(res));
}

// The 410 answer for a watch from `asked`, older than the cache's window. Its compact_revision
// is the oldest revision a watch can start from: the window's start, or the store's compaction
// point when that is later (asked once, only on this rare path).
absl::Status CompactedAt(const absl::Status& from_cache, int64_t asked, store::Store& store,
                         const std::string& prefix) {
  int64_t oldest = 0;
  if (std::optional<std::string> d = api::DetailOf(from_cache, "compact_revision")) (void)absl::SimpleAtoi(*d, &oldest);
  if (absl::StatusOr<std::unique_ptr<store::Watcher>> w = store.Watch(prefix, asked); w.ok()) {
    absl::StatusOr<std::vector<store::Event>> first = (*w)->Next(std::chrono::milliseconds(200));
    if (!first.ok() && store::IsCompacted(first.status())) oldest = std::max(oldest, store::CompactRevisionOf(first.status()));
  }
  absl::Status out = absl::OutOfRangeError(absl::StrCat(
      "revision ", asked, " has been compacted: list the resources again and watch from the list's revision + 1"));
  out = api::WithErrorCode(out, "compacted");
  return api::WithDetail(out, "compact_revision", absl::StrCat(oldest));
}

// Uniform in [0, n).
int64_t RandomBelow(int64_t n) {
  thread_local std::minstd_rand random(std::random_device{}());
  return std::uniform_int_distribution<int64_t>(0, n - 1)(random);
}

std::string BookmarkLine(store::Revision r) {
  return api::ToJson(api::WatchEvent{api::WatchEvent::Type::kBookmark, "", "", r, nullptr, "", ""}).dump() + "\n";
}

// One open watch stream. Owned by its http stream's OnClose callback (so it lives exactly as
// long as the stream is open, and is destroyed on an io thread or by HttpServer::Stop, never by
// the cache's thread); everything else holds weak pointers. Pump() runs on the stream's strand.
class WatchStream final : public std::enable_shared_from_this<WatchStream> {
 public:
  WatchStream(std::unique_ptr<WatchCache::Cursor> cursor, std::shared_ptr<http_server::Stream> stream,
              std::chrono::milliseconds bookmark, const base::Clock& clock, Server::Metrics& metrics)
      : cursor_(std::move(cursor)), stream_(std::move(stream)), bookmarks_(clock, bookmark), metrics_(metrics) {
    metrics_.watch_streams.Increment();
  }
  ~WatchStream() { metrics_.watch_streams.Decrement(); }

  // Sends the opening BOOKMARK and starts the stream's work. Call once, right after creation.
  static void Start(const std::shared_ptr<WatchStream>& self) {
    std::weak_ptr<WatchStream> weak = self;
    // The wakeup runs on the cache's thread: it only schedules (it holds no WatchStream, so it
    // can never be the one destroying the cursor).
    self->cursor_->SetWakeup([stream = std::weak_ptr<http_server::Stream>(self->stream_), weak] {
      if (std::shared_ptr<http_server::Stream> s = stream.lock()) s->Post([weak] { Run(weak); });
    });
    self->stream_->OnClose([self] {});  // the owner: dropped when the stream closes
    if (!self->stream_->Write(BookmarkLine(self->cursor_->from() - 1))) return;
    // The first periodic bookmark comes after a random 1/2..1 of the interval: streams opened
    // together (agents reconnecting after a restart) do not all wake at the same instant.
    const auto early = std::chrono::milliseconds(RandomBelow(self->bookmarks_.interval().count() / 2 + 1));
    self->bookmarks_.Sent(early);
    self->stream_->Post([weak] { Run(weak); });
    self->ArmBookmarkTimer(self->bookmarks_.interval() - early);
  }

 private:
  static void Run(const std::weak_ptr<WatchStream>& weak) {
    if (std::shared_ptr<WatchStream> self = weak.lock()) self->Pump();
  }

  // Moves what the cursor has (up to kBatch events) to the client in one write; then either
  // yields (more to do: posted again), waits for the client (WhenDrained), or waits for the
  // cache (the cursor's wakeup is armed by a Next that returned nothing).
  void Pump() {
    if (!stream_->open()) return;
    std::weak_ptr<WatchStream> weak = weak_from_this();
    if (stream_->buffered_bytes() > kHighWater) {
      stream_->WhenDrained([stream = std::weak_ptr<http_server::Stream>(stream_), weak] {
        if (std::shared_ptr<http_server::Stream> s = stream.lock()) s->Post([weak] { Run(weak); });
      });
      return;
    }
    std::string lines;  // one chunk (and one socket write) for everything taken now
    size_t taken = 0;
    bool waiting = false;  // the cursor is armed: the cache wakes this stream
    while (taken < kBatch && lines.size() < kBatchBytes) {
      absl::StatusOr<WatchCache::Cursor::Batch> batch = cursor_->Next(kBatch - taken, kBatchBytes - lines.size());
      if (!batch.ok()) {
        if (!lines.empty() && !stream_->Write(std::move(lines))) return;
        return End(batch.status());
      }
      size_t size = lines.size();
      for (const std::shared_ptr<const CachedEvent>& e : batch->events) size += e->line.size();
      lines.reserve(size);
      for (const std::shared_ptr<const CachedEvent>& e : batch->events) lines += e->line;
      taken += batch->events.size();
      if (batch->caught_up) progress_ = batch->progress;
      if (batch->caught_up && batch->events.empty()) {
        waiting = true;
        break;
      }
    }
    if (!lines.empty()) {
      if (!stream_->Write(std::move(lines))) return;
      metrics_.watch_events.Increment(static_cast<double>(taken));
    }
    if (!waiting) return stream_->Post([weak] { Run(weak); });  // kBatch taken: let others run
    if (bookmarks_.Due()) SendBookmark();
  }

  void SendBookmark() {
    if (stream_->Write(BookmarkLine(progress_))) bookmarks_.Sent();
  }

  // Every bookmark interval: a caught-up stream with nothing to send tells the client how far
  // it has seen (a stream that is behind sends events instead, and its bookmark when caught up).
  void ArmBookmarkTimer(std::chrono::milliseconds delay) {
    stream_->PostAfter(delay, [weak = weak_from_this()] {
      std::shared_ptr<WatchStream> self = weak.lock();
      if (!self || !self->stream_->open()) return;
      const bool due = self->bookmarks_.Due();
      if (due) self->Pump();  // sends the bookmark if the cursor is caught up
      self->ArmBookmarkTimer(due ? self->bookmarks_.interval() : self->bookmarks_.NextCheck());
    });
  }

  // The stream's last line: the ERROR for a cursor that fell out of the window ("compacted",
  // the client re-lists) or a cache that stopped ("unavailable").
  void End(const absl::Status& s) {
    api::WatchEvent err{api::WatchEvent::Type::kError, "", "", 0, nullptr, "unavailable", std::string(s.message())};
    if (store::IsCompacted(s)) {
      err.error_code = "compacted";
      int64_t c = 0;
      if (std::optional<std::string> d = api::DetailOf(s, "compact_revision")) (void)absl::SimpleAtoi(*d, &c);
      err.revision = c;
    }
    stream_->Write(api::ToJson(err).dump() + "\n");
    stream_->Finish();
  }

  const std::unique_ptr<WatchCache::Cursor> cursor_;
  const std::shared_ptr<http_server::Stream> stream_;
  base::KeepaliveSchedule bookmarks_;  // strand only
  Server::Metrics& metrics_;
  store::Revision progress_ = 0;  // strand only
};

}  // namespace

void Server::ServeWatch(const Request& req, http_server::Responder responder) {
  if (options_.auth.has_value() && options_.auth_reads && !options_.auth->Check(req.Header("Authorization"))) {
    Response res;
    res.status = 401;
    res.headers.emplace_back("WWW-Authenticate", "Bearer");
    res.body = ErrorBody("unauthenticated", "this call needs \"Authorization: Bearer <token>\"").dump() + "\n";
    return responder.Send(std::move(res));
  }
  int64_t revision = 0;
  if (req.HasParam("revision") && (!absl::SimpleAtoi(req.Param("revision"), &revision) || revision < 0)) {
    return SendError(responder, api::FieldError("revision", "must be a non-negative integer"));
  }
  std::vector<std::string> kinds;
  if (req.HasParam("kinds")) kinds = absl::StrSplit(req.Param("kinds"), ',', absl::SkipEmpty());
  absl::StatusOr<KindMask> mask = KindMaskOf(kinds);
  if (!mask.ok()) return SendError(responder, mask.status());
  std::chrono::milliseconds bookmark = options_.bookmark_interval;
  if (req.HasParam("bookmark_ms")) {
    int64_t ms = 0;
    if (!absl::SimpleAtoi(req.Param("bookmark_ms"), &ms) || ms < 10) {
      return SendError(responder, api::FieldError("bookmark_ms", "must be an integer >= 10"));
    }
    bookmark = std::min(bookmark, std::chrono::milliseconds(ms));
  }
  absl::StatusOr<std::unique_ptr<WatchCache::Cursor>> cursor = cache_->Watch(revision, *mask);
  if (!cursor.ok()) {
    if (store::IsCompacted(cursor.status())) {
      return SendError(responder, CompactedAt(cursor.status(), revision, raw_store_, keys_.prefix() + "/"));
    }
    return SendError(responder, cursor.status());
  }
  Response head;
  head.content_type = "application/x-ndjson";
  head.headers.emplace_back("Cache-Control", "no-cache");
  std::shared_ptr<http_server::Stream> stream = responder.StartStream(std::move(head));
  if (!stream) return;
  WatchStream::Start(std::make_shared<WatchStream>(*std::move(cursor), std::move(stream), bookmark, clock_, *metrics_));
}

}  // namespace romana::daemon
