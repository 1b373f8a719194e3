#include "nft/table_syncer.h"

#include "gtest/gtest.h"
#include "nft/testing/fake_runner.h"

namespace romana::nft {
namespace {

using json = nlohmann::json;

Table Want(std::vector<std::string> members) {
  Table t{.family = "inet", .name = "romana"};
  Set& s = t.sets["peers"];
  s.type = {"ipv4_addr"};
  for (const std::string& m : members) s.elements[json(m)] = nullptr;
  t.chains["input"] = Chain{.base = BaseChain{"filter", "input", 0, "accept"},
                            .rules = {json::array({json{{"accept", nullptr}}})}};
  return t;
}

json DeleteChain(const std::string& name) {
  return Document(json::array({json{{"flush", {{"chain", {{"family", "inet"}, {"table", "romana"}, {"name", name}}}}}},
                               json{{"delete", {{"chain", {{"family", "inet"}, {"table", "romana"}, {"name", name}}}}}}}));
}

TEST(TableSyncerTest, NoOpMakesNoCallsAndDriftIsRepairedAtResync) {
  testing::FakeRunner nft;
  base::FakeClock clock;
  TableSyncer syncer(nft, clock, {.family = "inet", .name = "romana", .resync_interval = std::chrono::seconds(60)});
  ASSERT_TRUE(syncer.Sync(Want({"10.0.0.1"})).ok());
  EXPECT_EQ(nft.reads(), 1);  // start-up read: table absent
  EXPECT_EQ(nft.writes(), 1);
  for (int i = 0; i < 3; ++i) {
    clock.Advance(std::chrono::seconds(10));
    ASSERT_TRUE(syncer.Sync(Want({"10.0.0.1"})).ok());
  }
  EXPECT_EQ(nft.reads(), 1);
  EXPECT_EQ(nft.writes(), 1);

  ASSERT_TRUE(nft.Run(DeleteChain("input")).ok());  // behind our back
  ASSERT_EQ(nft.writes(), 2);
  clock.Advance(std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync(Want({"10.0.0.1"})).ok());
  EXPECT_EQ(nft.writes(), 3);
  EXPECT_EQ(syncer.last_stats().chains_written, 1);
  EXPECT_FALSE(syncer.last_stats().recreate);

  clock.Advance(std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync(Want({"10.0.0.1"})).ok());  // resync finds it intact
  EXPECT_EQ(nft.writes(), 3);
  EXPECT_EQ(nft.reads(), 3);
}

TEST(TableSyncerTest, RestartedSyncerAdoptsTheExistingTable) {
  testing::FakeRunner nft;
  base::FakeClock clock;
  {
    TableSyncer first(nft, clock, {.family = "inet", .name = "romana"});
    ASSERT_TRUE(first.Sync(Want({"10.0.0.1", "10.0.0.2"})).ok());
  }
  TableSyncer second(nft, clock, {.family = "inet", .name = "romana"});
  ASSERT_TRUE(second.Sync(Want({"10.0.0.2", "10.0.0.3"})).ok());
  EXPECT_EQ(nft.writes(), 2);
  EXPECT_EQ(second.last_stats().elements_added, 1);
  EXPECT_EQ(second.last_stats().elements_deleted, 1);
  EXPECT_EQ(second.last_stats().chains_written, 0);
  EXPECT_EQ(second.applied_elements(), 2u);
}

TEST(TableSyncerTest, FailedTransactionIsReadBackBeforeTheNextWrite) {
  testing::FakeRunner nft;
  base::FakeClock clock;
  TableSyncer syncer(nft, clock, {.family = "inet", .name = "romana"});
  ASSERT_TRUE(syncer.Sync(Want({"10.0.0.1"})).ok());
  ASSERT_TRUE(nft.Run(Document(json::array({json{{"delete", {{"table", {{"family", "inet"}, {"name", "romana"}}}}}}}))).ok());
  // Our cache still believes the table exists: the element write fails (NotFound), then the
  // next Sync re-reads, finds it absent and recreates it.
  absl::Status s = syncer.Sync(Want({"10.0.0.1", "10.0.0.7"}));
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  ASSERT_TRUE(syncer.Sync(Want({"10.0.0.1", "10.0.0.7"})).ok());
  EXPECT_TRUE(syncer.last_stats().recreate);
  EXPECT_TRUE(nft.HasTable("inet", "romana"));
}

TEST(TableSyncerTest, RemoveIsIdempotentAndCheapWhenKnownAbsent) {
  testing::FakeRunner nft;
  base::FakeClock clock;
  TableSyncer syncer(nft, clock, {.family = "inet", .name = "romana"});
  ASSERT_TRUE(syncer.Sync(Want({})).ok());
  ASSERT_TRUE(syncer.Remove().ok());
  EXPECT_FALSE(nft.HasTable("inet", "romana"));
  const int writes = nft.writes();
  ASSERT_TRUE(syncer.Remove().ok());
  EXPECT_EQ(nft.writes(), writes);
}

}  // namespace
}  // namespace romana::nft
