// FreeList: the fixed IDRing. The original's reclaim bug cases (reference §4.7) are checked
// explicitly, and a random take/release sequence is compared with a bitmap oracle.
#include "ipam/free_list.h"

#include <bitset>
#include <random>

#include "gtest/gtest.h"

namespace romana::ipam {
namespace {

using net::Ipv4Address;
using net::Ipv4Range;

Ipv4Range R(uint32_t a, uint32_t b) { return {Ipv4Address(a), Ipv4Address(b)}; }

TEST(FreeListTest, TakesLowestFirstAndReleasesMerge) {
  FreeList f = FreeList::AllFree(R(0, 7));
  EXPECT_TRUE(f.all_free());
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(f.TakeLowest(), Ipv4Address(i));
  EXPECT_FALSE(f.TakeLowest().has_value());
  EXPECT_EQ(f.free_count(), 0u);
  EXPECT_TRUE(f.Release(Ipv4Address(3)));
  EXPECT_FALSE(f.Release(Ipv4Address(3)));  // already free
  EXPECT_FALSE(f.Release(Ipv4Address(8)));  // outside
  EXPECT_TRUE(f.Release(Ipv4Address(5)));
  EXPECT_TRUE(f.Release(Ipv4Address(4)));   // joins 3 and 5
  EXPECT_EQ(f.ranges(), (std::vector<Ipv4Range>{R(3, 5)}));
  EXPECT_EQ(f.TakeLowest(), Ipv4Address(3));
  EXPECT_TRUE(f.Take(Ipv4Address(5)));
  EXPECT_FALSE(f.Take(Ipv4Address(5)));
  EXPECT_EQ(f.ranges(), (std::vector<Ipv4Range>{R(4, 4)}));
}

// GO-QUIRK fixed: with free ranges [10],[12],[14], reclaiming 3 lost 12 and 14, and reclaiming
// 11 lost 14. Here nothing is lost.
TEST(FreeListTest, ReclaimBelowAndBetweenRangesLosesNothing) {
  absl::StatusOr<FreeList> f = FreeList::FromRanges(R(0, 15), {R(10, 10), R(12, 12), R(14, 14)});
  ASSERT_TRUE(f.ok());
  FreeList a = *f;
  ASSERT_TRUE(a.Release(Ipv4Address(3)));
  EXPECT_EQ(a.ranges(), (std::vector<Ipv4Range>{R(3, 3), R(10, 10), R(12, 12), R(14, 14)}));
  FreeList b = *f;
  ASSERT_TRUE(b.Release(Ipv4Address(11)));
  EXPECT_EQ(b.ranges(), (std::vector<Ipv4Range>{R(10, 12), R(14, 14)}));
  // The block can become completely free again.
  for (uint32_t i = 0; i < 16; ++i) b.Release(Ipv4Address(i));
  EXPECT_TRUE(b.all_free());
}

TEST(FreeListTest, TakeLowestSkipsReserved) {
  FreeList f = FreeList::AllFree(R(0, 9));
  std::vector<Ipv4Range> reserved = {R(0, 1), R(4, 7)};
  EXPECT_EQ(f.AllocatableCount(reserved), 4u);
  EXPECT_EQ(f.TakeLowest(reserved), Ipv4Address(2));
  EXPECT_EQ(f.TakeLowest(reserved), Ipv4Address(3));
  EXPECT_EQ(f.TakeLowest(reserved), Ipv4Address(8));
  // A reserved range that spans two free ranges is honoured in both.
  FreeList g = *FreeList::FromRanges(R(0, 15), {R(2, 3), R(6, 9)});
  EXPECT_EQ(g.TakeLowest({R(0, 7)}), Ipv4Address(8));
  EXPECT_EQ(g.TakeLowest({R(0, 7)}), Ipv4Address(9));
  EXPECT_FALSE(g.TakeLowest({R(0, 7)}).has_value());
  EXPECT_EQ(g.free_count(), 4u);
}

TEST(FreeListTest, FromRangesRejectsMalformedLists) {
  EXPECT_FALSE(FreeList::FromRanges(R(0, 7), {R(0, 8)}).ok());
  EXPECT_FALSE(FreeList::FromRanges(R(0, 7), {R(3, 4), R(1, 2)}).ok());
  EXPECT_FALSE(FreeList::FromRanges(R(0, 7), {R(1, 2), R(3, 4)}).ok());  // adjacent: not merged
  EXPECT_FALSE(FreeList::FromRanges(R(0, 7), {R(1, 3), R(2, 4)}).ok());
  EXPECT_FALSE(FreeList::FromRanges(R(0, 7), {R(5, 4)}).ok());
  EXPECT_TRUE(FreeList::FromRanges(R(0, 7), {}).ok());
}

TEST(FreeListTest, RandomOperationsMatchABitmap) {
  std::mt19937 rng(1234);
  constexpr uint32_t kBase = 0x0A000000, kSize = 256;
  for (int round = 0; round < 20; ++round) {
    FreeList f = FreeList::AllFree(R(kBase, kBase + kSize - 1));
    std::bitset<kSize> used;
    std::vector<Ipv4Range> reserved;
    if (round % 2) reserved = {R(kBase + 16, kBase + 31), R(kBase + 100, kBase + 100)};
    auto is_reserved = [&](uint32_t i) {
      for (const auto& r : reserved) if (r.Contains(Ipv4Address(kBase + i))) return true;
      return false;
    };
    for (int step = 0; step < 3000; ++step) {
      int op = rng() % 3;
      if (op == 0) {
        std::optional<Ipv4Address> a = f.TakeLowest(reserved);
        uint32_t want = 0;
        while (want < kSize && (used[want] || is_reserved(want))) ++want;
        if (want == kSize) {
          ASSERT_FALSE(a.has_value());
        } else {
          ASSERT_EQ(a, Ipv4Address(kBase + want));
          used[want] = true;
        }
      } else {
        uint32_t i = rng() % kSize;
        bool ok = op == 1 ? f.Release(Ipv4Address(kBase + i)) : f.Take(Ipv4Address(kBase + i));
        ASSERT_EQ(ok, op == 1 ? used[i] : !used[i]);
        used[i] = op != 1;
      }
      ASSERT_EQ(f.allocated_count(), used.count());
      // The stored form always re-validates (sorted, disjoint, merged).
      ASSERT_TRUE(FreeList::FromRanges(f.bounds(), f.ranges()).ok());
    }
  }
}

}  // namespace
}  // namespace romana::ipam
