// The conformance suite (see store_conformance.h). Every expectation here is etcd v3's
// behaviour; MemoryStore, SqliteStore and EtcdStore must all pass it unchanged.
#include "store/testing/store_conformance.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"

namespace romana::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<std::string> Keys(const std::vector<KeyValue>& kvs) {
  std::vector<std::string> keys;
  for (const KeyValue& kv : kvs) keys.push_back(kv.key);
  return keys;
}

// A short readable form of an event for exact sequence comparisons.
std::string Show(const Event& e) {
  return absl::StrCat(e.type == Event::Type::kPut ? "PUT " : "DEL ", e.kv.key,
                      e.type == Event::Type::kPut ? "=" + e.kv.value : "", " @",
                      e.kv.mod_revision);
}

std::vector<std::string> Show(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(Show(e));
  return out;
}

// Reads from `watcher` until `n` events arrived or `timeout` passed.
std::vector<Event> Collect(Watcher& watcher, size_t n, milliseconds timeout = seconds(20)) {
  std::vector<Event> events;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (events.size() < n && std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<std::vector<Event>> batch = watcher.Next(milliseconds(200));
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) break;
    events.insert(events.end(), batch->begin(), batch->end());
  }
  return events;
}

TxnResult MustCommit(Store& store, const Txn& txn) {
  absl::StatusOr<TxnResult> result = store.Commit(txn);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : TxnResult{};
}

}  // namespace

std::string BackendName(const ::testing::TestParamInfo<ConformanceBackend>& info) {
  return info.param.name;
}

void StoreConformanceTest::SetUp() {
  harness_ = GetParam().make();
  ASSERT_NE(harness_, nullptr);
  prefix_ = harness_->prefix();
  absl::StatusOr<RangeResult> left = store().Range({.prefix = prefix_});
  ASSERT_TRUE(left.ok()) << left.status();
  ASSERT_TRUE(left->kvs.empty()) << "the harness must hand out an empty prefix";
}

void StoreConformanceTest::TearDown() { harness_.reset(); }

// ---------------------------------------------------------------- get, put, revisions

TEST_P(StoreConformanceTest, GetOfMissingKeyIsNulloptNotAnError) {
  absl::StatusOr<std::optional<KeyValue>> got = store().Get(K("missing"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
}

TEST_P(StoreConformanceTest, PutSetsRevisionsAndVersions) {
  absl::StatusOr<Revision> before = store().CurrentRevision();
  ASSERT_TRUE(before.ok()) << before.status();
  absl::StatusOr<Revision> r1 = store().Put(K("a"), "one");
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(*r1, *before + 1);
  absl::StatusOr<std::optional<KeyValue>> got = store().Get(K("a"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, (KeyValue{K("a"), "one", *r1, *r1, 1, 0}));

  absl::StatusOr<Revision> r2 = store().Put(K("a"), "two");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(*r2, *r1 + 1);
  got = store().Get(K("a"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, (KeyValue{K("a"), "two", *r1, *r2, 2, 0}));
  EXPECT_EQ(*store().CurrentRevision(), *r2);
}

TEST_P(StoreConformanceTest, ValuesAreBinarySafe) {
  const std::string value("a\0b\xff\n", 5);
  const std::string key = K(std::string("bin\x01\xfe", 5));
  ASSERT_TRUE(store().Put(key, value).ok());
  absl::StatusOr<std::optional<KeyValue>> got = store().Get(key);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value, value);
  ASSERT_TRUE(store().Put(K("empty"), "").ok());
  got = store().Get(K("empty"));
  ASSERT_TRUE(got.ok() && got->has_value()) << "a key with an empty value exists";
  EXPECT_EQ((*got)->value, "");
}

TEST_P(StoreConformanceTest, DeleteThenRecreateStartsANewLife) {
  Revision r1 = *store().Put(K("a"), "1");
  store().Put(K("a"), "2").IgnoreError();
  TxnResult del = MustCommit(store(), {.success = {Op::Delete(K("a"))}});
  EXPECT_EQ(del.revision, r1 + 2);
  EXPECT_FALSE(store().Get(K("a"))->has_value());
  Revision r4 = *store().Put(K("a"), "3");
  absl::StatusOr<std::optional<KeyValue>> got = store().Get(K("a"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, (KeyValue{K("a"), "3", r4, r4, 1, 0}));
}

// ---------------------------------------------------------------- range

TEST_P(StoreConformanceTest, RangeReturnsOnlyThePrefixSortedByKey) {
  for (const char* k : {"dir/b", "dir/a", "dir0", "dir/c/d", "dis", "di"}) {
    ASSERT_TRUE(store().Put(K(k), k).ok());
  }
  absl::StatusOr<RangeResult> r = store().Range({.prefix = K("dir/")});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Keys(r->kvs), ElementsAre(K("dir/a"), K("dir/b"), K("dir/c/d")));
  EXPECT_FALSE(r->more);
  EXPECT_EQ(r->revision, *store().CurrentRevision());
  EXPECT_EQ(r->kvs[0].value, "dir/a");

  r = store().Range({.prefix = K("di")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kvs.size(), 6u);
  r = store().Range({.prefix = K("nothing/")});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->kvs.empty());
  EXPECT_FALSE(r->more);
}

TEST_P(StoreConformanceTest, RangePagesWithLimitAndStartKey) {
  std::vector<std::string> all;
  for (int i = 0; i < 7; ++i) {
    all.push_back(K(absl::StrCat("p/", i)));
    ASSERT_TRUE(store().Put(all.back(), "v").ok());
  }
  std::vector<std::string> seen;
  std::string start;
  Revision at = 0;
  int pages = 0;
  while (true) {
    absl::StatusOr<RangeResult> r =
        store().Range({.prefix = K("p/"), .start_key = start, .limit = 3, .revision = at});
    ASSERT_TRUE(r.ok()) << r.status();
    ++pages;
    if (at == 0) at = r->revision;
    for (const KeyValue& kv : r->kvs) seen.push_back(kv.key);
    ASSERT_LE(r->kvs.size(), 3u);
    if (!r->more) break;
    ASSERT_EQ(r->kvs.size(), 3u);
    start = r->kvs.back().key + std::string(1, '\0');
    // A write between pages must not show up in the pages read at `at`.
    if (pages == 1) {
      ASSERT_TRUE(store().Put(K("p/00"), "late").ok());
    }
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, all);

  absl::StatusOr<RangeResult> exact = store().Range({.prefix = K("p/"), .limit = 8});
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->kvs.size(), 8u);
  EXPECT_FALSE(exact->more) << "limit equal to the count is not 'more'";
  absl::StatusOr<RangeResult> unlimited = store().Range({.prefix = K("p/"), .limit = 0});
  ASSERT_TRUE(unlimited.ok());
  EXPECT_EQ(unlimited->kvs.size(), 8u);
  EXPECT_FALSE(unlimited->more);
  absl::StatusOr<RangeResult> one = store().Range({.prefix = K("p/"), .limit = 1});
  ASSERT_TRUE(one.ok());
  EXPECT_THAT(Keys(one->kvs), ElementsAre(K("p/0")));
  EXPECT_TRUE(one->more);
}

// Large answers (e.g. every endpoint of a big cluster) are not cut by transport limits.
TEST_P(StoreConformanceTest, RangesAndWatchBatchesOfManyMegabytes) {
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("mb/"), 0);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(store().Put(K(absl::StrCat("mb/", i)), std::string(1 << 20, 'a' + i)).ok());
  }
  absl::StatusOr<RangeResult> all = store().Range({.prefix = K("mb/")});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->kvs.size(), 6u);
  EXPECT_EQ(all->kvs[5].value, std::string(1 << 20, 'f'));
  std::vector<Event> events = Collect(**w, 6);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[3].kv.value.size(), 1u << 20);
}

