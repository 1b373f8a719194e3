// ObjectStore::Cursor (object_store.h): one watch's position in a resource's event window.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kube_apiserver/api_status.h"
#include "kube_apiserver/object_store.h"

namespace romana::kube_apiserver {
namespace {

const ResourceInfo& Info(int resource) { return ServedResources()[static_cast<size_t>(resource)]; }

}  // namespace

ObjectStore::Cursor::Cursor(ObjectStore& store, int resource, WatchOptions options)
    : store_(store), resource_(resource), options_(std::move(options)), waiter_(std::make_shared<Waiter>()) {
  absl::MutexLock lock(&store_.mu_);
  ResourceState& st = store_.state_[static_cast<size_t>(resource_)];
  std::erase_if(st.waiters, [](const std::weak_ptr<Waiter>& w) { return w.expired(); });
  st.waiters.push_back(waiter_);
  if (options_.from.has_value()) {
    position_ = *options_.from;
    return;
  }
  position_ = store_.rv_;
  const std::string prefix = Info(resource_).namespaced && !options_.ns.empty() ? options_.ns + "/" : "";
  for (auto it = st.objects.lower_bound(prefix); it != st.objects.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (Matches(*it->second)) initial_.push_back(it->second);
  }
}

void ObjectStore::Cursor::SetWakeup(std::function<void()> fn) {
  absl::MutexLock lock(&store_.mu_);
  waiter_->fn = std::move(fn);
}

bool ObjectStore::Cursor::Matches(const StoredObject& o) const {
  if (Info(resource_).namespaced && !options_.ns.empty() && o.ns != options_.ns) return false;
  return options_.labels.Matches(o.labels) && options_.fields.Matches(o.fields);
}

absl::StatusOr<ObjectStore::Cursor::Batch> ObjectStore::Cursor::Next(size_t max) {
  Batch batch;
  while (initial_next_ < initial_.size() && batch.events.size() < max) {
    batch.events.emplace_back(StoreEvent::Type::kAdded, std::move(initial_[initial_next_++]));
  }
  if (initial_next_ < initial_.size()) return batch;
  if (!initial_.empty()) {
    initial_.clear();
    initial_.shrink_to_fit();
    initial_next_ = 0;
  }
  batch.initial_done = true;
  absl::MutexLock lock(&store_.mu_);
  const ResourceState& st = store_.state_[static_cast<size_t>(resource_)];
  if (position_ < st.oldest) {
    return ExpiredError(absl::StrCat("too old resource version: ", position_, " (", st.oldest, ")"));
  }
  auto it = std::upper_bound(st.window.begin(), st.window.end(), position_,
                             [](int64_t rv, const StoreEvent& e) { return rv < e.resource_version; });
  for (; it != st.window.end() && batch.events.size() < max; ++it) {
    position_ = it->resource_version;
    const bool now = Matches(*it->object);
    switch (it->type) {
      case StoreEvent::Type::kAdded:
        if (now) batch.events.emplace_back(StoreEvent::Type::kAdded, it->object);
        break;
      case StoreEvent::Type::kDeleted:
        if (now) batch.events.emplace_back(StoreEvent::Type::kDeleted, it->object);
        break;
      case StoreEvent::Type::kModified: {
        const bool before = Matches(*it->previous);
        if (now) batch.events.emplace_back(before ? StoreEvent::Type::kModified : StoreEvent::Type::kAdded, it->object);
        else if (before) batch.events.emplace_back(StoreEvent::Type::kDeleted, it->object);
        break;
      }
    }
  }
  if (it == st.window.end()) {
    batch.caught_up = true;
    batch.progress = std::max(position_, store_.rv_);
    position_ = batch.progress;
    waiter_->armed = true;
  }
  return batch;
}

}  // namespace romana::kube_apiserver
