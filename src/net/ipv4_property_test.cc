// Property tests with random prefixes (seeded, so failures reproduce) for split, summarise and
// subtract, checked against an independent bitmap oracle.
#include <bitset>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "net/ipv4.h"

namespace romana::net {
namespace {

constexpr int kUniverseBits = 10;  // oracle universe: 10.0.0.0/22 (1024 addresses)
const Ipv4Cidr kUniverse = *Ipv4Cidr::Parse("10.0.0.0/22");
using Bitmap = std::bitset<1u << kUniverseBits>;

Ipv4Cidr RandomPrefixIn(std::mt19937& rng, const Ipv4Cidr& within) {
  std::uniform_int_distribution<int> len_dist(within.length(), 32);
  int len = len_dist(rng);
  std::uniform_int_distribution<uint64_t> off(0, within.size() - 1);
  return Ipv4Cidr::Containing(Ipv4Address(static_cast<uint32_t>(within.network().value() + off(rng))), len);
}

Bitmap ToBitmap(const std::vector<Ipv4Cidr>& v) {
  Bitmap b;
  for (const Ipv4Cidr& c : v) {
    for (Ipv4Address a : c.Addresses()) b.set(a.value() - kUniverse.network().value());
  }
  return b;
}

// Fewest prefixes covering exactly the set bits of `b` inside `p`: a prefix can be used only if
// it lies entirely inside the set, so the optimum recurses into the halves otherwise.
int OptimalCount(const Bitmap& b, const Ipv4Cidr& p) {
  bool all = true, none = true;
  for (Ipv4Address a : p.Addresses()) {
    if (b.test(a.value() - kUniverse.network().value())) none = false; else all = false;
  }
  if (none) return 0;
  if (all) return 1;
  return OptimalCount(b, p.Child(1, 0)) + OptimalCount(b, p.Child(1, 1));
}

TEST(Ipv4PropertyTest, SummarizeIsAnExactMinimalCover) {
  std::mt19937 rng(20261127);
  for (int iter = 0; iter < 400; ++iter) {
    std::vector<Ipv4Cidr> in;
    int n = std::uniform_int_distribution<int>(0, 12)(rng);
    for (int i = 0; i < n; ++i) in.push_back(RandomPrefixIn(rng, kUniverse));
    std::vector<Ipv4Cidr> out = Summarize(in);
    Bitmap want = ToBitmap(in);
    ASSERT_EQ(ToBitmap(out), want) << "iteration " << iter;
    ASSERT_EQ(static_cast<int>(out.size()), OptimalCount(want, kUniverse)) << "iteration " << iter;
    for (size_t i = 1; i < out.size(); ++i) {
      ASSERT_LT(out[i - 1].last(), out[i].first()) << "not sorted/disjoint at " << iter;
    }
    // Idempotent.
    ASSERT_EQ(Summarize(out), out);
  }
}

TEST(Ipv4PropertyTest, SummarizeWholeAddressSpaceRandomPrefixes) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<Ipv4Cidr> in;
    for (int i = 0; i < 20; ++i) in.push_back(RandomPrefixIn(rng, Ipv4Cidr()));
    std::vector<Ipv4Cidr> out = Summarize(in);
    // Every input address range is covered and nothing outside the inputs is added: each output
    // prefix's range is inside the merged input ranges, and total sizes match.
    std::vector<Ipv4Range> ranges;
    for (const auto& c : in) ranges.push_back(c.range());
    std::vector<Ipv4Range> merged = MergeRanges(ranges);
    uint64_t in_size = 0, out_size = 0;
    for (const auto& r : merged) in_size += r.size();
    for (const auto& c : out) {
      out_size += c.size();
      bool inside = false;
      for (const auto& r : merged) inside |= r.Contains(c.first()) && r.Contains(c.last());
      ASSERT_TRUE(inside) << c;
    }
    ASSERT_EQ(in_size, out_size);
    for (size_t i = 1; i < out.size(); ++i) ASSERT_LT(out[i - 1].last(), out[i].first());
  }
}

TEST(Ipv4PropertyTest, SplitChildrenPartitionTheParent) {
  std::mt19937 rng(42);
  for (int iter = 0; iter < 500; ++iter) {
    Ipv4Cidr parent = RandomPrefixIn(rng, Ipv4Cidr());
    int max_bits = std::min(32 - parent.length(), 10);
    int bits = std::uniform_int_distribution<int>(0, max_bits)(rng);
    absl::StatusOr<std::vector<Ipv4Cidr>> kids = parent.Split(bits);
    ASSERT_TRUE(kids.ok()) << parent << " " << bits;
    ASSERT_EQ(kids->size(), size_t{1} << bits);
    for (size_t i = 0; i < kids->size(); ++i) {
      const Ipv4Cidr& k = (*kids)[i];
      ASSERT_EQ(k.length(), parent.length() + bits);
      ASSERT_TRUE(parent.Contains(k));
      ASSERT_EQ(k, parent.Child(bits, i));
      if (i > 0) {
        ASSERT_EQ(uint64_t{(*kids)[i - 1].last().value()} + 1, k.first().value());
      }
    }
    EXPECT_EQ(kids->front().first(), parent.first());
    EXPECT_EQ(kids->back().last(), parent.last());
    EXPECT_EQ(Summarize(*kids), std::vector<Ipv4Cidr>{parent});
    if (parent.length() + bits < 32) {
      EXPECT_FALSE(parent.Split(33 - parent.length()).ok());
    }
  }
}

TEST(Ipv4PropertyTest, SubtractMatchesTheOracle) {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 300; ++iter) {
    Ipv4Cidr base = RandomPrefixIn(rng, kUniverse);
    std::vector<Ipv4Cidr> remove;
    int n = std::uniform_int_distribution<int>(0, 5)(rng);
    for (int i = 0; i < n; ++i) remove.push_back(RandomPrefixIn(rng, kUniverse));
    std::vector<Ipv4Cidr> out = Subtract(base, remove);
    Bitmap want = ToBitmap({base}) & ~ToBitmap(remove);
    ASSERT_EQ(ToBitmap(out), want) << iter;
    ASSERT_EQ(static_cast<int>(out.size()), OptimalCount(want, kUniverse)) << iter;
  }
}

TEST(Ipv4PropertyTest, ParseFormatRoundTripRandom) {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 2000; ++iter) {
    Ipv4Cidr c = RandomPrefixIn(rng, Ipv4Cidr());
    absl::StatusOr<Ipv4Cidr> back = Ipv4Cidr::Parse(c.ToString());
    ASSERT_TRUE(back.ok()) << c << back.status();
    ASSERT_EQ(*back, c);
    Ipv4Address a(static_cast<uint32_t>(rng()));
    ASSERT_EQ(*Ipv4Address::Parse(a.ToString()), a);
    // Any address with host bits for a shorter prefix is rejected by the strict parser.
    if (c.length() < 32) {
      Ipv4Address inside(c.network().value() | 1u);
      ASSERT_FALSE(Ipv4Cidr::Parse(inside.ToString() + "/" + std::to_string(c.length())).ok());
    }
  }
}

}  // namespace
}  // namespace romana::net