TEST_P(StoreConformanceTest, RangeAtAPastRevisionSeesThatRevision) {
  Revision r1 = *store().Put(K("h/a"), "a1");
  Revision r2 = *store().Put(K("h/b"), "b1");
  store().Put(K("h/a"), "a2").IgnoreError();
  MustCommit(store(), {.success = {Op::Delete(K("h/b"))}});
  store().Put(K("h/c"), "c1").IgnoreError();

  absl::StatusOr<RangeResult> at1 = store().Range({.prefix = K("h/"), .revision = r1});
  ASSERT_TRUE(at1.ok()) << at1.status();
  ASSERT_EQ(at1->kvs.size(), 1u);
  EXPECT_EQ(at1->kvs[0], (KeyValue{K("h/a"), "a1", r1, r1, 1, 0}));
  absl::StatusOr<RangeResult> at2 = store().Range({.prefix = K("h/"), .revision = r2});
  ASSERT_TRUE(at2.ok());
  EXPECT_THAT(Keys(at2->kvs), ElementsAre(K("h/a"), K("h/b")));
  EXPECT_EQ(at2->kvs[0].value, "a1");
  absl::StatusOr<RangeResult> now = store().Range({.prefix = K("h/")});
  ASSERT_TRUE(now.ok());
  EXPECT_THAT(Keys(now->kvs), ElementsAre(K("h/a"), K("h/c")));
  EXPECT_EQ(now->kvs[0].value, "a2");
  EXPECT_EQ(now->kvs[0].version, 2);
}

TEST_P(StoreConformanceTest, RangeBadInputNamesTheField) {
  absl::StatusOr<RangeResult> r = store().Range({.prefix = ""});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("prefix"));
  r = store().Range({.prefix = K("x/"), .limit = -1});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("limit"));
  r = store().Range({.prefix = K("x/"), .start_key = K("y/")});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("start_key"));
  Revision now = *store().CurrentRevision();
  r = store().Range({.prefix = K("x/"), .revision = now + 1000});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("revision"));
  EXPECT_FALSE(IsCompacted(r.status())) << "a future revision is not a compacted one";
}

