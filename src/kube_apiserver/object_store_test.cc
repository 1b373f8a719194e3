#include "kube_apiserver/object_store.h"

#include "gtest/gtest.h"
#include "kube_apiserver/api_status.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

json Pod(const std::string& name, json labels = json::object(), const std::string& node = "") {
  json p = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}, {"labels", labels}}}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  return p;
}

json Body(const ObjectPtr& o) { return json::parse(o->text); }

class ObjectStoreTest : public ::testing::Test {
 protected:
  base::FakeClock clock_;
  ObjectStore store_{{.window_events = 100, .clock = &clock_, .seed = 7}};
  const int pods_ = ResourceIndex("pods");
  const int namespaces_ = ResourceIndex("namespaces");
  const int leases_ = ResourceIndex("leases");
  const int nodes_ = ResourceIndex("nodes");
};

TEST_F(ObjectStoreTest, CreateStampsMetadataAndRefusesDuplicates) {
  absl::StatusOr<ObjectPtr> p = store_.Create(pods_, "default", Pod("web", {{"app", "web"}}));
  ASSERT_TRUE(p.ok()) << p.status();
  json b = Body(*p);
  EXPECT_EQ(b["metadata"]["namespace"], "default");
  EXPECT_EQ(b["metadata"]["resourceVersion"], std::to_string(store_.resource_version()));
  EXPECT_EQ(b["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_EQ(b["metadata"]["creationTimestamp"], "2027-01-15T09:00:00Z");
  EXPECT_EQ(b["metadata"]["generation"], 1);
  absl::StatusOr<ObjectPtr> again = store_.Create(pods_, "default", Pod("web"));
  EXPECT_EQ(HttpCodeOf(again.status()), 409);
  EXPECT_EQ(StatusObject(again.status())["reason"], "AlreadyExists");
  EXPECT_EQ(StatusObject(again.status())["message"], "pods \"web\" already exists");
}

TEST_F(ObjectStoreTest, CreateChecksNamespaceAndName) {
  absl::StatusOr<ObjectPtr> p = store_.Create(pods_, "nowhere", Pod("web"));
  EXPECT_EQ(HttpCodeOf(p.status()), 404);
  EXPECT_EQ(p.status().message(), "namespaces \"nowhere\" not found");
  json wrong_ns = Pod("web");
  wrong_ns["metadata"]["namespace"] = "kube-system";
  EXPECT_EQ(HttpCodeOf(store_.Create(pods_, "default", wrong_ns).status()), 400);
  absl::StatusOr<ObjectPtr> bad = store_.Create(pods_, "default", Pod("Web_1"));
  EXPECT_EQ(HttpCodeOf(bad.status()), 422);
  EXPECT_EQ(StatusObject(bad.status())["reason"], "Invalid");
  EXPECT_EQ(HttpCodeOf(store_.Create(pods_, "default", Pod("")).status()), 422);
  json bad_label = Pod("x", {{"a", 1}});
  EXPECT_EQ(HttpCodeOf(store_.Create(pods_, "default", bad_label).status()), 400);
}

TEST_F(ObjectStoreTest, GenerateNameMakesUniqueNames) {
  json p = {{"metadata", {{"generateName", "web-"}}}};
  absl::StatusOr<ObjectPtr> a = store_.Create(pods_, "default", p);
  absl::StatusOr<ObjectPtr> b = store_.Create(pods_, "default", p);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->name.substr(0, 4), "web-");
  EXPECT_EQ((*a)->name.size(), 9u);
  EXPECT_NE((*a)->name, (*b)->name);
}

TEST_F(ObjectStoreTest, UpdateIsOptimisticallyConcurrent) {
  json lease = {{"metadata", {{"name", "leader"}, {"namespace", "kube-system"}}},
                {"spec", {{"holderIdentity", "a"}}}};
  absl::StatusOr<ObjectPtr> first = store_.Create(leases_, "kube-system", lease);
  ASSERT_TRUE(first.ok());
  json mine = Body(*first);
  json theirs = Body(*first);
  mine["spec"]["holderIdentity"] = "b";
  theirs["spec"]["holderIdentity"] = "c";
  bool created = true;
  absl::StatusOr<ObjectPtr> won = store_.Update(leases_, "kube-system", "leader", mine, &created);
  ASSERT_TRUE(won.ok()) << won.status();
  EXPECT_FALSE(created);
  EXPECT_EQ(Body(*won)["metadata"]["generation"], 2) << "spec changed";
  EXPECT_EQ((*won)->uid, (*first)->uid);
  absl::StatusOr<ObjectPtr> lost = store_.Update(leases_, "kube-system", "leader", theirs, &created);
  EXPECT_EQ(HttpCodeOf(lost.status()), 409);
  EXPECT_EQ(StatusObject(lost.status())["reason"], "Conflict");
  EXPECT_EQ(Body(*store_.Get(leases_, "kube-system", "leader"))["spec"]["holderIdentity"], "b");
  // Without a resourceVersion the update is unconditional; a missing object is created.
  theirs["metadata"].erase("resourceVersion");
  EXPECT_TRUE(store_.Update(leases_, "kube-system", "leader", theirs, &created).ok());
  json fresh = {{"metadata", {{"name", "other"}}}};
  ASSERT_TRUE(store_.Update(leases_, "kube-system", "other", fresh, &created).ok());
  EXPECT_TRUE(created);
  EXPECT_EQ(HttpCodeOf(store_.Update(leases_, "kube-system", "leader", fresh, &created).status()), 400)
      << "body name differs from the path";
}

TEST_F(ObjectStoreTest, MutateChecksResourceVersionAndIdentity) {
  ASSERT_TRUE(store_.Create(pods_, "default", Pod("p", {{"a", "1"}})).ok());
  absl::StatusOr<ObjectPtr> out = store_.Mutate(pods_, "default", "p", [](json o) -> absl::StatusOr<json> {
    o["metadata"]["labels"]["b"] = "2";
    return o;
  });
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)->labels, (Labels{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(HttpCodeOf(store_.Mutate(pods_, "default", "p", [](json o) -> absl::StatusOr<json> {
                                  o["metadata"]["resourceVersion"] = "1";
                                  return o;
                                }).status()),
            409);
  EXPECT_EQ(HttpCodeOf(store_.Mutate(pods_, "default", "p", [](json o) -> absl::StatusOr<json> {
                                  o["metadata"]["name"] = "q";
                                  return o;
                                }).status()),
            400);
  EXPECT_EQ(HttpCodeOf(store_.Mutate(pods_, "default", "zz", [](json o) -> absl::StatusOr<json> { return o; }).status()),
            404);
}

TEST_F(ObjectStoreTest, DeletingANamespaceDeletesItsObjects) {
  ASSERT_TRUE(store_.Create(namespaces_, "", {{"metadata", {{"name", "shop"}}}}).ok());
  ASSERT_TRUE(store_.Create(pods_, "shop", Pod("a")).ok());
  ASSERT_TRUE(store_.Create(pods_, "shop", Pod("b")).ok());
  ASSERT_TRUE(store_.Create(pods_, "default", Pod("c")).ok());
  std::unique_ptr<ObjectStore::Cursor> watch = store_.Watch(pods_, {.from = store_.resource_version()});
  ASSERT_TRUE(store_.Delete(namespaces_, "", "shop").ok());
  EXPECT_EQ(store_.List(pods_, {}).value().items.size(), 1u);
  absl::StatusOr<ObjectStore::Cursor::Batch> b = watch->Next(10);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->events.size(), 2u);
  EXPECT_EQ(b->events[0].first, StoreEvent::Type::kDeleted);
  EXPECT_EQ(HttpCodeOf(store_.Delete(namespaces_, "", "shop").status()), 404);
}

TEST_F(ObjectStoreTest, DeletePreconditions) {
  absl::StatusOr<ObjectPtr> n = store_.Create(nodes_, "", {{"metadata", {{"name", "n1"}}}});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(HttpCodeOf(store_.Delete(nodes_, "", "n1", "1").status()), 409);
  EXPECT_EQ(HttpCodeOf(store_.Delete(nodes_, "", "n1", "", "other-uid").status()), 409);
  absl::StatusOr<ObjectPtr> gone = store_.Delete(nodes_, "", "n1", std::to_string((*n)->resource_version), (*n)->uid);
  ASSERT_TRUE(gone.ok());
  EXPECT_GT((*gone)->resource_version, (*n)->resource_version);
}

TEST_F(ObjectStoreTest, ListFiltersAndPages) {
  ASSERT_TRUE(store_.Create(namespaces_, "", {{"metadata", {{"name", "b"}}}}).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_.Create(pods_, "default", Pod("p" + std::to_string(i), {{"i", std::to_string(i % 2)}}, "n1")).ok());
    ASSERT_TRUE(store_.Create(pods_, "b", Pod("q" + std::to_string(i), {}, "n2")).ok());
  }
  ObjectStore::ListOptions o;
  o.labels = *LabelSelector::Parse("i=1");
  EXPECT_EQ(store_.List(pods_, o)->items.size(), 2u);
  o = {};
  o.fields = *FieldSelector::Parse("spec.nodeName=n2", ServedResources()[pods_].selectable_fields);
  EXPECT_EQ(store_.List(pods_, o)->items.size(), 5u);
  o = {.ns = "default"};
  EXPECT_EQ(store_.List(pods_, o)->items.size(), 5u);

  std::vector<std::string> seen;
  ObjectStore::ListOptions page{.limit = 3};
  const int64_t rv = store_.resource_version();
  for (int pages = 0; pages < 10; ++pages) {
    absl::StatusOr<ObjectStore::ListResult> r = store_.List(pods_, page);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->resource_version, rv);
    for (const ObjectPtr& p : r->items) seen.push_back(p->ns + "/" + p->name);
    if (r->continue_token.empty()) break;
    page.continue_token = r->continue_token;
    if (pages == 0) {
      ASSERT_TRUE(store_.Create(pods_, "default", Pod("pz")).ok()) << "changes between pages show";
    }
  }
  EXPECT_EQ(seen.size(), 11u);
  EXPECT_EQ(seen.front(), "b/q0");
  EXPECT_EQ(seen.back(), "default/pz");
  EXPECT_EQ(HttpCodeOf(store_.List(pods_, {.continue_token = "%%%"}).status()), 400);
}

