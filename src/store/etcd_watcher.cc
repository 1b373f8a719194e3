#include "store/etcd_watcher.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace romana::store {

EtcdWatcher::EtcdWatcher(EtcdConnection& connection, std::string prefix, Revision from)
    : connection_(connection), prefix_(std::move(prefix)), next_(from) {
  thread_ = std::thread([this] { Run(); });
}

EtcdWatcher::~EtcdWatcher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
    cv_.SignalAll();
  }
  thread_.join();
}

absl::StatusOr<std::vector<Event>> EtcdWatcher::Next(std::chrono::milliseconds timeout) {
  const absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
  absl::MutexLock lock(&mu_);
  while (ready_.empty() && !error_.has_value()) {
    if (cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  std::vector<Event> batch;
  while (!ready_.empty()) {
    batch.insert(batch.end(), std::make_move_iterator(ready_.front().begin()),
                 std::make_move_iterator(ready_.front().end()));
    ready_.pop_front();
  }
  if (batch.empty() && error_.has_value()) return *error_;
  return batch;
}

void EtcdWatcher::Fail(absl::Status status) {
  absl::MutexLock lock(&mu_);
  error_ = std::move(status);
  cv_.SignalAll();
}

void EtcdWatcher::Run() {
  size_t index = connection_.preferred();
  absl::Time failing_since = absl::Now();
  absl::Duration backoff = absl::Milliseconds(50);
  while (true) {
    bool connected = false;
    StreamEnd end = RunStream(index, connected);
    if (end != StreamEnd::kBroken) return;
    if (connected) {
      failing_since = absl::Now();
      backoff = absl::Milliseconds(50);
    } else if (absl::Now() - failing_since > absl::FromChrono(connection_.options().watch_retry_window)) {
      Fail(absl::UnavailableError(absl::StrCat("etcd watch ", prefix_,
                                               ": no endpoint answered; last revision seen ",
                                               next_ - 1)));
      return;
    }
    index = (index + 1) % connection_.size();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    cv_.WaitWithTimeout(&mu_, backoff);
    if (stopping_) return;
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
}

EtcdWatcher::StreamEnd EtcdWatcher::RunStream(size_t index, bool& connected) {
  EtcdConnection::Endpoint& endpoint = connection_.endpoint(index);
  grpc::ClientContext context;
  // Like etcd's clientv3.WithRequireLeader: a member without a leader cancels the watch
  // instead of leaving it silent.
  context.AddMetadata("hasleader", "true");
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return StreamEnd::kStopped;
    active_ = &context;
  }
  auto unregister = [&] {
    absl::MutexLock lock(&mu_);
    active_ = nullptr;
    return stopping_;
  };
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>>
      stream = endpoint.watch->Watch(&context);
  etcdserverpb::WatchRequest request;
  auto* create = request.mutable_create_request();
  create->set_key(prefix_);
  create->set_range_end(PrefixEnd(prefix_));
  create->set_start_revision(next_);
  bool ok = stream->Write(request);
  etcdserverpb::WatchResponse response;
  while (ok && stream->Read(&response)) {
    if (response.compact_revision() != 0) {
      context.TryCancel();
      stream->Finish().ok();
      unregister();
      Fail(CompactedError("watch from revision", next_, response.compact_revision()));
      return StreamEnd::kFatal;
    }
    if (response.created()) connected = true;
    if (response.canceled()) break;  // e.g. the member lost its leader: reconnect
    if (response.events_size() == 0) continue;
    std::vector<Event> batch;
    batch.reserve(response.events_size());
    for (const mvccpb::Event& e : response.events()) {
      Event event;
      event.type = e.type() == mvccpb::Event::DELETE ? Event::Type::kDelete : Event::Type::kPut;
      event.kv = KeyValue{e.kv().key(),         e.kv().value(),   e.kv().create_revision(),
                          e.kv().mod_revision(), e.kv().version(), e.kv().lease()};
      batch.push_back(std::move(event));
    }
    next_ = batch.back().kv.mod_revision + 1;
    absl::MutexLock lock(&mu_);
    ready_.push_back(std::move(batch));
    cv_.SignalAll();
  }
  context.TryCancel();
  stream->Finish().ok();
  if (unregister()) return StreamEnd::kStopped;
  return StreamEnd::kBroken;
}

}  // namespace romana::store