TEST_P(StoreConformanceTest, EmptyKeysAreRejected) {
  absl::StatusOr<std::optional<KeyValue>> got = store().Get("");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(got.status().message(), HasSubstr("key"));
  EXPECT_EQ(store().Put("", "v").status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<TxnResult> t = store().Commit({.success = {Op::DeletePrefix("")}});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("success[0]"));
  t = store().Commit({.compares = {Compare::Exists("")}, .success = {Op::Put(K("a"), "v")}});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("compares[0]"));
  t = store().Commit({.success = {Op::Put(K("a"), "v")}, .failure = {Op::Delete("")}});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("failure[0]"));
  EXPECT_FALSE(store().Get(K("a"))->has_value()) << "a rejected txn applies nothing";
  EXPECT_EQ(store().Watch("", 0).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------- transactions

TEST_P(StoreConformanceTest, TxnRunsSuccessOrFailureBranch) {
  Txn txn{.compares = {Compare::Absent(K("lock"))},
          .success = {Op::Put(K("lock"), "me"), Op::Put(K("log"), "took")},
          .failure = {Op::Put(K("log"), "busy")}};
  TxnResult first = MustCommit(store(), txn);
  EXPECT_TRUE(first.succeeded);
  EXPECT_EQ((*store().Get(K("lock")))->value, "me");
  EXPECT_EQ((*store().Get(K("log")))->value, "took");
  TxnResult second = MustCommit(store(), txn);
  EXPECT_FALSE(second.succeeded);
  EXPECT_EQ(second.revision, first.revision + 1) << "the failure branch wrote";
  EXPECT_EQ((*store().Get(K("log")))->value, "busy");
  EXPECT_EQ((*store().Get(K("lock")))->value, "me");
}

TEST_P(StoreConformanceTest, TxnAppliesAllOpsAtOneRevision) {
  store().Put(K("old"), "x").IgnoreError();
  TxnResult r = MustCommit(store(), {.success = {Op::Put(K("t/a"), "1"), Op::Put(K("t/b"), "2"),
                                                 Op::Delete(K("old")), Op::Put(K("t/c"), "3")}});
  ASSERT_TRUE(r.succeeded);
  absl::StatusOr<RangeResult> all = store().Range({.prefix = K("t/")});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->kvs.size(), 3u);
  for (const KeyValue& kv : all->kvs) EXPECT_EQ(kv.mod_revision, r.revision) << kv.key;
  EXPECT_FALSE(store().Get(K("old"))->has_value());
  EXPECT_EQ(*store().CurrentRevision(), r.revision);
}

TEST_P(StoreConformanceTest, TxnThatWritesNothingKeepsTheRevision) {
  Revision before = *store().Put(K("a"), "1");
  TxnResult failed = MustCommit(store(), {.compares = {Compare::ValueEquals(K("a"), "2")},
                                          .success = {Op::Put(K("a"), "3")}});
  EXPECT_FALSE(failed.succeeded);
  EXPECT_EQ(failed.revision, before);
  TxnResult noop = MustCommit(store(), {.success = {Op::Delete(K("missing")),
                                                    Op::DeletePrefix(K("none/"))}});
  EXPECT_TRUE(noop.succeeded);
  EXPECT_EQ(noop.revision, before) << "deleting nothing is not a write";
  TxnResult empty = MustCommit(store(), {});
  EXPECT_TRUE(empty.succeeded) << "no compares means success";
  EXPECT_EQ(*store().CurrentRevision(), before);
}

TEST_P(StoreConformanceTest, TxnRejectsConflictingOpsAndAppliesNothing) {
  Revision before = *store().Put(K("a"), "1");
  absl::StatusOr<TxnResult> dup =
      store().Commit({.success = {Op::Put(K("b"), "1"), Op::Put(K("b"), "2")}});
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kInvalidArgument) << dup.status();
  absl::StatusOr<TxnResult> overlap =
      store().Commit({.success = {Op::Put(K("d/x"), "1"), Op::DeletePrefix(K("d/"))}});
  EXPECT_EQ(overlap.status().code(), absl::StatusCode::kInvalidArgument) << overlap.status();
  absl::StatusOr<TxnResult> put_delete =
      store().Commit({.success = {Op::Delete(K("a")), Op::Put(K("a"), "2")}});
  EXPECT_EQ(put_delete.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*store().CurrentRevision(), before);
  EXPECT_FALSE(store().Get(K("b"))->has_value());
  EXPECT_EQ((*store().Get(K("a")))->value, "1");
}

TEST_P(StoreConformanceTest, TxnLimitsAreEtcdsOnEveryBackend) {
  Txn many;
  for (int i = 0; i < 129; ++i) many.success.push_back(Op::Put(K(absl::StrCat("n/", i)), "v"));
  absl::StatusOr<TxnResult> r = store().Commit(many);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("txn.success"));
  many.success.pop_back();
  r = store().Commit(many);
  ASSERT_TRUE(r.ok()) << "128 ops are allowed: " << r.status();
  absl::StatusOr<RangeResult> all = store().Range({.prefix = K("n/")});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->kvs.size(), 128u);
  absl::StatusOr<Revision> big = store().Put(K("big"), std::string(2 << 20, 'x'));
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument) << big.status();
  EXPECT_FALSE(store().Get(K("big"))->has_value());
  absl::StatusOr<Revision> large = store().Put(K("large"), std::string(1 << 20, 'y'));
  ASSERT_TRUE(large.ok()) << "a 1 MiB value fits: " << large.status();
  EXPECT_EQ((*store().Get(K("large")))->value.size(), 1u << 20);
}

