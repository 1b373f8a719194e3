#include "kube_apiserver/object_store.h"

#include <algorithm>
#include <ctime>

#include "absl/strings/numbers.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kube_apiserver/api_status.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

const ResourceInfo& Info(int resource) { return ServedResources()[static_cast<size_t>(resource)]; }

// RFC 1123 subdomain (most names) or label (namespaces): lower-case alphanumerics, '-' and
// ('.' for subdomains), starting and ending alphanumeric.
std::string NameProblem(const std::string& name, bool label) {
  const size_t max = label ? 63 : 253;
  if (name.empty()) return "name or generateName is required";
  if (name.size() > max) return absl::StrCat("must be no more than ", max, " characters");
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : name) {
    if (!alnum(c) && c != '-' && !(c == '.' && !label)) {
      return label ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'"
                   : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'";
    }
  }
  if (!alnum(name.front()) || !alnum(name.back())) return "must start and end with an alphanumeric character";
  return "";
}

std::string FieldText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// The value at a dotted path ("spec.nodeName"), null when absent.
json AtPath(const json& obj, const std::string& path) {
  const json* cur = &obj;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(std::string(part));
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return *cur;
}

std::string RfcTime(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Rv(int64_t rv) { return absl::StrCat(rv); }

}  // namespace

ObjectStore::ObjectStore(ObjectStoreOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : system_clock_),
      state_(ServedResources().size()),
      random_(options_.seed ? options_.seed : std::random_device{}()) {
  const int ns = ResourceIndex("namespaces");
  for (const std::string& n : options_.initial_namespaces) (void)Put(ns, {{"metadata", {{"name", n}}}});
}

std::string ObjectStore::Key(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : absl::StrCat(ns, "/", name);
}

int64_t ObjectStore::resource_version() const {
  absl::ReaderMutexLock lock(&mu_);
  return rv_;
}

std::string ObjectStore::RandomSuffix(size_t n) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";  // as Kubernetes' generateName
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kAlphabet[random_() % (sizeof(kAlphabet) - 1)];
  return out;
}

