#include "daemon/fenced_store.h"

#include "api/field_error.h"
#include "base/clock.h"
#include "daemon/leadership.h"
#include "gtest/gtest.h"
#include "store/memory_store.h"

namespace romana::daemon {
namespace {

// A leadership whose fence and state the test sets.
class TestLeadership : public Leadership {
 public:
  bool IsLeader() const override { return leader; }
  std::string LeaderUrl() const override { return "http://leader:9600"; }
  std::optional<store::Compare> Fence() const override { return store::Compare::ValueEquals("/romana/leader", value); }
  uint64_t Term() const override { return 1; }
  bool Settled() const override { return true; }
  bool leader = true;
  std::string value = "me";
};

TEST(FencedStoreTest, WritesOnlyWhileTheFenceHolds) {
  base::FakeClock clock;
  auto mem = store::MemoryStore::Create(clock);
  TestLeadership l;
  FencedStore fs(*mem, l);
  ASSERT_TRUE(mem->Put("/romana/leader", "me").ok());
  ASSERT_TRUE(fs.Commit({{}, {store::Op::Put("/romana/a", "1")}, {}}).ok());
  EXPECT_TRUE((*mem->Get("/romana/a")).has_value());

  // Another replica took over: the write is refused and nothing is written.
  ASSERT_TRUE(mem->Put("/romana/leader", "other").ok());
  absl::StatusOr<store::TxnResult> r = fs.Commit({{}, {store::Op::Put("/romana/b", "1")}, {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(api::ErrorCodeOf(r.status()), "not_leader");
  EXPECT_EQ(api::DetailOf(r.status(), "leader"), "http://leader:9600");
  EXPECT_FALSE((*mem->Get("/romana/b")).has_value());
}

TEST(FencedStoreTest, CallersCompareFailureIsNotAFenceFailure) {
  base::FakeClock clock;
  auto mem = store::MemoryStore::Create(clock);
  TestLeadership l;
  FencedStore fs(*mem, l);
  ASSERT_TRUE(mem->Put("/romana/leader", "me").ok());
  ASSERT_TRUE(mem->Put("/romana/x", "1").ok());
  store::Txn txn;
  txn.compares.push_back(store::Compare::Absent("/romana/x"));
  txn.success.push_back(store::Op::Put("/romana/x", "2"));
  txn.failure.push_back(store::Op::Put("/romana/y", "f"));
  absl::StatusOr<store::TxnResult> r = fs.Commit(txn);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->succeeded);
  EXPECT_EQ((*mem->Get("/romana/x"))->value, "1");
  EXPECT_EQ((*mem->Get("/romana/y"))->value, "f");  // the failure branch ran, fenced
}

TEST(FencedStoreTest, FollowerNeverWrites) {
  base::FakeClock clock;
  auto mem = store::MemoryStore::Create(clock);
  TestLeadership l;
  l.leader = false;
  FencedStore fs(*mem, l);
  ASSERT_TRUE(mem->Put("/romana/leader", "me").ok());
  EXPECT_EQ(fs.Commit({{}, {store::Op::Put("/romana/a", "1")}, {}}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE((*mem->Get("/romana/a")).has_value());
}

TEST(FencedStoreTest, SoleLeaderPassesThrough) {
  base::FakeClock clock;
  auto mem = store::MemoryStore::Create(clock);
  SoleLeader l;
  FencedStore fs(*mem, l);
  ASSERT_TRUE(fs.Commit({{}, {store::Op::Put("/romana/a", "1")}, {}}).ok());
}

// The election on a real (in-memory) store: one leader at a time, takeover after resign and
// after lease expiry, fences that differ per term.
TEST(LeaseElectionTest, OneLeaderAndTakeover) {
  base::SystemClock clock;
  auto mem = store::MemoryStore::Create(clock);
  auto a = LeaseElection::Start({.key = "/romana/leader", .advertise_url = "http://a", .ttl = std::chrono::seconds(2),
                                 .poll = std::chrono::milliseconds(20)},
                                *mem, clock);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!a->IsLeader() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_TRUE(a->IsLeader());
  auto b = LeaseElection::Start({.key = "/romana/leader", .advertise_url = "http://b", .ttl = std::chrono::seconds(2),
                                 .poll = std::chrono::milliseconds(20)},
                                *mem, clock);
  while (!b->Settled() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_FALSE(b->IsLeader());
  EXPECT_EQ(b->LeaderUrl(), "http://a");
  const store::Compare fence_a = *a->Fence();
  a->Resign();
  EXPECT_FALSE(a->IsLeader());
  // Resign() keeps a campaigning, so a may win again before b's next poll; stopping a (which
  // resigns again) leaves b the only candidate.
  a.reset();
  while (!b->IsLeader() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_TRUE(b->IsLeader());
  EXPECT_NE(b->Fence()->value, fence_a.value);
  // a's old fence no longer holds: a write fenced with it fails.
  store::Txn txn;
  txn.compares.push_back(fence_a);
  txn.success.push_back(store::Op::Put("/romana/z", "1"));
  EXPECT_FALSE(mem->Commit(txn)->succeeded);
}

}  // namespace
}  // namespace romana::daemon
