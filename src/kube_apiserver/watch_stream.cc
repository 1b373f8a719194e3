#include "kube_apiserver/watch_stream.h"

#include "absl/strings/str_cat.h"
#include "base/keepalive_schedule.h"
#include "kube_apiserver/api_status.h"

namespace romana::kube_apiserver {
namespace {

// Above this many bytes waiting for the client, the stream takes no new events until drained.
constexpr size_t kHighWater = 256 << 10;
// Events moved per turn before yielding the io thread to other connections.
constexpr size_t kBatch = 256;

const char* TypeName(StoreEvent::Type t) {
  switch (t) {
    case StoreEvent::Type::kAdded: return "ADDED";
    case StoreEvent::Type::kModified: return "MODIFIED";
    case StoreEvent::Type::kDeleted: return "DELETED";
  }
  return "ERROR";
}

class WatchStream final : public std::enable_shared_from_this<WatchStream> {
 public:
  WatchStream(std::unique_ptr<ObjectStore::Cursor> cursor, std::shared_ptr<http_server::Stream> stream,
              const KubeApiServer::WatchControl& control, WatchStreamOptions options)
      : cursor_(std::move(cursor)),
        stream_(std::move(stream)),
        control_(control),
        options_(options),
        generation_(options.generation),
        bookmarks_(options.clock != nullptr ? *options.clock : system_clock_, options.bookmark_interval) {}

  static void Start(const std::shared_ptr<WatchStream>& self) {
    std::weak_ptr<WatchStream> weak = self;
    self->cursor_->SetWakeup([stream = std::weak_ptr<http_server::Stream>(self->stream_), weak] {
      if (std::shared_ptr<http_server::Stream> s = stream.lock()) s->Post([weak] { Run(weak); });
    });
    self->stream_->OnClose([self] {});  // the owner: dropped when the stream closes
    self->bookmarks_.Sent();
    self->stream_->Post([weak] { Run(weak); });
    if (self->options_.bookmarks) self->ArmBookmarkTimer(self->options_.bookmark_interval);
    self->stream_->PostAfter(self->options_.timeout, [weak] {
      if (std::shared_ptr<WatchStream> s = weak.lock()) s->stream_->Finish();
    });
  }

 private:
  static void Run(const std::weak_ptr<WatchStream>& weak) {
    if (std::shared_ptr<WatchStream> self = weak.lock()) self->Pump();
  }

  void Pump() {
    if (!stream_->open()) return;
    if (control_.drop_generation.load() != generation_) return stream_->Finish();
    if (control_.held.load()) return;  // ReleaseWatches wakes every cursor
    std::weak_ptr<WatchStream> weak = weak_from_this();
    if (stream_->buffered_bytes() > kHighWater) {
      stream_->WhenDrained([stream = std::weak_ptr<http_server::Stream>(stream_), weak] {
        if (std::shared_ptr<http_server::Stream> s = stream.lock()) s->Post([weak] { Run(weak); });
      });
      return;
    }
    absl::StatusOr<ObjectStore::Cursor::Batch> batch = cursor_->Next(kBatch);
    if (!batch.ok()) {
      stream_->Write(absl::StrCat(R"({"type":"ERROR","object":)", StatusObject(batch.status()).dump(), "}\n"));
      return stream_->Finish();
    }
    std::string lines;  // one chunk for the batch
    for (const auto& [type, object] : batch->events) {
      absl::StrAppend(&lines, R"({"type":")", TypeName(type), R"(","object":)",
                      options_.table ? TableOf(*object) : object->text, "}\n");
    }
    if (!lines.empty() && !stream_->Write(std::move(lines))) return;
    if (batch->initial_done && options_.initial_events_end && !initial_end_sent_ && batch->caught_up) {
      initial_end_sent_ = true;
      SendBookmark(batch->progress, true);
    }
    if (batch->caught_up) {
      progress_ = batch->progress;
      if (options_.bookmarks && bookmarks_.Due()) {
        SendBookmark(progress_, false);
      }
    } else {
      stream_->Post([weak] { Run(weak); });
    }
  }

  std::string TableOf(const StoredObject& object) {
    const bool with_columns = !table_columns_sent_;
    table_columns_sent_ = true;
    const std::string& plural = ServedResources()[static_cast<size_t>(options_.resource)].plural;
    return TableDocument(plural, *options_.table, {object.text},
                         {{"resourceVersion", absl::StrCat(object.resource_version)}}, with_columns,
                         (options_.clock != nullptr ? *options_.clock : system_clock_).WallNow())
        .dump();
  }

  void SendBookmark(int64_t rv, bool initial_events_end) {
    const ResourceInfo& r = ServedResources()[static_cast<size_t>(options_.resource)];
    nlohmann::json meta = {{"resourceVersion", absl::StrCat(rv)}};
    if (initial_events_end) meta["annotations"] = {{"k8s.io/initial-events-end", "true"}};
    nlohmann::json ev = {{"type", "BOOKMARK"},
                         {"object", {{"kind", r.kind}, {"apiVersion", r.api_version()}, {"metadata", meta}}}};
    if (stream_->Write(ev.dump() + "\n")) bookmarks_.Sent();
  }

  void ArmBookmarkTimer(std::chrono::milliseconds delay) {
    stream_->PostAfter(delay, [weak = weak_from_this()] {
      std::shared_ptr<WatchStream> self = weak.lock();
      if (!self || !self->stream_->open()) return;
      const bool due = self->bookmarks_.Due();
      if (due) self->Pump();  // sends the bookmark when caught up
      self->ArmBookmarkTimer(due ? self->bookmarks_.interval() : self->bookmarks_.NextCheck());
    });
  }

  const std::unique_ptr<ObjectStore::Cursor> cursor_;
  const std::shared_ptr<http_server::Stream> stream_;
  const KubeApiServer::WatchControl& control_;
  const WatchStreamOptions options_;
  const uint64_t generation_;
  const base::SystemClock system_clock_;  // when options.clock is not given
  base::KeepaliveSchedule bookmarks_;     // strand only
  int64_t progress_ = 0;                  // strand only
  bool initial_end_sent_ = false;                        // strand only
  bool table_columns_sent_ = false;                      // strand only
};

}  // namespace

void StartWatchStream(std::unique_ptr<ObjectStore::Cursor> cursor, std::shared_ptr<http_server::Stream> stream,
                      const KubeApiServer::WatchControl& control, WatchStreamOptions options) {
  WatchStream::Start(std::make_shared<WatchStream>(std::move(cursor), std::move(stream), control, options));
}

}  // namespace romana::kube_apiserver
