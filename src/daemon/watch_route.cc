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
#include <httplib.h>

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"
#include "api/types.h"
#include "daemon/http_error.h"
#include "daemon/server.h"
#include "daemon/server_metrics.h"
#include "daemon/watch_cache.h"
#include "spdlog/spdlog.h"

namespace romana::daemon {
namespace {

void SendError(httplib::Response& res, const absl::Status& s) {
  HttpError e = ToHttpError(s);
  res.status = e.status;
  res.set_content(e.body.dump() + "\n", "application/json");
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
    if (!first.ok() && store::IsCompacted(first.status())) oldest = std::max(oldest, CompactRevisionFromMessage(first.status()));
  }
  absl::Status out = absl::OutOfRangeError(absl::StrCat(
      "revision ", asked, " has been compacted: list the resources again and watch from the list's revision + 1"));
  out = api::WithErrorCode(out, "compacted");
  return api::WithDetail(out, "compact_revision", absl::StrCat(oldest));
}

struct WatchState {
  std::unique_ptr<WatchCache::Cursor> cursor;
  std::chrono::milliseconds bookmark{5000};
};

}  // namespace

void Server::ServeWatch(const httplib::Request& req, httplib::Response& res) {
  if (options_.auth.has_value() && options_.auth_reads && !options_.auth->Check(req.get_header_value("Authorization"))) {
    res.set_header("WWW-Authenticate", "Bearer");
    res.status = 401;
    res.set_content(ErrorBody("unauthenticated", "this call needs \"Authorization: Bearer <token>\"").dump() + "\n",
                    "application/json");
    return;
  }
  auto state = std::make_shared<WatchState>();
  int64_t revision = 0;
  if (req.has_param("revision") &&
      (!absl::SimpleAtoi(req.get_param_value("revision"), &revision) || revision < 0)) {
    return SendError(res, api::FieldError("revision", "must be a non-negative integer"));
  }
  std::vector<std::string> kinds;
  if (req.has_param("kinds")) kinds = absl::StrSplit(req.get_param_value("kinds"), ',', absl::SkipEmpty());
  absl::StatusOr<KindMask> mask = KindMaskOf(kinds);
  if (!mask.ok()) return SendError(res, mask.status());
  state->bookmark = options_.bookmark_interval;
  if (req.has_param("bookmark_ms")) {
    int64_t ms = 0;
    if (!absl::SimpleAtoi(req.get_param_value("bookmark_ms"), &ms) || ms < 10) {
      return SendError(res, api::FieldError("bookmark_ms", "must be an integer >= 10"));
    }
    state->bookmark = std::min(state->bookmark, std::chrono::milliseconds(ms));
  }
  absl::StatusOr<std::unique_ptr<WatchCache::Cursor>> cursor = cache_->Watch(revision, *mask);
  if (!cursor.ok()) {
    if (store::IsCompacted(cursor.status())) return SendError(res, CompactedAt(cursor.status(), revision, raw_store_, keys_.prefix() + "/"));
    return SendError(res, cursor.status());
  }
  state->cursor = *std::move(cursor);

  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("application/x-ndjson", [this, state](size_t, httplib::DataSink& sink) {
    metrics_->watch_streams.Increment();
    struct Dec {
      prometheus::Gauge& g;
      ~Dec() { g.Decrement(); }
    } dec{metrics_->watch_streams};
    auto write = [&](const std::string& line) { return sink.write(line.data(), line.size()); };
    auto bookmark = [&](store::Revision r) {
      return write(api::ToJson(api::WatchEvent{api::WatchEvent::Type::kBookmark, "", "", r, nullptr, "", ""}).dump() +
                   "\n");
    };
    if (!bookmark(state->cursor->from() - 1)) return false;
    auto last_bookmark = std::chrono::steady_clock::now();
    const auto poll = std::min(state->bookmark, std::chrono::milliseconds(200));
    while (!stopping_) {
      if (!sink.is_writable()) return false;  // the client went away: stop working for it
      absl::StatusOr<WatchCache::Cursor::Batch> batch = state->cursor->Wait(256, poll);
      if (!batch.ok()) {
        api::WatchEvent err{api::WatchEvent::Type::kError, "", "", 0, nullptr, "unavailable",
                            std::string(batch.status().message())};
        if (store::IsCompacted(batch.status())) {
          err.error_code = "compacted";
          int64_t c = 0;
          if (std::optional<std::string> d = api::DetailOf(batch.status(), "compact_revision")) {
            (void)absl::SimpleAtoi(*d, &c);
          }
          err.revision = c;
        }
        write(api::ToJson(err).dump() + "\n");
        sink.done();
        return true;
      }
      for (const std::shared_ptr<const CachedEvent>& e : batch->events) {
        if (!write(e->line)) return false;
        metrics_->watch_events.Increment();
      }
      if (batch->caught_up && std::chrono::steady_clock::now() - last_bookmark >= state->bookmark) {
        if (!bookmark(batch->progress)) return false;
        last_bookmark = std::chrono::steady_clock::now();
      }
    }
    return false;
  });
}

}  // namespace romana::daemon