// Every compare target and operator, against an existing and a missing key.
TEST_P(StoreConformanceTest, EveryCompareTargetAndOperator) {
  Revision created = *store().Put(K("k"), "m");
  Revision modified = *store().Put(K("k"), "m");  // version 2, value "m"
  auto holds = [&](Compare c) {
    TxnResult r = MustCommit(store(), {.compares = {c}});
    return r.succeeded;
  };
  auto make = [&](std::string key, Compare::Target t, Compare::Op op, int64_t n,
                  std::string v = "") {
    Compare c;
    c.key = std::move(key);
    c.target = t;
    c.op = op;
    c.number = n;
    c.value = std::move(v);
    return c;
  };
  using T = Compare::Target;
  using O = Compare::Op;
  struct Case {
    T target;
    int64_t actual;
  };
  for (Case c : {Case{T::kVersion, 2}, Case{T::kCreateRevision, created},
                 Case{T::kModRevision, modified}}) {
    SCOPED_TRACE(static_cast<int>(c.target));
    EXPECT_TRUE(holds(make(K("k"), c.target, O::kEqual, c.actual)));
    EXPECT_FALSE(holds(make(K("k"), c.target, O::kEqual, c.actual + 1)));
    EXPECT_TRUE(holds(make(K("k"), c.target, O::kNotEqual, c.actual + 1)));
    EXPECT_FALSE(holds(make(K("k"), c.target, O::kNotEqual, c.actual)));
    EXPECT_TRUE(holds(make(K("k"), c.target, O::kLess, c.actual + 1)));
    EXPECT_FALSE(holds(make(K("k"), c.target, O::kLess, c.actual)));
    EXPECT_TRUE(holds(make(K("k"), c.target, O::kGreater, c.actual - 1)));
    EXPECT_FALSE(holds(make(K("k"), c.target, O::kGreater, c.actual)));
    // A missing key has 0 for every numeric target.
    EXPECT_TRUE(holds(make(K("none"), c.target, O::kEqual, 0)));
    EXPECT_TRUE(holds(make(K("none"), c.target, O::kLess, 1)));
    EXPECT_FALSE(holds(make(K("none"), c.target, O::kGreater, 0)));
  }
  EXPECT_TRUE(holds(make(K("k"), T::kValue, O::kEqual, 0, "m")));
  EXPECT_FALSE(holds(make(K("k"), T::kValue, O::kEqual, 0, "n")));
  EXPECT_TRUE(holds(make(K("k"), T::kValue, O::kNotEqual, 0, "n")));
  EXPECT_TRUE(holds(make(K("k"), T::kValue, O::kLess, 0, "n")));
  EXPECT_FALSE(holds(make(K("k"), T::kValue, O::kLess, 0, "m")));
  EXPECT_TRUE(holds(make(K("k"), T::kValue, O::kGreater, 0, "l")));
  EXPECT_TRUE(holds(make(K("k"), T::kValue, O::kGreater, 0, "")));
  // As in etcd, a value compare on a missing key never holds, whatever the operator.
  for (O op : {O::kEqual, O::kNotEqual, O::kLess, O::kGreater}) {
    EXPECT_FALSE(holds(make(K("none"), T::kValue, op, 0, "")));
    EXPECT_FALSE(holds(make(K("none"), T::kValue, op, 0, "x")));
  }
  // The factories.
  EXPECT_TRUE(holds(Compare::Exists(K("k"))));
  EXPECT_FALSE(holds(Compare::Exists(K("none"))));
  EXPECT_TRUE(holds(Compare::Absent(K("none"))));
  EXPECT_FALSE(holds(Compare::Absent(K("k"))));
  EXPECT_TRUE(holds(Compare::ValueEquals(K("k"), "m")));
  EXPECT_TRUE(holds(Compare::ModRevisionEquals(K("k"), modified)));
  EXPECT_FALSE(holds(Compare::ModRevisionEquals(K("k"), created)));
  // All compares must hold.
  TxnResult both = MustCommit(
      store(), {.compares = {Compare::Exists(K("k")), Compare::Exists(K("none"))},
                .success = {Op::Put(K("s"), "1")}, .failure = {Op::Put(K("f"), "1")}});
  EXPECT_FALSE(both.succeeded);
  EXPECT_TRUE(store().Get(K("f"))->has_value());
  EXPECT_FALSE(store().Get(K("s"))->has_value());
}