TEST_F(ObjectStoreTest, WatchTurnsSelectorTransitionsIntoAddedAndDeleted) {
  ASSERT_TRUE(store_.Create(pods_, "default", Pod("p", {{"role", "db"}})).ok());
  ObjectStore::WatchOptions wo{.labels = *LabelSelector::Parse("role=web")};
  wo.from = store_.resource_version();
  std::unique_ptr<ObjectStore::Cursor> c = store_.Watch(pods_, std::move(wo));
  int wakeups = 0;
  c->SetWakeup([&] { ++wakeups; });
  absl::StatusOr<ObjectStore::Cursor::Batch> b = c->Next(10);
  ASSERT_TRUE(b.ok() && b->caught_up && b->events.empty());
  auto relabel = [&](const std::string& role) {
    ASSERT_TRUE(store_.Mutate(pods_, "default", "p", [&](json o) -> absl::StatusOr<json> {
                        o["metadata"]["labels"]["role"] = role;
                        return o;
                      }).ok());
  };
  relabel("web");
  EXPECT_EQ(wakeups, 1);
  relabel("web");
  EXPECT_EQ(wakeups, 1) << "woken once until the next Next";
  relabel("db");
  relabel("cache");
  b = c->Next(10);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->events.size(), 3u);
  EXPECT_EQ(b->events[0].first, StoreEvent::Type::kAdded);
  EXPECT_EQ(b->events[1].first, StoreEvent::Type::kModified);
  EXPECT_EQ(b->events[2].first, StoreEvent::Type::kDeleted);
  EXPECT_TRUE(b->caught_up);
  EXPECT_EQ(b->progress, store_.resource_version());
}

