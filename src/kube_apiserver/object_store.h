// object_store.h: the versioned in-memory object store behind the lab's Kubernetes API
// (docs/lab-kubernetes-api.md): the objects of every served resource, one resourceVersion
// counter, and per resource a bounded window of recent events that watches read through
// cursors. No I/O; the HTTP layer (kube_api_server.h) renders and routes.
//
// Semantics follow the Kubernetes API server where the lab needs them: create (AlreadyExists,
// generateName, uid, creationTimestamp, generation), update with optimistic concurrency
// (Conflict on a stale metadata.resourceVersion or uid), read-modify-write for patches,
// delete with preconditions (deleting a namespace deletes its namespaced objects first),
// namespaced objects only in existing namespaces, lists with selectors and pagination, and
// watches from a resourceVersion (Expired when it is older than the resource's window). There
// is no defaulting or schema validation beyond metadata; status is stored as written.
//
// Thread-safety: every ObjectStore method is safe from any thread. A Cursor is used by one
// thread at a time; its wakeup runs on the writer's thread, with no lock held, and must only
// schedule work.
#ifndef ROMANA_KUBE_APISERVER_OBJECT_STORE_H_
#define ROMANA_KUBE_APISERVER_OBJECT_STORE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "kube_apiserver/resources.h"
#include "kube_apiserver/selectors.h"
#include "nlohmann/json.hpp"

namespace romana::kube_apiserver {

// One version of one object. Immutable once stored; shared by the store, events and readers.
struct StoredObject {
  int resource = 0;  // index into ServedResources()
  std::string ns;    // "" for cluster-scoped objects
  std::string name;
  std::string uid;
  int64_t resource_version = 0;
  int64_t generation = 1;
  std::string creation_timestamp;
  size_t spec_hash = 0;  // of the spec's JSON: a changed spec bumps the generation
  Labels labels;
  Fields fields;     // the selectable fields, metadata.name and metadata.namespace included
  std::string text;  // the object as JSON (what GET answers)
};
using ObjectPtr = std::shared_ptr<const StoredObject>;

struct StoreEvent {
  enum class Type { kAdded, kModified, kDeleted };
  int64_t resource_version = 0;
  Type type = Type::kAdded;
  ObjectPtr object;    // the new version (for kDeleted: the last one, at the deletion's version)
  ObjectPtr previous;  // kModified: the version before (to turn selector transitions into ADDED/DELETED)
};

struct ObjectStoreOptions {
  // Events kept per resource; a watch from before them gets Expired. Default: 50,000.
  size_t window_events = 50000;
  // Namespaces that exist from the start.
  std::vector<std::string> initial_namespaces = {"default", "kube-system", "kube-public", "kube-node-lease"};
  // For creationTimestamp; nullptr = the system clock. Must outlive the store.
  const base::Clock* clock = nullptr;
  // Seeds generateName suffixes and uids; 0 = random.
  uint64_t seed = 0;
};

class ObjectStore {
 public:
  class Cursor;

  explicit ObjectStore(ObjectStoreOptions options = {});
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  // The latest resourceVersion handed out.
  int64_t resource_version() const;

  // POST: stores a new object in namespace `ns` ("" for cluster-scoped resources). Errors:
  // BadRequest (not an object, namespace differs from `ns`), Invalid (no or bad name),
  // NotFound (namespace missing, unless !check_namespace), AlreadyExists.
  absl::StatusOr<ObjectPtr> Create(int resource, const std::string& ns, nlohmann::json object,
                                   bool check_namespace = true);
  // PUT: replaces ns/name, or creates it when absent and the body has no resourceVersion
  // (*created tells which). Errors: BadRequest (name/namespace differ from the path),
  // Conflict (metadata.resourceVersion or uid differ from the stored ones), NotFound.
  absl::StatusOr<ObjectPtr> Update(int resource, const std::string& ns, const std::string& name,
                                   nlohmann::json object, bool* created);
  // PATCH: `mutate` turns the current object into the new one, under the store's lock (keep it
  // pure and short). Errors: NotFound, mutate's error, BadRequest (name or namespace changed),
  // Conflict (the result names a resourceVersion other than the current one).
  absl::StatusOr<ObjectPtr> Mutate(int resource, const std::string& ns, const std::string& name,
                                   const std::function<absl::StatusOr<nlohmann::json>(nlohmann::json)>& mutate);
  // DELETE: removes ns/name and returns its last version. Deleting a namespace first deletes
  // every namespaced object in it. Errors: NotFound, Conflict (a precondition fails).
  absl::StatusOr<ObjectPtr> Delete(int resource, const std::string& ns, const std::string& name,
                                   const std::string& precondition_rv = "", const std::string& precondition_uid = "");
  // Test and lab side: creates or replaces unconditionally (namespace from metadata.namespace,
  // default "default"; the namespace need not exist). Errors as Create (Invalid name).
  absl::StatusOr<ObjectPtr> Put(int resource, nlohmann::json object);

  absl::StatusOr<ObjectPtr> Get(int resource, const std::string& ns, const std::string& name) const;