TEST_P(StoreConformanceTest, DeletePrefixDeletesExactlyThePrefix) {
  for (const char* k : {"d/a", "d/b/c", "d", "d0", "e/a"}) ASSERT_TRUE(store().Put(K(k), "v").ok());
  TxnResult r = MustCommit(store(), {.success = {Op::DeletePrefix(K("d/"))}});
  absl::StatusOr<RangeResult> left = store().Range({.prefix = prefix_});
  ASSERT_TRUE(left.ok());
  EXPECT_THAT(Keys(left->kvs), ElementsAre(K("d"), K("d0"), K("e/a")));
  EXPECT_EQ(r.revision, left->revision);
}

// Many threads increment one counter with compare-and-swap on the mod revision: no increment
// is lost and no two transactions succeed against the same revision.
TEST_P(StoreConformanceTest, ConcurrentCompareAndSwapLosesNoIncrement) {
  ASSERT_TRUE(store().Put(K("counter"), "0").ok());
  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int done = 0; done < kIncrements;) {
        absl::StatusOr<std::optional<KeyValue>> kv = store().Get(K("counter"));
        if (!kv.ok() || !kv->has_value()) {
          ++errors;
          return;
        }
        int next = std::stoi((*kv)->value) + 1;
        absl::StatusOr<TxnResult> r = store().Commit(
            {.compares = {Compare::ModRevisionEquals(K("counter"), (*kv)->mod_revision)},
             .success = {Op::Put(K("counter"), std::to_string(next)),
                         Op::Put(K(absl::StrCat("by/", t, "/", done)), std::to_string(next))}});
        if (!r.ok()) {
          ++errors;
          return;
        }
        if (r->succeeded) ++done;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ((*store().Get(K("counter")))->value, std::to_string(kThreads * kIncrements));
  absl::StatusOr<RangeResult> by = store().Range({.prefix = K("by/")});
  ASSERT_TRUE(by.ok());
  ASSERT_EQ(by->kvs.size(), static_cast<size_t>(kThreads * kIncrements));
  std::set<std::string> values;
  for (const KeyValue& kv : by->kvs) values.insert(kv.value);
  EXPECT_EQ(values.size(), by->kvs.size()) << "two transactions won the same increment";
}

// ---------------------------------------------------------------- watch

TEST_P(StoreConformanceTest, WatchFromARevisionDeliversTheExactSequence) {
  Revision r1 = *store().Put(K("w/a"), "1");
  Revision r2 = *store().Put(K("w/b"), "2");
  Revision r3 = *store().Put(K("w/a"), "3");
  Revision r4 = MustCommit(store(), {.success = {Op::Delete(K("w/b"))}}).revision;
  Revision r5 = MustCommit(store(), {.success = {Op::Put(K("w/c/1"), "x"),
                                                 Op::Put(K("w/c/2"), "y")}}).revision;
  Revision r6 = MustCommit(store(), {.success = {Op::DeletePrefix(K("w/c/"))}}).revision;
  store().Put(K("other"), "not watched").IgnoreError();
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("w/"), r1);
  ASSERT_TRUE(w.ok()) << w.status();
  std::vector<Event> events = Collect(**w, 8);
  EXPECT_THAT(Show(events),
              ElementsAre(Show({Event::Type::kPut, {K("w/a"), "1", r1, r1, 1}}),
                          Show({Event::Type::kPut, {K("w/b"), "2", r2, r2, 1}}),
                          Show({Event::Type::kPut, {K("w/a"), "3", r1, r3, 2}}),
                          Show({Event::Type::kDelete, {K("w/b"), "", 0, r4}}),
                          Show({Event::Type::kPut, {K("w/c/1"), "x", r5, r5, 1}}),
                          Show({Event::Type::kPut, {K("w/c/2"), "y", r5, r5, 1}}),
                          Show({Event::Type::kDelete, {K("w/c/1"), "", 0, r6}}),
                          Show({Event::Type::kDelete, {K("w/c/2"), "", 0, r6}})));
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[2].kv, (KeyValue{K("w/a"), "3", r1, r3, 2, 0}));
  EXPECT_EQ(events[3].kv, (KeyValue{K("w/b"), "", 0, r4, 0, 0}));
  // Nothing more, and the watch keeps going with new writes.
  absl::StatusOr<std::vector<Event>> quiet = (*w)->Next(milliseconds(100));
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->empty());
  Revision r8 = *store().Put(K("w/d"), "live");
  EXPECT_THAT(Show(Collect(**w, 1)),
              ElementsAre(Show({Event::Type::kPut, {K("w/d"), "live", r8, r8, 1}})));
  // Watching from the middle starts there.
  absl::StatusOr<std::unique_ptr<Watcher>> mid = store().Watch(K("w/"), r4);
  ASSERT_TRUE(mid.ok());
  std::vector<Event> tail = Collect(**mid, 6);
  ASSERT_EQ(tail.size(), 6u);
  EXPECT_EQ(tail.front().kv.mod_revision, r4);
  EXPECT_EQ(tail.back().kv.mod_revision, r8);
}

