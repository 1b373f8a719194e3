#include "agent/vip_syncer.h"

#include "agent/testing/fake_vip_programmer.h"
#include "agent/vip_calc.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

using Set = std::set<std::string>;
using testing::FakeVipProgrammer;

api::Vip V(const std::string& name, const std::string& ip, const std::string& node) {
  return {.namespace_name = "default", .name = name, .ip = ip, .node = node};
}

TEST(VipCalcTest, OnlyThisNodesRecordsEachAddressOnce) {
  std::map<std::string, api::Vip> vips = {{"a", V("a", "192.168.99.1", "n1")},
                                          {"b", V("b", "192.168.99.2", "n2")},
                                          {"c", V("c", "192.168.99.3", "")},
                                          {"d", V("d", "192.168.99.1", "n1")},
                                          {"e", V("e", "127.0.0.9", "n1")}};
  VipCalcResult r = ComputeVips(vips, "n1");
  EXPECT_EQ(r.addresses, (Set{"192.168.99.1"}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("default/e"), std::string::npos);
  EXPECT_EQ(ComputeVips(vips, "n2").addresses, (Set{"192.168.99.2"}));
  EXPECT_TRUE(ComputeVips(vips, "n3").addresses.empty());
  EXPECT_TRUE(ComputeVips(vips, "").addresses.empty());  // "" never matches a record without node
}

TEST(VipSyncerTest, AddsRemovesAndASecondSyncWritesNothing) {
  base::FakeClock clock;
  FakeVipProgrammer link;
  VipSyncer syncer(link, clock, std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync({"10.1.0.1", "10.1.0.2"}).ok());
  EXPECT_EQ(link.owned(), (Set{"10.1.0.1", "10.1.0.2"}));
  EXPECT_EQ(syncer.last_writes(), 2);
  const int writes = link.writes(), reads = link.reads();
  ASSERT_TRUE(syncer.Sync({"10.1.0.1", "10.1.0.2"}).ok());
  EXPECT_EQ(link.writes(), writes);
  EXPECT_EQ(link.reads(), reads);  // cache still valid: not even a read
  ASSERT_TRUE(syncer.Sync({"10.1.0.2"}).ok());
  EXPECT_EQ(link.owned(), (Set{"10.1.0.2"}));
  EXPECT_EQ(syncer.last_writes(), 1);
}

TEST(VipSyncerTest, ForeignAddressIsNeverTakenOverNorRemoved) {
  base::FakeClock clock;
  FakeVipProgrammer link;
  link.AddForeign("10.1.0.9");
  VipSyncer syncer(link, clock, std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync({"10.1.0.9", "10.1.0.1"}).ok());  // the conflict does not block the other
  EXPECT_EQ(link.owned(), (Set{"10.1.0.1"}));
  EXPECT_EQ(syncer.last_conflicts(), (Set{"10.1.0.9"}));
  const int writes = link.writes();
  ASSERT_TRUE(syncer.Sync({"10.1.0.9", "10.1.0.1"}).ok());
  EXPECT_EQ(link.writes(), writes);  // not retried every pass
  ASSERT_TRUE(syncer.RemoveAll().ok());
  EXPECT_TRUE(link.owned().empty());
  EXPECT_EQ(link.foreign(), (Set{"10.1.0.9"}));
  // Once the other owner lets go, the next re-read lets the agent add it.
  link.RemoveForeign("10.1.0.9");
  clock.Advance(std::chrono::seconds(61));
  ASSERT_TRUE(syncer.Sync({"10.1.0.9"}).ok());
  EXPECT_EQ(link.owned(), (Set{"10.1.0.9"}));
}

TEST(VipSyncerTest, OutOfBandDeleteIsRepairedAfterResyncAndErrorsDropTheCache) {
  base::FakeClock clock;
  FakeVipProgrammer link;
  VipSyncer syncer(link, clock, std::chrono::seconds(60));
  ASSERT_TRUE(syncer.Sync({"10.1.0.1"}).ok());
  link.RemoveOwnedBehindOurBack("10.1.0.1");
  ASSERT_TRUE(syncer.Sync({"10.1.0.1"}).ok());
  EXPECT_TRUE(link.owned().empty());  // not noticed before the re-read is due
  clock.Advance(std::chrono::seconds(61));
  ASSERT_TRUE(syncer.Sync({"10.1.0.1"}).ok());
  EXPECT_EQ(link.owned(), (Set{"10.1.0.1"}));

  link.FailNextCall(absl::UnavailableError("EBUSY"));
  EXPECT_FALSE(syncer.Sync({"10.1.0.1", "10.1.0.2"}).ok());
  const int reads = link.reads();
  ASSERT_TRUE(syncer.Sync({"10.1.0.1", "10.1.0.2"}).ok());
  EXPECT_EQ(link.reads(), reads + 1);  // re-read after the error
  EXPECT_EQ(link.owned(), (Set{"10.1.0.1", "10.1.0.2"}));
}

}  // namespace
}  // namespace romana::agent