std::string ObjectStore::NewUid() {
  const uint64_t a = random_(), b = random_();
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

absl::StatusOr<ObjectPtr> ObjectStore::Build(int resource, json object, const StoredObject* previous) {
  const ResourceInfo& r = Info(resource);
  json& meta = object["metadata"];
  const std::string name = meta.value("name", "");
  if (std::string why = NameProblem(name, resource == ResourceIndex("namespaces")); !why.empty()) {
    return InvalidError(r, name, "metadata.name: Invalid value: \"" + name + "\": " + why);
  }
  for (const char* field : {"labels", "annotations"}) {
    if (!meta.contains(field)) continue;
    if (meta[field].is_null()) {
      meta.erase(field);
      continue;
    }
    if (!meta[field].is_object()) return BadRequestError(absl::StrCat("metadata.", field, " must be a map of strings"));
    for (const auto& [k, v] : meta[field].items()) {
      if (!v.is_string()) {
        return BadRequestError(absl::StrCat("metadata.", field, "[", k, "] must be a string, not ", v.type_name()));
      }
    }
  }
  auto stored = std::make_shared<StoredObject>();
  stored->resource = resource;
  stored->name = name;
  stored->ns = r.namespaced ? meta.value("namespace", "") : "";
  if (!r.namespaced) meta.erase("namespace");
  stored->resource_version = ++rv_;
  if (resource == ResourceIndex("namespaces")) {
    if (!object.contains("spec")) object["spec"] = {{"finalizers", {"kubernetes"}}};
    object["status"]["phase"] = "Active";
  }
  auto spec = object.find("spec");
  stored->spec_hash = spec == object.end() ? 0 : std::hash<std::string>{}(spec->dump());
  if (previous) {
    stored->uid = previous->uid;
    stored->creation_timestamp = previous->creation_timestamp;
    stored->generation = previous->generation + (stored->spec_hash != previous->spec_hash ? 1 : 0);
  } else {
    stored->uid = NewUid();
    stored->creation_timestamp = RfcTime(clock_.WallNow());
  }
  meta["creationTimestamp"] = stored->creation_timestamp;
  meta["generation"] = stored->generation;
  meta["uid"] = stored->uid;
  meta["resourceVersion"] = Rv(stored->resource_version);
  object["kind"] = r.kind;
  object["apiVersion"] = r.api_version();
  if (meta.contains("labels")) {
    for (const auto& [k, v] : meta["labels"].items()) stored->labels[k] = v.get<std::string>();
  }
  stored->fields.emplace_back("metadata.name", name);
  stored->fields.emplace_back("metadata.namespace", stored->ns);
  for (const std::string& f : r.selectable_fields) stored->fields.emplace_back(f, FieldText(AtPath(object, f)));
  stored->text = object.dump();
  return stored;
}

void ObjectStore::Commit(int resource, ObjectPtr object, ObjectPtr previous, std::vector<std::function<void()>>& wake) {
  ResourceState& st = state_[static_cast<size_t>(resource)];
  StoreEvent e;
  e.resource_version = object->resource_version;
  e.object = object;
  const std::string key = Key(object->ns, object->name);
  auto it = st.objects.find(key);
  if (previous && it == st.objects.end()) {
    e.type = StoreEvent::Type::kDeleted;  // RemoveLocked passes the removed version as previous
  } else if (it != st.objects.end()) {
    e.type = StoreEvent::Type::kModified;
    e.previous = it->second;
    it->second = object;
  } else {
    e.type = StoreEvent::Type::kAdded;
    st.objects.emplace(key, object);
  }
  st.window.push_back(std::move(e));
  while (st.window.size() > options_.window_events) {
    st.oldest = st.window.front().resource_version;
    st.window.pop_front();
  }
  for (auto w = st.waiters.begin(); w != st.waiters.end();) {
    std::shared_ptr<Waiter> waiter = w->lock();
    if (!waiter) {
      w = st.waiters.erase(w);
      continue;
    }
    if (waiter->armed && waiter->fn) {
      waiter->armed = false;
      wake.push_back(waiter->fn);  // a copy: SetWakeup may replace it once the lock is released
    }
    ++w;
  }
}

void ObjectStore::Wake(const std::vector<std::function<void()>>& wake) {
  for (const std::function<void()>& fn : wake) fn();
}

absl::StatusOr<ObjectPtr> ObjectStore::Create(int resource, const std::string& ns, json object, bool check_namespace) {
  const ResourceInfo& r = Info(resource);
  if (!object.is_object()) return BadRequestError("the body is not a JSON object");
  json& meta = object["metadata"];
  if (!meta.is_object()) return BadRequestError("metadata must be an object");
  if (r.namespaced) {
    const std::string body_ns = meta.value("namespace", "");
    if (!body_ns.empty() && body_ns != ns) {
      return BadRequestError("the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = ns;
  }
  std::vector<std::function<void()>> wake;
  absl::StatusOr<ObjectPtr> out;
  {
    absl::MutexLock lock(&mu_);
    if (r.namespaced && check_namespace && !state_[ResourceIndex("namespaces")].objects.contains(ns)) {
      return NotFoundError(Info(ResourceIndex("namespaces")), ns);
    }
    ResourceState& st = state_[static_cast<size_t>(resource)];
    std::string name = meta.value("name", "");
    const std::string generate = meta.value("generateName", "");
    if (name.empty() && !generate.empty()) {
      do {
        name = generate + RandomSuffix(5);
      } while (st.objects.contains(Key(ns, name)));
      meta["name"] = name;
    }
    if (st.objects.contains(Key(r.namespaced ? ns : "", name))) return AlreadyExistsError(r, name);
    out = Build(resource, std::move(object), nullptr);
    if (!out.ok()) return out.status();
    Commit(resource, *out, nullptr, wake);
  }
  Wake(wake);
  return out;
}

absl::StatusOr<ObjectPtr> ObjectStore::UpdateLocked(int resource, const std::string& ns, const std::string& name,
                                                    json object, bool* created,
                                                    std::vector<std::function<void()>>& wake) {
  const ResourceInfo& r = Info(resource);
  if (!object.is_object()) return BadRequestError("the body is not a JSON object");
  json& meta = object["metadata"];
  if (!meta.is_object()) return BadRequestError("metadata must be an object");
  if (meta.value("name", "") != name) {
    return BadRequestError(absl::StrCat("the name of the object (", meta.value("name", ""),
                                        ") does not match the name on the URL (", name, ")"));
  }
  if (r.namespaced) {
    const std::string body_ns = meta.value("namespace", "");
    if (!body_ns.empty() && body_ns != ns) {
      return BadRequestError("the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = ns;
  }
  ResourceState& st = state_[static_cast<size_t>(resource)];
  auto it = st.objects.find(Key(ns, name));
  const std::string want_rv = meta.contains("resourceVersion") ? FieldText(meta["resourceVersion"]) : "";
  if (it == st.objects.end()) {
    if (!want_rv.empty()) return NotFoundError(r, name);
    if (r.namespaced && !state_[ResourceIndex("namespaces")].objects.contains(ns)) {
      return NotFoundError(Info(ResourceIndex("namespaces")), ns);
    }
    *created = true;
    absl::StatusOr<ObjectPtr> out = Build(resource, std::move(object), nullptr);
    if (out.ok()) Commit(resource, *out, nullptr, wake);
    return out;
  }
  *created = false;
  const ObjectPtr current = it->second;
  if (!want_rv.empty() && want_rv != Rv(current->resource_version)) {
    return ConflictError(r, name, "the object has been modified; please apply your changes to the latest version and try again");
  }
  const std::string want_uid = meta.value("uid", "");
  if (!want_uid.empty() && want_uid != current->uid) {
    return ConflictError(r, name, absl::StrCat("Precondition failed: UID in precondition: ", want_uid,
                                               ", UID in object meta: ", current->uid));
  }
  absl::StatusOr<ObjectPtr> out = Build(resource, std::move(object), current.get());
  if (out.ok()) Commit(resource, *out, current, wake);
  return out;
}

absl::StatusOr<ObjectPtr> ObjectStore::Update(int resource, const std::string& ns, const std::string& name,
                                              json object, bool* created) {
  return ChangeAndWake([&](Wakeups& wake) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return UpdateLocked(resource, Info(resource).namespaced ? ns : "", name, std::move(object), created, wake);
  });
}

absl::StatusOr<ObjectPtr> ObjectStore::Mutate(int resource, const std::string& ns, const std::string& name,
                                              const std::function<absl::StatusOr<json>(json)>& mutate) {
  const ResourceInfo& r = Info(resource);
  const std::string key_ns = r.namespaced ? ns : "";
  return ChangeAndWake([&](Wakeups& wake) ABSL_NO_THREAD_SAFETY_ANALYSIS -> absl::StatusOr<ObjectPtr> {
    absl::StatusOr<ObjectPtr> current = FindLocked(resource, key_ns, name);
    if (!current.ok()) return current.status();
    absl::StatusOr<json> changed = mutate(json::parse((*current)->text));
    if (!changed.ok()) return changed.status();
    if (!changed->is_object() || !(*changed)["metadata"].is_object()) {
      return BadRequestError("the patched object is not an object with metadata");
    }
    json& meta = (*changed)["metadata"];
    if (meta.value("name", "") != name) return BadRequestError("a patch cannot change metadata.name");
    if (r.namespaced && meta.value("namespace", "") != key_ns) {
      return BadRequestError("a patch cannot change metadata.namespace");
    }
    bool created = false;
    return UpdateLocked(resource, key_ns, name, *std::move(changed), &created, wake);
  });
}

absl::StatusOr<ObjectPtr> ObjectStore::FindLocked(int resource, const std::string& ns, const std::string& name) const {
  const ResourceState& st = state_[static_cast<size_t>(resource)];
  auto it = st.objects.find(Key(ns, name));
  if (it == st.objects.end()) return NotFoundError(Info(resource), name);
  return it->second;
}

absl::StatusOr<ObjectPtr> ObjectStore::ChangeAndWake(
    const std::function<absl::StatusOr<ObjectPtr>(Wakeups&)>& change) {
  Wakeups wake;
  absl::StatusOr<ObjectPtr> out;
  {
    absl::MutexLock lock(&mu_);
    out = change(wake);
  }
  Wake(wake);
  return out;
}

absl::StatusOr<ObjectPtr> ObjectStore::RemoveLocked(int resource, const std::string& ns, const std::string& name,
                                                    std::vector<std::function<void()>>& wake) {
  ResourceState& st = state_[static_cast<size_t>(resource)];
  auto it = st.objects.find(Key(ns, name));
  if (it == st.objects.end()) return NotFoundError(Info(resource), name);
  const ObjectPtr last = it->second;
  st.objects.erase(it);
  auto gone = std::make_shared<StoredObject>(*last);
  gone->resource_version = ++rv_;
  json body = json::parse(last->text);
  body["metadata"]["resourceVersion"] = Rv(gone->resource_version);
  gone->text = body.dump();
  Commit(resource, gone, last, wake);
  return ObjectPtr(gone);
}

absl::StatusOr<ObjectPtr> ObjectStore::Delete(int resource, const std::string& ns, const std::string& name,
                                              const std::string& precondition_rv, const std::string& precondition_uid) {
  const ResourceInfo& r = Info(resource);
  const std::string key_ns = r.namespaced ? ns : "";
  return ChangeAndWake([&](Wakeups& wake) ABSL_NO_THREAD_SAFETY_ANALYSIS -> absl::StatusOr<ObjectPtr> {
    absl::StatusOr<ObjectPtr> current = FindLocked(resource, key_ns, name);
    if (!current.ok()) return current.status();
    if (!precondition_rv.empty() && precondition_rv != Rv((*current)->resource_version)) {
      return ConflictError(r, name, absl::StrCat("Precondition failed: ResourceVersion in precondition: ",
                                                 precondition_rv, ", ResourceVersion in object meta: ",
                                                 (*current)->resource_version));
    }
    if (!precondition_uid.empty() && precondition_uid != (*current)->uid) {
      return ConflictError(r, name, absl::StrCat("Precondition failed: UID in precondition: ", precondition_uid,
                                                 ", UID in object meta: ", (*current)->uid));
    }
    if (resource == ResourceIndex("namespaces")) {
      for (size_t other = 0; other < state_.size(); ++other) {
        if (!ServedResources()[other].namespaced) continue;
        std::vector<std::string> names;
        const std::string prefix = name + "/";
        for (auto o = state_[other].objects.lower_bound(prefix);
             o != state_[other].objects.end() && o->first.compare(0, prefix.size(), prefix) == 0; ++o) {
          names.push_back(o->second->name);
        }
        for (const std::string& n : names) (void)RemoveLocked(static_cast<int>(other), name, n, wake);
      }
    }
    return RemoveLocked(resource, key_ns, name, wake);
  });
}

absl::StatusOr<ObjectPtr> ObjectStore::Put(int resource, json object) {
  const ResourceInfo& r = Info(resource);
  if (!object.is_object() || !object["metadata"].is_object()) return BadRequestError("the object needs metadata");
  json& meta = object["metadata"];
  const std::string ns = r.namespaced ? meta.value("namespace", "default") : "";
  if (r.namespaced) meta["namespace"] = ns;
  meta.erase("resourceVersion");
  meta.erase("uid");
  const std::string name = meta.value("name", "");
  return ChangeAndWake([&](Wakeups& wake) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    absl::StatusOr<ObjectPtr> found = FindLocked(resource, ns, name);
    const ObjectPtr current = found.ok() ? *found : nullptr;
    absl::StatusOr<ObjectPtr> out = Build(resource, std::move(object), current.get());
    if (out.ok()) Commit(resource, *out, current, wake);
    return out;
  });
}

absl::StatusOr<ObjectPtr> ObjectStore::Get(int resource, const std::string& ns, const std::string& name) const {
  const ResourceInfo& r = Info(resource);
  absl::ReaderMutexLock lock(&mu_);
  const ResourceState& st = state_[static_cast<size_t>(resource)];
  auto it = st.objects.find(Key(r.namespaced ? ns : "", name));
  if (it == st.objects.end()) return NotFoundError(r, name);
  return it->second;
}

absl::StatusOr<ObjectStore::ListResult> ObjectStore::List(int resource, const ListOptions& options) const {
  const ResourceInfo& r = Info(resource);
  // A continue token is base64("<resourceVersion>/<last key>").
  int64_t at = 0;
  std::string after;
  if (!options.continue_token.empty()) {
    std::string raw;
    std::vector<std::string> parts;
    if (absl::WebSafeBase64Unescape(options.continue_token, &raw)) parts = absl::StrSplit(raw, absl::MaxSplits('/', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &at)) return BadRequestError("continue key is not valid");
    after = parts[1];
  }
  ListResult out;
  absl::ReaderMutexLock lock(&mu_);
  const ResourceState& st = state_[static_cast<size_t>(resource)];
  if (at != 0 && at < st.oldest) {
    return ExpiredError(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list "
        "without the continue parameter.");
  }
  out.resource_version = at != 0 ? at : rv_;
  const std::string prefix = r.namespaced && !options.ns.empty() ? options.ns + "/" : "";
  auto it = after.empty() ? st.objects.lower_bound(prefix) : st.objects.upper_bound(after);
  for (; it != st.objects.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    const StoredObject& o = *it->second;
    if (!options.labels.Matches(o.labels) || !options.fields.Matches(o.fields)) continue;
    if (options.limit > 0 && static_cast<int64_t>(out.items.size()) == options.limit) {
      out.continue_token = absl::WebSafeBase64Escape(absl::StrCat(out.resource_version, "/", Key(out.items.back()->ns, out.items.back()->name)));
      break;
    }
    out.items.push_back(it->second);
  }
  return out;
}

std::unique_ptr<ObjectStore::Cursor> ObjectStore::Watch(int resource, WatchOptions options) {
  return std::unique_ptr<Cursor>(new Cursor(*this, resource, std::move(options)));
}

void ObjectStore::Compact() {
  absl::MutexLock lock(&mu_);
  for (ResourceState& st : state_) {
    st.window.clear();
    st.oldest = rv_;
  }
}

void ObjectStore::WakeAll() {
  std::vector<std::function<void()>> wake;
  {
    absl::MutexLock lock(&mu_);
    for (ResourceState& st : state_) {
      for (const std::weak_ptr<Waiter>& w : st.waiters) {
        std::shared_ptr<Waiter> waiter = w.lock();
        if (waiter && waiter->fn) wake.push_back(waiter->fn);
      }
    }
  }
  Wake(wake);
}

}  // namespace romana::kube_apiserver