TEST_P(StoreConformanceTest, WatchFromZeroSeesOnlyLaterChanges) {
  store().Put(K("z/old"), "1").IgnoreError();
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("z/"), 0);
  ASSERT_TRUE(w.ok()) << w.status();
  absl::StatusOr<std::vector<Event>> none = (*w)->Next(milliseconds(50));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty()) << "an empty batch means nothing happened within the timeout";
  Revision r = *store().Put(K("z/new"), "2");
  EXPECT_THAT(Show(Collect(**w, 1)), ElementsAre(Show({Event::Type::kPut, {K("z/new"), "2", r, r, 1}})));
}

TEST_P(StoreConformanceTest, WatchFromAFutureRevisionStartsThere) {
  Revision now = *store().CurrentRevision();
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("fut/"), now + 3);
  ASSERT_TRUE(w.ok()) << w.status();
  store().Put(K("fut/a"), "1").IgnoreError();  // now + 1
  store().Put(K("fut/a"), "2").IgnoreError();  // now + 2
  Revision r3 = *store().Put(K("fut/a"), "3");
  ASSERT_EQ(r3, now + 3);
  std::vector<Event> events = Collect(**w, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kv.value, "3");
  EXPECT_EQ(events[0].kv.mod_revision, r3);
}

TEST_P(StoreConformanceTest, WatchWakesUpAWaitingReader) {
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("wake/"), 0);
  ASSERT_TRUE(w.ok());
  std::thread writer([&] { store().Put(K("wake/x"), "1").IgnoreError(); });
  // One long Next: it must return as soon as the write lands, with the event.
  std::vector<Event> got;
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (got.empty() && std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<std::vector<Event>> batch = (*w)->Next(seconds(20));
    ASSERT_TRUE(batch.ok()) << batch.status();
    got = *batch;
  }
  writer.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kv.key, K("wake/x"));
}

TEST_P(StoreConformanceTest, WatchWithManyWritersDeliversEveryEventInOrder) {
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("m/"), 0);
  ASSERT_TRUE(w.ok());
  constexpr int kWriters = 4;
  constexpr int kPuts = 30;
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPuts; ++i) {
        EXPECT_TRUE(store().Put(K(absl::StrCat("m/", t)), std::to_string(i)).ok());
      }
    });
  }
  std::vector<Event> events = Collect(**w, kWriters * kPuts);
  for (std::thread& t : writers) t.join();
  ASSERT_EQ(events.size(), static_cast<size_t>(kWriters * kPuts));
  std::map<std::string, int> next_value;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(events[i].kv.mod_revision, events[i - 1].kv.mod_revision);
    }
    int& expect = next_value[events[i].kv.key];
    EXPECT_EQ(events[i].kv.value, std::to_string(expect)) << events[i].kv.key;
    EXPECT_EQ(events[i].kv.version, expect + 1);
    ++expect;
  }
  absl::StatusOr<std::vector<Event>> extra = (*w)->Next(milliseconds(50));
  ASSERT_TRUE(extra.ok());
  EXPECT_TRUE(extra->empty());
}

TEST_P(StoreConformanceTest, TwoWatchersOnOnePrefixBothSeeEverything) {
  absl::StatusOr<std::unique_ptr<Watcher>> w1 = store().Watch(K("two/"), 0);
  absl::StatusOr<std::unique_ptr<Watcher>> w2 = store().Watch(K("two/a"), 0);
  ASSERT_TRUE(w1.ok() && w2.ok());
  store().Put(K("two/a"), "1").IgnoreError();
  store().Put(K("two/b"), "2").IgnoreError();
  store().Put(K("two/a"), "3").IgnoreError();
  EXPECT_EQ(Collect(**w1, 3).size(), 3u);
  std::vector<Event> only_a = Collect(**w2, 2);
  ASSERT_EQ(only_a.size(), 2u);
  EXPECT_EQ(only_a[1].kv.value, "3");
  w1->reset();  // dropping one watcher leaves the other working
  store().Put(K("two/a"), "4").IgnoreError();
  EXPECT_EQ(Collect(**w2, 1).size(), 1u);
}

// ---------------------------------------------------------------- compaction

TEST_P(StoreConformanceTest, WatchFromACompactedRevisionIsCompacted) {
  Revision r1 = *store().Put(K("c/a"), "1");
  store().Put(K("c/a"), "2").IgnoreError();
  Revision r3 = *store().Put(K("c/a"), "3");
  ASSERT_TRUE(store().Compact(r3).ok());
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("c/"), r1);
  ASSERT_TRUE(w.ok()) << "a compacted start is reported by Next(): " << w.status();
  absl::StatusOr<std::vector<Event>> next = (*w)->Next(seconds(10));
  EXPECT_TRUE(IsCompacted(next.status())) << next.status();
  // It says where history starts now, as a payload (the watch cache reloads from there).
  EXPECT_GE(CompactRevisionOf(next.status()), r3) << next.status();
  // The compaction revision itself is still there.
  absl::StatusOr<std::unique_ptr<Watcher>> at = store().Watch(K("c/"), r3);
  ASSERT_TRUE(at.ok());
  EXPECT_THAT(Show(Collect(**at, 1)),
              ElementsAre(Show({Event::Type::kPut, {K("c/a"), "3", r1, r3, 3}})));
}

