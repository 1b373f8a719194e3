// GET /watch: the NDJSON change stream (docs/api.md, "Watch stream").
//
// Delivery contract: the stream opens with a BOOKMARK at revision N-1 (everything before N is
// "seen"), then every change with revision >= N of the requested kinds, in revision order.
// A BOOKMARK at R is sent only after the store watcher reported nothing more pending, and means
// "every change <= R was sent": a client that resumes from R+1 misses nothing and repeats
// nothing. Events of one revision (one transaction) may span several lines; a client that lost
// the connection in the middle of a revision resumes from that revision and skips the keys it
// already saw (api::Client::Watch does).
//
// The stream holds no thread: ServeWatch sets it up on a worker, then the server's WatchPump
// polls it (WatchStreamFeed). A client that does not read gets no more polls while more than
// kHighWater bytes wait for it, so a slow client costs a bounded buffer and its own store
// watcher's backlog, never a thread, and never delays the others.
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"
#include "api/types.h"
#include "daemon/http_error.h"
#include "daemon/server.h"
#include "daemon/server_metrics.h"
#include "daemon/watch_pump.h"
#include "http_server/http_server.h"
#include "spdlog/spdlog.h"

namespace romana::daemon {
namespace {

using http_server::Request;
using http_server::Response;

// A stream with more than this waiting for the client gets no new events until it drained.
constexpr size_t kHighWater = 256 << 10;

void SendError(http_server::Responder& responder, const absl::Status& s) {
  HttpError e = ToHttpError(s);
  Response res;
  res.status = e.status;
  res.body = e.body.dump() + "\n";
  responder.Send(std::move(res));
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

// One open watch stream, polled by the WatchPump.
class WatchStreamFeed final : public WatchFeed {
 public:
  WatchStreamFeed(WatchState state, std::shared_ptr<http_server::Stream> stream, const Keys& keys,
                  Server::Metrics& metrics)
      : state_(std::move(state)), stream_(std::move(stream)), keys_(keys), metrics_(metrics) {
    metrics_.watch_streams.Increment();
  }
  ~WatchStreamFeed() override {
    stream_->Finish();  // no-op when the client already left
    metrics_.watch_streams.Decrement();
  }

  // The opening BOOKMARK and the events read while checking for compaction.
  bool Open() {
    if (!Bookmark() || !Send(state_.first)) return false;
    state_.first.clear();
    last_bookmark_ = std::chrono::steady_clock::now();
    return true;
  }

  bool Poll() override {
    if (!stream_->open()) return false;  // the client went away: stop working for it
    if (stream_->buffered_bytes() > kHighWater) return true;
    absl::StatusOr<std::vector<store::Event>> events = state_.watcher->Next(std::chrono::milliseconds(0));
    if (!events.ok()) {
      api::WatchEvent err{api::WatchEvent::Type::kError, "", "", 0, nullptr, "unavailable",
                          std::string(events.status().message())};
      if (store::IsCompacted(events.status())) {
        err.error_code = "compacted";
        err.revision = CompactRevisionFrom(events.status());
        err.message = "the watch fell behind the store's compaction: list again and watch from the list's revision + 1";
      }
      Write(api::ToJson(err));
      stream_->Finish();
      return false;
    }
    if (!Send(*events)) return false;
    if (events->empty() && std::chrono::steady_clock::now() - last_bookmark_ >= state_.bookmark) {
      if (!Bookmark()) return false;
      last_bookmark_ = std::chrono::steady_clock::now();
    }
    return true;
  }

 private:
  bool Write(const nlohmann::json& j) {
    std::string line = j.dump();
    line.push_back('\n');
    return stream_->Write(std::move(line));
  }
  bool Bookmark() {
    return Write(api::ToJson(api::WatchEvent{api::WatchEvent::Type::kBookmark, "", "", state_.last, nullptr, "", ""}));
  }
  bool Send(const std::vector<store::Event>& events) {
    for (const store::Event& e : events) {
      state_.last = std::max(state_.last, e.kv.mod_revision);
      const std::string kind = keys_.KindOf(e.kv.key);
      if (kind.empty() || (!state_.kinds.empty() && !state_.kinds.contains(kind))) continue;
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
      if (!Write(api::ToJson(ev))) return false;
      metrics_.watch_events.Increment();
    }
    return true;
  }

  WatchState state_;
  std::shared_ptr<http_server::Stream> stream_;
  const Keys& keys_;
  Server::Metrics& metrics_;
  std::chrono::steady_clock::time_point last_bookmark_;
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
  WatchState state;
  int64_t revision = 0;
  if (req.HasParam("revision") && (!absl::SimpleAtoi(req.Param("revision"), &revision) || revision < 0)) {
    return SendError(responder, api::FieldError("revision", "must be a non-negative integer"));
  }
  if (req.HasParam("kinds") && !req.Param("kinds").empty()) {
    for (absl::string_view k : absl::StrSplit(req.Param("kinds"), ',', absl::SkipEmpty())) {
      std::string kind(k);
      if (api::SingularKind(kind).empty()) {
        return SendError(responder, api::FieldError("kinds", absl::StrCat("unknown kind \"", kind,
                                                                           "\"; use topology, networks, groups, hosts, "
                                                                           "blocks, addresses, policies, namespaces, endpoints")));
      }
      state.kinds.insert(kind);
    }
  }
  state.bookmark = options_.bookmark_interval;
  if (req.HasParam("bookmark_ms")) {
    int64_t ms = 0;
    if (!absl::SimpleAtoi(req.Param("bookmark_ms"), &ms) || ms < 10) {
      return SendError(responder, api::FieldError("bookmark_ms", "must be an integer >= 10"));
    }
    state.bookmark = std::min(state.bookmark, std::chrono::milliseconds(ms));
  }
  absl::StatusOr<store::Revision> current = raw_store_.CurrentRevision();
  if (!current.ok()) return SendError(responder, current.status());
  const store::Revision from = revision == 0 ? *current + 1 : revision;
  absl::StatusOr<std::unique_ptr<store::Watcher>> w = raw_store_.Watch(keys_.prefix() + "/", from);
  if (!w.ok()) {
    return SendError(responder, store::IsCompacted(w.status()) ? CompactedError(w.status(), from) : w.status());
  }
  state.watcher = *std::move(w);
  absl::StatusOr<std::vector<store::Event>> first = state.watcher->Next(std::chrono::milliseconds(0));
  if (!first.ok()) {
    return SendError(responder,
                     store::IsCompacted(first.status()) ? CompactedError(first.status(), from) : first.status());
  }
  state.first = *std::move(first);
  state.last = from - 1;

  Response head;
  head.content_type = "application/x-ndjson";
  head.headers.emplace_back("Cache-Control", "no-cache");
  std::shared_ptr<http_server::Stream> stream = responder.StartStream(std::move(head));
  auto feed = std::make_unique<WatchStreamFeed>(std::move(state), std::move(stream), keys_, *metrics_);
  if (feed->Open()) watch_pump_->Add(std::move(feed));
}

}  // namespace romana::daemon
