#include "k8s/informer.h"

#include "spdlog/spdlog.h"

namespace romana::k8s {

using nlohmann::json;

namespace {

ReflectorOptions WithTransform(ReflectorOptions r, const std::function<json(json)>& transform) {
  if (transform) r.transform = transform;
  return r;
}

}  // namespace

Informer::Informer(KubeClient& client, InformerOptions options)
    : client_(client),
      options_(std::move(options)),
      reflector_(std::make_unique<Reflector>(client_, static_cast<ResourceHandler&>(*this),
                                             WithTransform(options_.reflector, options_.transform))) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandler(InformerHandler* handler) { handlers_.push_back(handler); }

void Informer::AddIndex(const std::string& name, IndexFunc func) { index_funcs_[name] = std::move(func); }

void Informer::Start() {
  watch_thread_ = std::thread([this] { reflector_->Run(); });
  if (options_.resync_period.count() > 0) resync_thread_ = std::thread([this] { ResyncLoop(); });
}

void Informer::RequestStop() {
  {
    std::lock_guard lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  reflector_->Stop();
}

void Informer::Stop() {
  RequestStop();
  if (watch_thread_.joinable()) watch_thread_.join();
  if (resync_thread_.joinable()) resync_thread_.join();
}

std::string Informer::KeyOf(const json& object) {
  const json& meta = object.contains("metadata") && object["metadata"].is_object() ? object["metadata"] : json::object();
  const std::string name = meta.contains("name") && meta["name"].is_string() ? meta["name"].get<std::string>() : "";
  if (meta.contains("namespace") && meta["namespace"].is_string() && !meta["namespace"].get<std::string>().empty()) {
    return meta["namespace"].get<std::string>() + "/" + name;
  }
  return name;
}

std::optional<json> Informer::Get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return std::nullopt;
  return *it->second;
}

std::vector<json> Informer::List() const {
  std::lock_guard lock(mu_);
  std::vector<json> out;
  out.reserve(items_.size());
  for (const auto& [key, object] : items_) out.push_back(*object);
  return out;
}

std::vector<std::shared_ptr<const json>> Informer::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const json>> out;
  out.reserve(items_.size());
  for (const auto& [key, object] : items_) out.push_back(object);
  return out;
}

std::vector<std::string> Informer::Keys() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [key, object] : items_) out.push_back(key);
  return out;
}

size_t Informer::Size() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

std::vector<json> Informer::ByIndex(const std::string& index, const std::string& value) const {
  std::lock_guard lock(mu_);
  std::vector<json> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) return out;
  for (const std::string& key : keys->second) out.push_back(*items_.at(key));
  return out;
}

void Informer::StoreLocked(const std::string& key, std::shared_ptr<const json> object) {
  auto old = items_.find(key);
  if (old != items_.end()) {
    for (const auto& [name, func] : index_funcs_) {
      auto& values = indexes_[name];
      for (const std::string& v : func(*old->second)) {
        auto it = values.find(v);
        if (it == values.end()) continue;
        it->second.erase(key);
        if (it->second.empty()) values.erase(it);
      }
    }
  }
  if (object == nullptr) {
    if (old != items_.end()) items_.erase(old);
    return;
  }
  const json& stored = *object;
  items_[key] = std::move(object);
  for (const auto& [name, func] : index_funcs_) {
    for (const std::string& v : func(stored)) indexes_[name][v].insert(key);
  }
}

void Informer::OnSync(std::vector<json> items) {
  // (`items` were transformed by the reflector already.)
  std::lock_guard dispatch(dispatch_mu_);
  // What changed between the cache and the new list, computed and stored under mu_, then handed
  // to the handlers in the order deletes, adds, updates. The listed objects are moved into the
  // cache, and handlers get the cache's own (shared, immutable) objects: a list of 150,000 pods
  // is never copied.
  const size_t listed = items.size();
  std::vector<std::shared_ptr<const json>> deleted, added;
  std::vector<std::pair<std::shared_ptr<const json>, std::shared_ptr<const json>>> updated;  // old, new
  {
    std::lock_guard lock(mu_);
    std::map<std::string, json*> fresh;
    for (json& object : items) fresh.emplace(KeyOf(object), &object);
    std::vector<std::string> gone;
    for (const auto& [key, object] : items_) {
      if (!fresh.count(key)) gone.push_back(key);
    }
    for (const std::string& key : gone) {
      deleted.push_back(items_.at(key));
      StoreLocked(key, nullptr);
    }
    for (const auto& [key, object] : fresh) {
      auto it = items_.find(key);
      if (it != items_.end() && *it->second == *object) continue;
      std::shared_ptr<const json> old = it == items_.end() ? nullptr : it->second;
      auto now = std::make_shared<const json>(std::move(*object));
      StoreLocked(key, now);
      if (old) updated.emplace_back(std::move(old), std::move(now));
      else added.push_back(std::move(now));
    }
  }
  items = {};
  for (InformerHandler* h : handlers_) {
    for (const auto& o : deleted) h->OnDelete(*o);
    for (const auto& o : added) h->OnAdd(*o);
    for (const auto& [old, now] : updated) h->OnUpdate(*old, *now);
  }
  if (!synced_.exchange(true)) spdlog::info("{}: synced, {} objects", options_.reflector.path, listed);
}

void Informer::OnEvent(const std::string& type, const json& object) {
  std::lock_guard dispatch(dispatch_mu_);
  const std::string key = KeyOf(object);
  std::shared_ptr<const json> old;
  {
    std::lock_guard lock(mu_);
    auto it = items_.find(key);
    if (it != items_.end()) old = it->second;
    StoreLocked(key, type == "DELETED" ? nullptr : std::make_shared<const json>(object));
  }
  for (InformerHandler* h : handlers_) {
    if (type == "DELETED") {
      h->OnDelete(old ? *old : object);
    } else if (old) {
      h->OnUpdate(*old, object);
    } else {
      h->OnAdd(object);
    }
  }
}

void Informer::Resync() {
  std::lock_guard dispatch(dispatch_mu_);
  if (!synced_) return;
  const std::vector<std::shared_ptr<const json>> all = Snapshot();
  for (InformerHandler* h : handlers_) {
    for (const auto& o : all) h->OnUpdate(*o, *o);
  }
}

void Informer::ResyncLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, options_.resync_period, [this] { return stop_.load(); })) {
    lock.unlock();
    Resync();
    lock.lock();
  }
}

}  // namespace romana::k8s
