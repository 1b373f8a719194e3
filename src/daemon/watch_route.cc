// GET /watch: the NDJSON change stream (docs/api.md, "Watch stream").
//
// Delivery contract: the stream opens with a BOOKMARK at revision N-1 (everything before N is
// "seen"), then every change with revision >= N of the requested kinds, in revision order.
// A BOOKMARK at R is sent only after the store watcher reported nothing more pending, and means
// "every change <= R was sent": a client that resumes from R+1 misses nothing and repeats
// nothing. Events of one revision (one transaction) may span several lines; a client that lost
// the connection in the middle of a revision resumes from that revision and skips the keys it
// already saw (api::Client::Watch does).
#include <httplib.h>


#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"
#include "api/types.h"
#include "daemon/http_error.h"
#include "daemon/server.h"
#include "daemon/server_metrics.h"
#include "spdlog/spdlog.h"

namespace romana::daemon {
namespace {

void SendError(httplib::Response& res, const absl::Status& s) {
  HttpError e = ToHttpError(s);
  res.status = e.status;
  res.set_content(e.body.dump() + "\n", "application/json");
}

// Best effort: the compact revision named in a store's OutOfRange message ("... revision 17)").
int64_t CompactRevisionFrom(const absl::Status& s) {
  std::string m(s.message());
  size_t end = m.find_last_of("0123456789");
  if (end == std::string::npos) return 0;
  size_t begin = m.find_last_not_of("0123456789", end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  int64_t r = 0;
  return absl::SimpleAtoi(m.substr(begin, end - begin + 1), &r) ? r : 0;
}

absl::Status CompactedError(const absl::Status& s, int64_t asked) {
  absl::Status out = absl::OutOfRangeError(absl::StrCat(
      "revision ", asked, " has been compacted: list the resources again and watch from the list's revision + 1"));
  out = api::WithErrorCode(out, "compacted");
  if (int64_t c = CompactRevisionFrom(s); c > 0) out = api::WithDetail(out, "compact_revision", absl::StrCat(c));
  return out;
}

struct WatchState {
  std::unique_ptr<store::Watcher> watcher;
  std::vector<store::Event> first;  // events read while checking for compaction
  std::set<std::string> kinds;      // plural; empty = all
  store::Revision last = 0;         // every change <= last has been sent (or filtered out)
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
  if (req.has_param("kinds") && !req.get_param_value("kinds").empty()) {
    for (absl::string_view k : absl::StrSplit(req.get_param_value("kinds"), ',', absl::SkipEmpty())) {
      std::string kind(k);
      if (api::SingularKind(kind).empty()) {
        return SendError(res, api::FieldError("kinds", absl::StrCat("unknown kind \"", kind, "\"; use ",
                                                                     absl::StrJoin(api::AllWatchKinds(), ", "))));
      }
      state->kinds.insert(kind);
    }
  }
  state->bookmark = options_.bookmark_interval;
  if (req.has_param("bookmark_ms")) {
    int64_t ms = 0;
    if (!absl::SimpleAtoi(req.get_param_value("bookmark_ms"), &ms) || ms < 10) {
      return SendError(res, api::FieldError("bookmark_ms", "must be an integer >= 10"));
    }
    state->bookmark = std::min(state->bookmark, std::chrono::milliseconds(ms));
  }
  absl::StatusOr<store::Revision> current = raw_store_.CurrentRevision();
  if (!current.ok()) return SendError(res, current.status());
  const store::Revision from = revision == 0 ? *current + 1 : revision;
  absl::StatusOr<std::unique_ptr<store::Watcher>> w = raw_store_.Watch(keys_.prefix() + "/", from);
  if (!w.ok()) {
    return SendError(res, store::IsCompacted(w.status()) ? CompactedError(w.status(), from) : w.status());
  }
  state->watcher = *std::move(w);
  absl::StatusOr<std::vector<store::Event>> first = state->watcher->Next(std::chrono::milliseconds(0));
  if (!first.ok()) {
    return SendError(res, store::IsCompacted(first.status()) ? CompactedError(first.status(), from) : first.status());
  }
  state->first = *std::move(first);
  state->last = from - 1;

  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("application/x-ndjson", [this, state](size_t, httplib::DataSink& sink) {
    metrics_->watch_streams.Increment();
    struct Dec {
      prometheus::Gauge& g;
      ~Dec() { g.Decrement(); }
    } dec{metrics_->watch_streams};
    auto write = [&](const nlohmann::json& j) {
      std::string line = j.dump();
      line.push_back('\n');
      return sink.write(line.data(), line.size());
    };
    auto bookmark = [&] {
      return write(api::ToJson(api::WatchEvent{api::WatchEvent::Type::kBookmark, "", "", state->last, nullptr, "", ""}));
    };
    auto send = [&](const std::vector<store::Event>& events) {
      for (const store::Event& e : events) {
        state->last = std::max(state->last, e.kv.mod_revision);
        const std::string kind = keys_.KindOf(e.kv.key);
        if (kind.empty() || (!state->kinds.empty() && !state->kinds.contains(kind))) continue;
        api::WatchEvent ev;
        ev.kind = api::SingularKind(kind);
        ev.key = e.kv.key;
        ev.revision = e.kv.mod_revision;
        if (e.type == store::Event::Type::kPut) {
          ev.type = api::WatchEvent::Type::kPut;
          ev.object = nlohmann::json::parse(e.kv.value, nullptr, false);
          if (ev.object.is_discarded()) ev.object = e.kv.value;
        } else {
          ev.type = api::WatchEvent::Type::kDelete;
        }
        if (!write(api::ToJson(ev))) return false;
        metrics_->watch_events.Increment();
      }
      return true;
    };
    if (!bookmark() || !send(state->first)) return false;
    state->first.clear();
    auto last_bookmark = std::chrono::steady_clock::now();
    const auto poll = std::min(state->bookmark, std::chrono::milliseconds(200));
    while (!stopping_) {
      if (!sink.is_writable()) return false;  // the client went away: stop working for it
      absl::StatusOr<std::vector<store::Event>> events = state->watcher->Next(poll);
      if (!events.ok()) {
        api::WatchEvent err{api::WatchEvent::Type::kError, "", "", 0, nullptr, "unavailable",
                            std::string(events.status().message())};
        if (store::IsCompacted(events.status())) {
          err.error_code = "compacted";
          err.revision = CompactRevisionFrom(events.status());
          err.message = "the watch fell behind the store's compaction: list again and watch from the list's revision + 1";
        }
        write(api::ToJson(err));
        sink.done();
        return true;
      }
      if (!send(*events)) return false;
      if (events->empty() && std::chrono::steady_clock::now() - last_bookmark >= state->bookmark) {
        if (!bookmark()) return false;
        last_bookmark = std::chrono::steady_clock::now();
      }
    }
    return false;
  });
}

}  // namespace romana::daemon
