#include "policy/ipv4.h"

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::policy {
namespace {

TEST(Ipv4Test, ParsesAddresses) {
  EXPECT_EQ(*ParseIpv4("10.1.2.3", "f"), 0x0a010203u);
  EXPECT_EQ(*ParseIpv4("255.255.255.255", "f"), 0xffffffffu);
  for (const char* bad : {"", "10.1.2", "10.1.2.3.4", "256.0.0.1", "01.2.3.4", "a.b.c.d", "1..2.3", "-1.2.3.4", "1.2.3.4 "}) {
    absl::StatusOr<uint32_t> a = ParseIpv4(bad, "f");
    EXPECT_FALSE(a.ok()) << bad;
    EXPECT_EQ(api::FieldOf(a.status()), "f");
  }
}

TEST(Ipv4Test, Ipv6IsRejectedWithAClearMessage) {
  absl::StatusOr<Ipv4Cidr> c = ParseIpv4Cidr("fd00::/64", "spec.x");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("IPv6 is not supported"), absl::string_view::npos) << c.status();
}

TEST(Ipv4Test, CidrMustBeCanonical) {
  absl::StatusOr<Ipv4Cidr> c = ParseIpv4Cidr("10.0.0.0/8", "f");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->range(), (Ipv4Range{0x0a000000u, 0x0affffffu}));
  EXPECT_EQ(ParseIpv4Cidr("0.0.0.0/0", "f")->range(), (Ipv4Range{0, 0xffffffffu}));
  EXPECT_EQ(ParseIpv4Cidr("1.2.3.4/32", "f")->range(), (Ipv4Range{0x01020304u, 0x01020304u}));
  absl::StatusOr<Ipv4Cidr> host_bits = ParseIpv4Cidr("10.0.0.1/8", "f");
  ASSERT_FALSE(host_bits.ok());
  EXPECT_NE(host_bits.status().message().find("\"10.0.0.0/8\""), absl::string_view::npos) << host_bits.status();
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08x", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(ParseIpv4Cidr(bad, "f").ok()) << bad;
  }
}

TEST(Ipv4Test, Contains) {
  Ipv4Cidr net = *ParseIpv4Cidr("10.0.0.0/8", "f");
  EXPECT_TRUE(net.Contains(*ParseIpv4Cidr("10.3.0.0/16", "f")));
  EXPECT_TRUE(net.Contains(net));
  EXPECT_FALSE(net.Contains(*ParseIpv4Cidr("11.0.0.0/16", "f")));
  EXPECT_FALSE(net.Contains(*ParseIpv4Cidr("0.0.0.0/0", "f")));
}

TEST(Ipv4Test, NormalizeMergesOverlappingAndAdjacent) {
  EXPECT_EQ(NormalizeRanges({{10, 20}, {1, 3}, {4, 5}, {15, 30}, {40, 40}}),
            (std::vector<Ipv4Range>{{1, 5}, {10, 30}, {40, 40}}));
  EXPECT_EQ(NormalizeRanges({{0xfffffff0u, 0xffffffffu}, {5, 0xffffffffu}}),
            (std::vector<Ipv4Range>{{5, 0xffffffffu}}));
}

TEST(Ipv4Test, Subtract) {
  EXPECT_EQ(SubtractRanges({0, 100}, {{10, 19}, {50, 100}}), (std::vector<Ipv4Range>{{0, 9}, {20, 49}}));
  EXPECT_EQ(SubtractRanges({0, 0xffffffffu}, {{0, 9}}), (std::vector<Ipv4Range>{{10, 0xffffffffu}}));
  EXPECT_EQ(SubtractRanges({0, 0xffffffffu}, {{5, 0xffffffffu}}), (std::vector<Ipv4Range>{{0, 4}}));
  EXPECT_EQ(SubtractRanges({10, 20}, {}), (std::vector<Ipv4Range>{{10, 20}}));
  EXPECT_EQ(SubtractRanges({10, 20}, {{0, 30}}), (std::vector<Ipv4Range>{}));
}

}  // namespace
}  // namespace romana::policy