TEST_P(StoreConformanceTest, RangeAtACompactedRevisionIsCompacted) {
  Revision r1 = *store().Put(K("c/a"), "1");
  MustCommit(store(), {.success = {Op::Delete(K("c/a"))}});
  Revision r3 = *store().Put(K("c/b"), "2");
  ASSERT_TRUE(store().Compact(r3).ok());
  absl::StatusOr<RangeResult> old = store().Range({.prefix = K("c/"), .revision = r1});
  EXPECT_TRUE(IsCompacted(old.status())) << old.status();
  EXPECT_FALSE(IsCompacted(absl::InvalidArgumentError("x")));
  absl::StatusOr<RangeResult> at = store().Range({.prefix = K("c/"), .revision = r3});
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_THAT(Keys(at->kvs), ElementsAre(K("c/b")));
  // Current data is untouched by compaction.
  absl::StatusOr<std::optional<KeyValue>> b = store().Get(K("c/b"));
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->create_revision, r3);
}

TEST_P(StoreConformanceTest, CompactionKeepsTheStateAtTheCompactedRevision) {
  Revision r1 = *store().Put(K("s/a"), "a1");
  Revision r2 = *store().Put(K("s/b"), "b1");
  Revision r3 = *store().Put(K("s/b"), "b2");
  Revision r4 = *store().Put(K("s/c"), "c1");
  ASSERT_TRUE(store().Compact(r3).ok());
  absl::StatusOr<RangeResult> at3 = store().Range({.prefix = K("s/"), .revision = r3});
  ASSERT_TRUE(at3.ok()) << at3.status();
  ASSERT_EQ(at3->kvs.size(), 2u);
  EXPECT_EQ(at3->kvs[0], (KeyValue{K("s/a"), "a1", r1, r1, 1, 0}));
  EXPECT_EQ(at3->kvs[1], (KeyValue{K("s/b"), "b2", r2, r3, 2, 0}));
  absl::StatusOr<RangeResult> at4 = store().Range({.prefix = K("s/"), .revision = r4});
  ASSERT_TRUE(at4.ok());
  EXPECT_EQ(at4->kvs.size(), 3u);
}

TEST_P(StoreConformanceTest, CompactIsIdempotentAndRejectsTheFuture) {
  Revision r1 = *store().Put(K("i/a"), "1");
  Revision r2 = *store().Put(K("i/a"), "2");
  ASSERT_TRUE(store().Compact(r2).ok());
  EXPECT_TRUE(store().Compact(r2).ok());
  EXPECT_TRUE(store().Compact(r1).ok()) << "an older revision is already compacted";
  absl::Status future = store().Compact(r2 + 1000);
  EXPECT_EQ(future.code(), absl::StatusCode::kInvalidArgument) << future;
  EXPECT_EQ((*store().Get(K("i/a")))->value, "2");
}

TEST_P(StoreConformanceTest, WatcherThatFallsBehindACompactionIsTold) {
  Revision r1 = *store().Put(K("f/a"), "1");
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("f/"), r1 + 1);
  ASSERT_TRUE(w.ok());
  store().Put(K("f/a"), "2").IgnoreError();
  Revision r3 = *store().Put(K("f/a"), "3");
  ASSERT_TRUE(store().Compact(r3).ok());
  // The watcher had not read r2 yet. etcd may still deliver events it had already sent;
  // either way the watcher must end up at OutOfRange or with every event from r2 on.
  std::vector<Event> got;
  absl::Status last;
  for (int i = 0; i < 50 && got.size() < 2; ++i) {
    absl::StatusOr<std::vector<Event>> batch = (*w)->Next(milliseconds(200));
    if (!batch.ok()) {
      last = batch.status();
      break;
    }
    got.insert(got.end(), batch->begin(), batch->end());
  }
  if (!last.ok()) {
    EXPECT_TRUE(IsCompacted(last)) << last;
  } else {
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].kv.mod_revision, r1 + 1);
  }
}

// ---------------------------------------------------------------- leases

TEST_P(StoreConformanceTest, LeaseExpiryDeletesItsKeysWithEvents) {
  const seconds ttl = harness_->MinLeaseTtl();
  absl::StatusOr<LeaseId> lease = store().GrantLease(ttl);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_GT(*lease, 0);
  TxnResult put = MustCommit(store(), {.success = {Op::Put(K("l/a"), "1", *lease),
                                                   Op::Put(K("l/b"), "2", *lease),
                                                   Op::Put(K("l/keep"), "3")}});
  EXPECT_EQ((*store().Get(K("l/a")))->lease, *lease);
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("l/"), put.revision + 1);
  ASSERT_TRUE(w.ok());
  harness_->PassLeaseTime(ttl + seconds(1));
  std::vector<Event> events = Collect(**w, 2, seconds(30));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, Event::Type::kDelete);
  EXPECT_EQ(events[1].type, Event::Type::kDelete);
  EXPECT_EQ(events[0].kv.key, K("l/a"));
  EXPECT_EQ(events[1].kv.key, K("l/b"));
  EXPECT_EQ(events[0].kv.mod_revision, events[1].kv.mod_revision) << "one revision per lease";
  EXPECT_FALSE(store().Get(K("l/a"))->has_value());
  EXPECT_TRUE(store().Get(K("l/keep"))->has_value());
  EXPECT_EQ(store().KeepAlive(*lease).code(), absl::StatusCode::kNotFound);
  absl::StatusOr<TxnResult> late = store().Commit({.success = {Op::Put(K("l/c"), "x", *lease)}});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kNotFound) << late.status();
  EXPECT_FALSE(store().Get(K("l/c"))->has_value());
}

