#include "store/memory_store.h"

#include <memory>

#include "base/clock.h"
#include "gtest/gtest.h"
#include "store/forwarding_store.h"
#include "store/testing/store_conformance.h"

namespace romana::store {
namespace {

class MemoryHarness : public testing::StoreHarness {
 public:
  MemoryHarness() : store_(MemoryStore::Create(clock_)) {}
  Store& store() override { return *store_; }
  std::string prefix() override { return "/romana/test/"; }
  void PassLeaseTime(std::chrono::milliseconds d) override { clock_.Advance(d); }

 private:
  base::FakeClock clock_;
  std::unique_ptr<MemoryStore> store_;
};

// A ForwardingStore over the memory store: the base every wrapper store builds on must keep
// the semantics of the store it wraps.
class ForwardingHarness : public testing::StoreHarness {
 public:
  Store& store() override { return forwarding_; }
  std::string prefix() override { return memory_.prefix(); }
  void PassLeaseTime(std::chrono::milliseconds d) override { memory_.PassLeaseTime(d); }

 private:
  MemoryHarness memory_;
  ForwardingStore forwarding_{memory_.store()};
};

using testing::StoreConformanceTest;
INSTANTIATE_TEST_SUITE_P(Memory, StoreConformanceTest,
                         ::testing::Values(testing::ConformanceBackend{
                                               "Memory", [] { return std::make_unique<MemoryHarness>(); }},
                                           testing::ConformanceBackend{
                                               "ForwardingToMemory", [] { return std::make_unique<ForwardingHarness>(); }}),
                         testing::BackendName);

TEST(MemoryStoreTest, WithoutTheLeaseThreadLeasesExpireOnTheNextCall) {
  base::FakeClock clock;
  auto store = MemoryStore::Create(clock, {.lease_check_interval = std::chrono::milliseconds(0)});
  absl::StatusOr<LeaseId> lease = store->GrantLease(std::chrono::seconds(10));
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(store->Commit({.success = {Op::Put("/a", "1", *lease)}}).ok());
  clock.Advance(std::chrono::seconds(9));
  EXPECT_TRUE(store->Get("/a")->has_value());
  clock.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(store->Get("/a")->has_value()) << "expired exactly at its deadline";
}

TEST(MemoryStoreTest, StartsAtRevisionOneLikeEtcd) {
  base::FakeClock clock;
  auto store = MemoryStore::Create(clock);
  EXPECT_EQ(*store->CurrentRevision(), 1);
  EXPECT_EQ(*store->Put("/a", "1"), 2);
}

TEST(PrefixEndTest, IncrementsTheLastByteAndDropsTrailingFF) {
  EXPECT_EQ(PrefixEnd("/a/"), "/a0");
  EXPECT_EQ(PrefixEnd("ab"), "ac");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("\xff\xff", 2)), std::string(1, '\0'));
  EXPECT_EQ(PrefixEnd(""), std::string(1, '\0'));
}

}  // namespace
}  // namespace romana::store