  struct ListOptions {
    std::string ns;  // "" = every namespace
    LabelSelector labels;
    FieldSelector fields;
    int64_t limit = 0;          // 0 = no limit
    std::string continue_token;  // from a previous page
  };
  struct ListResult {
    std::vector<ObjectPtr> items;  // in namespace/name order
    int64_t resource_version = 0;
    std::string continue_token;    // "" on the last page
  };
  // Errors: BadRequest (malformed continue token), Expired (a continue token older than the
  // resource's window: list again from the start). Pages after the first show the current
  // objects and carry the first page's resourceVersion: a watch from it replays every change
  // since, so a client converges (the changes it already saw come again as MODIFIED).
  absl::StatusOr<ListResult> List(int resource, const ListOptions& options) const;

  struct WatchOptions {
    std::string ns;  // "" = every namespace
    LabelSelector labels;
    FieldSelector fields;
    // nullopt: first the current objects as ADDED, then changes. N: every change after N.
    std::optional<int64_t> from;
  };
  // A cursor over one resource's changes (the store outlives it). Never fails: a `from` older
  // than the window makes the cursor's first Next return Expired.
  std::unique_ptr<Cursor> Watch(int resource, WatchOptions options);

  // Forgets every kept event: watches from before now get Expired.
  void Compact();
  // Runs every cursor's wakeup (their owners re-check their own state).
  void WakeAll();

 private:
  struct Waiter {
    std::function<void()> fn;  // guarded by mu_ (copied under it to be called outside it)
    bool armed = false;        // guarded by mu_
  };
  struct ResourceState {
    std::map<std::string, ObjectPtr> objects;  // "ns/name" (or "name") -> latest version
    std::deque<StoreEvent> window;
    int64_t oldest = 0;  // every event after this version is in the window
    std::vector<std::weak_ptr<Waiter>> waiters;
  };

  static std::string Key(const std::string& ns, const std::string& name);
  // Stamps metadata and builds the stored version of `object` (name/ns already set).
  absl::StatusOr<ObjectPtr> Build(int resource, nlohmann::json object, const StoredObject* previous)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records the new version and its event; collects the waiters to wake.
  void Commit(int resource, ObjectPtr object, ObjectPtr previous, std::vector<std::function<void()>>& wake)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<ObjectPtr> RemoveLocked(int resource, const std::string& ns, const std::string& name,
                                         std::vector<std::function<void()>>& wake) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<ObjectPtr> UpdateLocked(int resource, const std::string& ns, const std::string& name,
                                         nlohmann::json object, bool* created,
                                         std::vector<std::function<void()>>& wake) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The stored object `name` of `resource` in `ns` ("" when cluster-scoped), or NotFound.
  absl::StatusOr<ObjectPtr> FindLocked(int resource, const std::string& ns, const std::string& name) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Runs `change` holding mu_ (it may Commit), then calls the wakeups it collected, outside mu_.
  using Wakeups = std::vector<std::function<void()>>;
  absl::StatusOr<ObjectPtr> ChangeAndWake(const std::function<absl::StatusOr<ObjectPtr>(Wakeups&)>& change)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::string RandomSuffix(size_t n) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NewUid() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void Wake(const std::vector<std::function<void()>>& wake);

  const ObjectStoreOptions options_;
  const base::SystemClock system_clock_;
  const base::Clock& clock_;
  mutable absl::Mutex mu_;
  int64_t rv_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<ResourceState> state_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_);
};

// One watch's position in a resource's window, with its filters applied.
class ObjectStore::Cursor {
 public:
  ~Cursor() = default;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  struct Batch {
    // ADDED / MODIFIED / DELETED as this watch sees them: an object that starts (stops)
    // matching the selectors comes as ADDED (DELETED).
    std::vector<std::pair<StoreEvent::Type, ObjectPtr>> events;
    // Nothing more is available now: every change up to `progress` was returned or filtered
    // out (a BOOKMARK at progress is truthful); the wakeup is armed.
    bool caught_up = false;
    int64_t progress = 0;
    // The initial objects (WatchOptions::from = nullopt) were all returned with this batch or
    // an earlier one.
    bool initial_done = false;
  };
  // Never blocks. Expired once the cursor's position is older than the window.
  absl::StatusOr<Batch> Next(size_t max);
  // `fn` runs (on a writer's thread, no lock held) after a Next that returned caught_up when
  // new events of the resource arrive, and on WakeAll(). Call before the first Next.
  void SetWakeup(std::function<void()> fn);

 private:
  friend class ObjectStore;
  Cursor(ObjectStore& store, int resource, WatchOptions options);
  bool Matches(const StoredObject& o) const;

  ObjectStore& store_;
  const int resource_;
  const WatchOptions options_;
  std::vector<ObjectPtr> initial_;
  size_t initial_next_ = 0;
  int64_t position_ = 0;  // every event <= this was handled
  std::shared_ptr<Waiter> waiter_;
};

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_OBJECT_STORE_H_