TEST_P(StoreConformanceTest, KeepAliveRenewsTheLease) {
  const seconds ttl = harness_->MinLeaseTtl();
  absl::StatusOr<LeaseId> lease = store().GrantLease(ttl);
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(store().Commit({.success = {Op::Put(K("k/a"), "1", *lease)}}).ok());
  // Renew every quarter TTL (room for a slow machine on real-time backends), 2.5 TTLs in all.
  const auto step = std::chrono::duration_cast<milliseconds>(ttl) / 4;
  for (int i = 0; i < 10; ++i) {
    harness_->PassLeaseTime(step);
    ASSERT_TRUE(store().KeepAlive(*lease).ok()) << "round " << i;
  }
  EXPECT_TRUE(store().Get(K("k/a"))->has_value()) << "kept alive past its first deadline";
  ASSERT_TRUE(store().RevokeLease(*lease).ok());
  EXPECT_FALSE(store().Get(K("k/a"))->has_value());
}

TEST_P(StoreConformanceTest, RevokeDeletesKeysAndUnknownLeasesAreNotFound) {
  absl::StatusOr<LeaseId> lease = store().GrantLease(seconds(60));
  ASSERT_TRUE(lease.ok());
  TxnResult put = MustCommit(store(), {.success = {Op::Put(K("r/a"), "1", *lease),
                                                   Op::Put(K("r/b"), "2", *lease)}});
  // A later put without the lease detaches the key from it.
  ASSERT_TRUE(store().Put(K("r/b"), "3").ok());
  EXPECT_EQ((*store().Get(K("r/b")))->lease, 0);
  absl::StatusOr<std::unique_ptr<Watcher>> w = store().Watch(K("r/"), put.revision + 2);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(store().RevokeLease(*lease).ok());
  std::vector<Event> events = Collect(**w, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, Event::Type::kDelete);
  EXPECT_EQ(events[0].kv.key, K("r/a"));
  EXPECT_FALSE(store().Get(K("r/a"))->has_value());
  EXPECT_EQ((*store().Get(K("r/b")))->value, "3");
  EXPECT_EQ(store().RevokeLease(*lease).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().KeepAlive(*lease).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().KeepAlive(987654321).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().RevokeLease(987654321).code(), absl::StatusCode::kNotFound);
  absl::StatusOr<TxnResult> unknown =
      store().Commit({.success = {Op::Put(K("r/c"), "1", 987654321)}});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound) << unknown.status();
  EXPECT_EQ(store().GrantLease(seconds(0)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store().GrantLease(seconds(-5)).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, LeaderElectionWithALeaseAndACompare) {
  // The pattern romanad uses: a leadership key put-if-absent with a lease; writes fenced by a
  // compare on the key's create revision.
  absl::StatusOr<LeaseId> mine = store().GrantLease(seconds(60));
  absl::StatusOr<LeaseId> theirs = store().GrantLease(seconds(60));
  ASSERT_TRUE(mine.ok() && theirs.ok());
  EXPECT_NE(*mine, *theirs);
  auto campaign = [&](LeaseId lease, const std::string& me) {
    return MustCommit(store(), {.compares = {Compare::Absent(K("leader"))},
                                .success = {Op::Put(K("leader"), me, lease)}});
  };
  TxnResult won = campaign(*mine, "me");
  ASSERT_TRUE(won.succeeded);
  EXPECT_FALSE(campaign(*theirs, "them").succeeded);
  Compare fence;
  fence.key = K("leader");
  fence.target = Compare::Target::kCreateRevision;
  fence.number = won.revision;
  EXPECT_TRUE(MustCommit(store(), {.compares = {fence}, .success = {Op::Put(K("data"), "1")}})
                  .succeeded);
  ASSERT_TRUE(store().RevokeLease(*mine).ok());  // I step down
  TxnResult them = campaign(*theirs, "them");
  ASSERT_TRUE(them.succeeded);
  EXPECT_FALSE(MustCommit(store(), {.compares = {fence}, .success = {Op::Put(K("data"), "2")}})
                   .succeeded)
      << "a deposed leader's fenced write must fail";
  EXPECT_EQ((*store().Get(K("data")))->value, "1");
  ASSERT_TRUE(store().RevokeLease(*theirs).ok());
}

}  // namespace romana::store::testing