TEST_F(ObjectStoreTest, WatchWithoutVersionStartsWithTheCurrentObjects) {
  ASSERT_TRUE(store_.Create(pods_, "default", Pod("a")).ok());
  ASSERT_TRUE(store_.Create(pods_, "default", Pod("a2")).ok());
  ASSERT_TRUE(store_.Create(pods_, "kube-system", Pod("b")).ok());
  std::unique_ptr<ObjectStore::Cursor> c = store_.Watch(pods_, {.ns = "default"});
  ASSERT_TRUE(store_.Create(pods_, "default", Pod("c")).ok());
  absl::StatusOr<ObjectStore::Cursor::Batch> b = c->Next(1);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->events.size(), 1u);
  EXPECT_EQ(b->events[0].second->name, "a");
  EXPECT_FALSE(b->initial_done);
  b = c->Next(10);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->events.size(), 2u);
  EXPECT_EQ(b->events[0].second->name, "a2");
  EXPECT_EQ(b->events[1].first, StoreEvent::Type::kAdded);
  EXPECT_EQ(b->events[1].second->name, "c");
  EXPECT_TRUE(b->initial_done);
}

TEST_F(ObjectStoreTest, WatchFromBeforeTheWindowIsExpired) {
  const int64_t start = store_.resource_version();
  for (int i = 0; i < 150; ++i) ASSERT_TRUE(store_.Put(nodes_, {{"metadata", {{"name", "n"}}}}).ok());
  absl::StatusOr<ObjectStore::Cursor::Batch> b = store_.Watch(nodes_, {.from = start})->Next(10);
  EXPECT_EQ(HttpCodeOf(b.status()), 410);
  EXPECT_EQ(StatusObject(b.status())["reason"], "Expired");
  EXPECT_TRUE(store_.Watch(pods_, {.from = start})->Next(10).ok()) << "windows are per resource";
  store_.Compact();
  EXPECT_EQ(HttpCodeOf(store_.Watch(pods_, {.from = start})->Next(10).status()), 410);
  EXPECT_TRUE(store_.Watch(pods_, {.from = store_.resource_version()})->Next(10).ok());
}

}  // namespace
}  // namespace romana::kube_apiserver
