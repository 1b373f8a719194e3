#include "agent/route_syncer.h"

#include "agent/testing/fake_route_programmer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

using testing::FakeRouteProgrammer;

class RouteSyncerTest : public ::testing::Test {
 protected:
  FakeRouteProgrammer kernel_;
  base::FakeClock clock_;
  RouteSyncerOptions options_{Rule{32000, 10}, std::chrono::seconds(60)};
  RouteSyncer syncer_{kernel_, clock_, options_};
  RouteMap want_ = ToRouteMap({{"10.114.0.0/28", "192.168.99.11"}, {"10.116.0.0/29", "192.168.99.12"}});
};

TEST_F(RouteSyncerTest, FirstSyncProgramsRoutesAndRule) {
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  EXPECT_EQ(kernel_.routes(), want_);
  EXPECT_THAT(kernel_.rules(), ::testing::ElementsAre(Rule{32000, 10}));
  EXPECT_TRUE(syncer_.last_stats().resynced);
  EXPECT_EQ(syncer_.last_stats().ops, 2);
}

TEST_F(RouteSyncerTest, NoOpSyncMakesZeroWritesAndZeroReads) {
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  const int writes = kernel_.writes(), reads = kernel_.reads();
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(std::chrono::seconds(10));
    ASSERT_TRUE(syncer_.Sync(want_).ok());
  }
  EXPECT_EQ(kernel_.writes(), writes);
  EXPECT_EQ(kernel_.reads(), reads);
}

TEST_F(RouteSyncerTest, ChangeWritesOnlyTheDifference) {
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  const int ops = kernel_.ops_applied();
  RouteMap next = want_;
  next.erase("10.116.0.0/29");
  next["10.118.0.0/29"] = Route::Via("10.118.0.0/29", "192.168.99.13");
  ASSERT_TRUE(syncer_.Sync(next).ok());
  EXPECT_EQ(kernel_.ops_applied() - ops, 2);  // one delete, one add
  EXPECT_EQ(kernel_.routes(), next);
}

TEST_F(RouteSyncerTest, OutOfBandDeleteIsRepairedAtTheNextResync) {
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  kernel_.DeleteRouteBehindOurBack("10.114.0.0/28");
  kernel_.DeleteRulesBehindOurBack();
  clock_.Advance(std::chrono::seconds(30));
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  EXPECT_FALSE(kernel_.routes().contains("10.114.0.0/28"));  // not yet: cache still trusted
  clock_.Advance(std::chrono::seconds(31));
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  EXPECT_TRUE(syncer_.last_stats().resynced);
  EXPECT_EQ(kernel_.routes(), want_);
  EXPECT_THAT(kernel_.rules(), ::testing::ElementsAre(Rule{32000, 10}));
}

TEST_F(RouteSyncerTest, InvalidateForcesARead) {
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  kernel_.DeleteRouteBehindOurBack("10.116.0.0/29");
  syncer_.Invalidate("route deleted notification");
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  EXPECT_EQ(kernel_.routes(), want_);
}

TEST_F(RouteSyncerTest, StaleRoutesAndRulesOfOursAreRemovedAtStart) {
  kernel_.AddRouteBehindOurBack({"10.200.0.0/29", "192.168.99.50"});  // left by a previous run
  ASSERT_TRUE(kernel_.AddRule(Rule{100, 10}).ok());                   // old priority
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  EXPECT_EQ(kernel_.routes(), want_);
  EXPECT_THAT(kernel_.rules(), ::testing::ElementsAre(Rule{32000, 10}));
}

TEST_F(RouteSyncerTest, ErrorDropsTheCacheAndNextSyncConverges) {
  ASSERT_TRUE(syncer_.Sync({}).ok());
  kernel_.FailApplyAfterOps(1);
  EXPECT_FALSE(syncer_.Sync(want_).ok());
  EXPECT_EQ(kernel_.routes().size(), 1u);  // half applied
  const int reads = kernel_.reads();
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  EXPECT_GT(kernel_.reads(), reads);  // re-read after the error
  EXPECT_EQ(kernel_.routes(), want_);
}

TEST_F(RouteSyncerTest, ListErrorIsReturnedAndRetried) {
  kernel_.FailNextCall(absl::UnavailableError("netlink busy"));
  EXPECT_EQ(syncer_.Sync(want_).code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(kernel_.routes().empty());
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  EXPECT_EQ(kernel_.routes(), want_);
}

TEST_F(RouteSyncerTest, RemoveAllLeavesNothingOfOurs) {
  ASSERT_TRUE(syncer_.Sync(want_).ok());
  ASSERT_TRUE(syncer_.RemoveAll().ok());
  EXPECT_TRUE(kernel_.routes().empty());
  EXPECT_TRUE(kernel_.rules().empty());
  ASSERT_TRUE(syncer_.Sync(want_).ok());  // and it can start again
  EXPECT_EQ(kernel_.routes(), want_);
}

}  // namespace
}  // namespace romana::agent
