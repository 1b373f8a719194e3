#include "store/sqlite_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "store/testing/store_conformance.h"

namespace romana::store {
namespace {

using std::chrono::seconds;

class SqliteHarness : public testing::StoreHarness {
 public:
  SqliteHarness() {
    auto store = SqliteStore::Create({.path = dir_.File("store.db")}, clock_);
    if (!store.ok()) ADD_FAILURE() << store.status();
    if (store.ok()) store_ = *std::move(store);
  }
  Store& store() override { return *store_; }
  std::string prefix() override { return "/romana/test/"; }
  void PassLeaseTime(std::chrono::milliseconds d) override { clock_.Advance(d); }

 private:
  romana::testing::TempDir dir_;
  base::FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

using testing::StoreConformanceTest;
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(testing::ConformanceBackend{
                             "Sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         testing::BackendName);

// Reads one integer with a plain SQLite connection (the store must be closed).
int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(SqliteStoreTest, ReopenKeepsDataRevisionHistoryAndCompaction) {
  romana::testing::TempDir dir;
  base::FakeClock clock;
  const std::string path = dir.File("s.db");
  Revision r1, r3;
  {
    auto store = SqliteStore::Create({.path = path}, clock);
    ASSERT_TRUE(store.ok()) << store.status();
    r1 = *(*store)->Put("/a", "1");
    (*store)->Put("/b", "2").IgnoreError();
    r3 = *(*store)->Put("/a", "3");
    ASSERT_TRUE((*store)->Compact(r3 - 1).ok());
  }
  auto store = SqliteStore::Create({.path = path}, clock);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->CurrentRevision(), r3);
  absl::StatusOr<std::optional<KeyValue>> a = (*store)->Get("/a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ(**a, (KeyValue{"/a", "3", r1, r3, 2, 0}));
  EXPECT_EQ(*(*store)->Put("/c", "4"), r3 + 1) << "revisions continue after a restart";
  auto old = (*store)->Watch("/", r1);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(IsCompacted((*old)->Next(std::chrono::milliseconds(10)).status()));
  auto from = (*store)->Watch("/", r3 - 1);
  ASSERT_TRUE(from.ok());
  absl::StatusOr<std::vector<Event>> events = (*from)->Next(std::chrono::milliseconds(10));
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].kv.key, "/b");
  EXPECT_EQ((*events)[2].kv.key, "/c");
}

TEST(SqliteStoreTest, TheFileIsWalAndSingleProcess) {
  romana::testing::TempDir dir;
  base::FakeClock clock;
  const std::string path = dir.File("s.db");
  {
    auto store = SqliteStore::Create({.path = path}, clock);
    ASSERT_TRUE(store.ok());
    auto second = SqliteStore::Create({.path = path, .busy_timeout = std::chrono::milliseconds(50)},
                                      clock);
    EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
    EXPECT_NE(second.status().message().find(path), std::string::npos);
    EXPECT_TRUE((*store)->Put("/still", "works").ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStoreTest, NewFilesAreReadableByTheOwnerOnly) {
  romana::testing::TempDir dir;
  base::FakeClock clock;
  const std::string path = dir.File("s.db");
  const mode_t old_umask = umask(022);
  auto store = SqliteStore::Create({.path = path}, clock);
  umask(old_umask);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Put("/k", "v").ok());
  for (const std::string& f : {path, path + "-wal"}) {
    struct stat st {};
    ASSERT_EQ(stat(f.c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
}

TEST(SqliteStoreTest, BadPathsAndFilesGetClearErrors) {
  base::FakeClock clock;
  auto empty = SqliteStore::Create({.path = ""}, clock);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("path"), std::string::npos);
  auto missing_dir = SqliteStore::Create({.path = "/nonexistent-romana-dir/x.db"}, clock);
  EXPECT_FALSE(missing_dir.ok());
  EXPECT_NE(missing_dir.status().message().find("/nonexistent-romana-dir/x.db"), std::string::npos);
  romana::testing::TempDir dir;
  std::ofstream(dir.File("junk.db")) << std::string(8192, 'x');
  auto junk = SqliteStore::Create({.path = dir.File("junk.db")}, clock);
  EXPECT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("junk.db"), std::string::npos) << junk.status();
}

TEST(SqliteStoreTest, CompactionDeletesOldLogRows) {
  romana::testing::TempDir dir;
  base::FakeClock clock;
  const std::string path = dir.File("s.db");
  {
    auto store = SqliteStore::Create({.path = path}, clock);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 50; ++i) ASSERT_TRUE((*store)->Put("/k", std::to_string(i)).ok());
    ASSERT_TRUE((*store)->Put("/gone", "x").ok());
    ASSERT_TRUE((*store)->Commit({.success = {Op::Delete("/gone")}}).ok());
  }
  EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM log"), 52);
  {
    auto store = SqliteStore::Create({.path = path}, clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Compact(*(*store)->CurrentRevision()).ok());
    EXPECT_EQ((**(*store)->Get("/k")).value, "49");
  }
  // Only the tombstone at the compaction revision and the newest /k remain.
  EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM log"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM log WHERE key = CAST('/k' AS BLOB)"), 1);
}

TEST(SqliteStoreTest, KeepsABoundedHistoryOnItsOwn) {
  romana::testing::TempDir dir;
  base::FakeClock clock;
  const std::string path = dir.File("s.db");
  Revision last = 0;
  {
    auto store = SqliteStore::Create({.path = path, .keep_revisions = 20}, clock);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 100; ++i) last = *(*store)->Put("/k", std::to_string(i));
    // At most 20 + 20/10 + 1 revisions of history are left, and at least 20.
    absl::StatusOr<RangeResult> old = (*store)->Range({.prefix = "/", .revision = last - 20});
    ASSERT_TRUE(old.ok()) << old.status();
    EXPECT_EQ(old->kvs[0].value, "79");
    auto w = (*store)->Watch("/", last - 30);
    ASSERT_TRUE(w.ok());
    EXPECT_TRUE(IsCompacted((*w)->Next(std::chrono::milliseconds(10)).status()));
  }
  EXPECT_LE(QueryInt(path, "SELECT COUNT(*) FROM log"), 23);
  EXPECT_GE(QueryInt(path, "SELECT COUNT(*) FROM log"), 20);
  EXPECT_GE(QueryInt(path, "SELECT value FROM meta WHERE name = 'compacted'"), last - 23);
}

TEST(SqliteStoreTest, LeasesSurviveARestartWithAFullTtl) {
  romana::testing::TempDir dir;
  base::FakeClock clock;
  const std::string path = dir.File("s.db");
  LeaseId lease;
  {
    auto store = SqliteStore::Create({.path = path}, clock);
    ASSERT_TRUE(store.ok());
    lease = *(*store)->GrantLease(seconds(10));
    ASSERT_TRUE((*store)->Commit({.success = {Op::Put("/held", "1", lease)}}).ok());
    clock.Advance(seconds(8));
  }
  auto store = SqliteStore::Create({.path = path}, clock);
  ASSERT_TRUE(store.ok());
  clock.Advance(seconds(8));  // 16 s after the grant, 8 s after the restart
  EXPECT_TRUE((*store)->Get("/held")->has_value());
  EXPECT_TRUE((*store)->KeepAlive(lease).ok());
  LeaseId next = *(*store)->GrantLease(seconds(10));
  EXPECT_GT(next, lease) << "lease ids are not reused after a restart";
  clock.Advance(seconds(11));
  EXPECT_FALSE((*store)->Get("/held")->has_value());
  EXPECT_EQ((*store)->KeepAlive(lease).code(), absl::StatusCode::kNotFound);
}

// The durability test: a writer process is SIGKILLed in the middle of a stream of
// transactions, three times; every acknowledged transaction must be in the file, and every
// transaction in the file must be whole.
TEST(SqliteStoreTest, EveryAcknowledgedTxnSurvivesSigkillAndNoneIsPartial) {
  romana::testing::TempDir dir;
  const std::string path = dir.File("crash.db");
  const std::string writer = (romana::testing::BinaryDir() / "src/store/sqlite_crash_writer").string();
  std::set<long> acked;
  long next = 1;
  for (int round = 0; round < 3; ++round) {
    const std::string out = dir.File(absl::StrCat("writer", round, ".out"));
    auto child = base::Subprocess::Start(
        {.argv = {writer, path, std::to_string(next)}, .output_path = out});
    ASSERT_TRUE(child.ok()) << child.status();
    auto acked_lines = [&] {
      std::ifstream in(out);
      std::string word;
      long n = 0, count = 0;
      while (in >> word >> n) {
        if (word == "acked") ++count;
      }
      return count;
    };
    ASSERT_TRUE(romana::testing::WaitUntil([&] { return acked_lines() >= 40 + 17 * round; },
                                           std::chrono::seconds(60)))
        << "writer made no progress";
    (*child)->Signal(SIGKILL);
    absl::StatusOr<int> code = (*child)->Wait(std::chrono::seconds(10));
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, 128 + SIGKILL);
    std::ifstream in(out);
    std::string word;
    long n = 0;
    while (in >> word >> n) {
      if (word == "acked") acked.insert(n);
    }

    base::SystemClock clock;
    auto store = SqliteStore::Create({.path = path}, clock);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::StatusOr<RangeResult> all = (*store)->Range({.prefix = "/crash/"});
    ASSERT_TRUE(all.ok()) << all.status();
    std::map<long, int> parts;
    long last = 0;
    for (const KeyValue& kv : all->kvs) {
      if (kv.key == "/crash/last") {
        last = std::stol(kv.value);
        continue;
      }
      long txn = std::stol(kv.key.substr(7));
      EXPECT_EQ(kv.value, std::to_string(txn));
      ++parts[txn];
    }
    for (const auto& [txn, count] : parts) {
      EXPECT_EQ(count, 4) << "transaction " << txn << " is in the file only in part";
    }
    for (long a : acked) EXPECT_EQ(parts.count(a), 1u) << "acknowledged txn " << a << " lost";
    ASSERT_FALSE(parts.empty());
    EXPECT_EQ(last, parts.rbegin()->first) << "/crash/last belongs to the newest transaction";
    EXPECT_GE(last, *acked.rbegin());
    EXPECT_LE(last, *acked.rbegin() + 1) << "at most one unacknowledged txn may have landed";
    // Each transaction got exactly one revision: the store revision counts them all.
    EXPECT_EQ(*(*store)->CurrentRevision(), 1 + static_cast<Revision>(parts.size()));
    next = last + 1;
  }
  EXPECT_GE(acked.size(), 40u + 57u);
}

}  // namespace
}  // namespace romana::store
