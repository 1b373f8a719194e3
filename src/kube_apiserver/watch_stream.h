// watch_stream.h: one open watch of the lab's Kubernetes API (kube_api_server.h): moves a
// store cursor's events to a chunked HTTP response as Kubernetes watch events, one JSON object
// per line: {"type": "ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR", "object": {...}}.
//
// Holds no thread: its work runs on the connection's io strand, scheduled by the cursor's
// wakeup, the connection's drained notification (the stream stops taking events above
// kHighWater buffered bytes), a bookmark timer and the timeout timer. A cursor that falls out
// of the window ends the stream with an ERROR event carrying a 410 Expired Status.
//
// Thread-safety: Start from the handler; everything else runs on the stream's strand.
#ifndef ROMANA_KUBE_APISERVER_WATCH_STREAM_H_
#define ROMANA_KUBE_APISERVER_WATCH_STREAM_H_

#include <chrono>
#include <memory>

#include "http_server/responder.h"
#include "kube_apiserver/kube_api_server.h"
#include "kube_apiserver/object_store.h"
#include "kube_apiserver/table.h"

namespace romana::kube_apiserver {

struct WatchStreamOptions {
  int resource = 0;
  bool bookmarks = false;       // allowWatchBookmarks
  bool initial_events_end = false;  // sendInitialEvents: a BOOKMARK marks the end of the initial ADDEDs
  std::chrono::milliseconds bookmark_interval{1000};
  std::chrono::milliseconds timeout{1800000};
  const base::Clock* clock = nullptr;  // bookmark timing; nullptr = the system clock. Must outlive the stream.
  // Set: each event's object is a Table of that one object (table.h; ages from `clock`; column
  // definitions in the first event only, as the Kubernetes API server sends them); ERROR and
  // BOOKMARK objects stay as they are.
  std::optional<TableRequest> table;
  // WatchControl::drop_generation when the request was counted: a DropWatches after that ends it.
  uint64_t generation = 0;
};

// Starts serving `cursor` on `stream`. The stream owns what it needs; `control` must outlive
// the stream (the server stops every stream before it goes).
void StartWatchStream(std::unique_ptr<ObjectStore::Cursor> cursor, std::shared_ptr<http_server::Stream> stream,
                      const KubeApiServer::WatchControl& control, WatchStreamOptions options);

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_WATCH_STREAM_H_
