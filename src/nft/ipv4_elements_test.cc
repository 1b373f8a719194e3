#include "nft/ipv4_elements.h"

#include "gtest/gtest.h"

namespace romana::nft {
namespace {

net::Ipv4Range R(const char* a, const char* b) {
  return {*net::Ipv4Address::Parse(a), *net::Ipv4Address::Parse(b)};
}

TEST(Ipv4ElementsTest, CanonicalFormsAsNftListsThem) {
  EXPECT_EQ(IntervalElement(R("10.0.0.1", "10.0.0.1")), "10.0.0.1");
  EXPECT_EQ(IntervalElement(R("10.0.0.0", "10.255.255.255")).dump(), R"({"prefix":{"addr":"10.0.0.0","len":8}})");
  EXPECT_EQ(IntervalElement(R("10.0.0.1", "10.0.0.5")).dump(), R"({"range":["10.0.0.1","10.0.0.5"]})");
  EXPECT_EQ(IntervalElement(R("0.0.0.0", "255.255.255.255")).dump(), R"({"prefix":{"addr":"0.0.0.0","len":0}})");
}

TEST(Ipv4ElementsTest, OverlapsAndNeighboursMerge) {
  std::vector<nlohmann::json> e = IntervalElements(
      {R("10.0.1.0", "10.0.1.255"), R("10.0.0.0", "10.0.0.255"), R("10.0.0.5", "10.0.0.5"), R("10.9.0.1", "10.9.0.1")});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].dump(), R"({"prefix":{"addr":"10.0.0.0","len":23}})");
  EXPECT_EQ(e[1], "10.9.0.1");
}

}  // namespace
}  // namespace romana::nft
