// The store records its schema version: romanad writes `<prefix>/schema-version` on first start,
// and refuses a store with a newer version (exit 3, the message naming both versions), on the
// embedded SQLite store and on etcd. The real romanad binary, a real SQLite file and a real etcd.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "daemon/schema_version.h"
#include "daemon/testing/romanad_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/etcd_store.h"
#include "store/sqlite_store.h"
#include "store/testing/etcd_cluster.h"

namespace romana {
namespace {

using ::testing::HasSubstr;

constexpr char kKey[] = "/romana/schema-version";

struct Exit {
  int code = -1;
  std::string log;
};

// Runs romanad with `args` until it exits (at most 30 s: a romanad that starts serving fails).
Exit RunRomanad(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> argv = {(romana::testing::BinaryDir() / "apps/romanad/romanad").string(),
                                   "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = base::Subprocess::Start({.argv = argv, .output_path = log_path});
  if (!p.ok()) return {};
  absl::StatusOr<int> code = (*p)->Wait(std::chrono::seconds(30));
  if (!code.ok()) (*p)->Stop();
  std::ifstream in(log_path);
  return {code.ok() ? *code : -1, std::string(std::istreambuf_iterator<char>(in), {})};
}

TEST(SchemaVersionTest, SqliteStoreIsStampedAndANewerOneRefused) {
  romana::testing::TempDir dir;
  const std::string db = dir.File("romana.db");
  {
    auto d = romana::testing::RomanadProcess::Start({.store_path = db});
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ((*d)->Stop(), 0);
  }
  base::SystemClock clock;
  {
    auto s = store::SqliteStore::Create({.path = db}, clock);
    ASSERT_TRUE(s.ok()) << s.status();
    auto kv = (*s)->Get(kKey);
    ASSERT_TRUE(kv.ok() && kv->has_value()) << "romanad did not record the schema version";
    EXPECT_EQ((*kv)->value, std::to_string(daemon::kSchemaVersion));
    ASSERT_TRUE((*s)->Put(kKey, std::to_string(daemon::kSchemaVersion + 1)).ok());
  }
  Exit e = RunRomanad({"--store", db}, dir.File("refused.log"));
  EXPECT_EQ(e.code, 3) << e.log;
  EXPECT_THAT(e.log, HasSubstr(absl::StrCat("schema version ", daemon::kSchemaVersion + 1)));
  EXPECT_THAT(e.log, HasSubstr(absl::StrCat("version ", daemon::kSchemaVersion, " that this romanad understands")));
}

TEST(SchemaVersionTest, EtcdStoreIsStampedAndANewerOneRefused) {
  auto cluster = store::testing::EtcdCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string endpoint = "http://" + (*cluster)->ClientEndpoint(0);
  {
    auto d = romana::testing::RomanadProcess::Start({.extra_args = {"--etcd-endpoints", endpoint}});
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ((*d)->Stop(), 0);
  }
  auto s = store::EtcdStore::Create({.endpoints = (*cluster)->ClientEndpoints()});
  ASSERT_TRUE(s.ok()) << s.status();
  auto kv = (*s)->Get(kKey);
  ASSERT_TRUE(kv.ok() && kv->has_value()) << "romanad did not record the schema version";
  EXPECT_EQ((*kv)->value, std::to_string(daemon::kSchemaVersion));
  ASSERT_TRUE((*s)->Put(kKey, "7").ok());
  romana::testing::TempDir dir;
  Exit e = RunRomanad({"--etcd-endpoints", endpoint}, dir.File("refused.log"));
  EXPECT_EQ(e.code, 3) << e.log;
  EXPECT_THAT(e.log, HasSubstr("schema version 7"));
  EXPECT_THAT(e.log, HasSubstr(absl::StrCat("version ", daemon::kSchemaVersion, " that this romanad understands")));
  // Garbage is refused too, naming the key.
  ASSERT_TRUE((*s)->Put(kKey, "two").ok());
  e = RunRomanad({"--etcd-endpoints", endpoint}, dir.File("garbage.log"));
  EXPECT_EQ(e.code, 3) << e.log;
  EXPECT_THAT(e.log, HasSubstr(kKey));
}

// The check itself, on the in-process SQLite store: older and equal versions pass.
TEST(SchemaVersionTest, OlderAndEqualVersionsPass) {
  romana::testing::TempDir dir;
  base::SystemClock clock;
  auto s = store::SqliteStore::Create({.path = dir.File("x.db")}, clock);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(daemon::CheckSchemaVersion(**s, kKey, 3).ok());
  EXPECT_EQ((*(*s)->Get(kKey))->value, "3");
  EXPECT_TRUE(daemon::CheckSchemaVersion(**s, kKey, 3).ok());
  EXPECT_TRUE(daemon::CheckSchemaVersion(**s, kKey, 4).ok());
  absl::Status newer = daemon::CheckSchemaVersion(**s, kKey, 2);
  EXPECT_TRUE(absl::IsFailedPrecondition(newer)) << newer;
}

}  // namespace
}  // namespace romana
