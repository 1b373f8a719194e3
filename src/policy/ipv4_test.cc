#include "policy/ipv4.h"

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::policy {
namespace {

net::Ipv4Cidr Cidr(const char* text) { return *ParseIpv4Cidr(text, "f"); }

TEST(Ipv4Test, ParsesAddressesStrictlyAndNamesTheField) {
  EXPECT_EQ(*ParseIpv4("10.1.2.3", "f"), 0x0a010203u);
  for (const char* bad : {"", "10.1.2", "10.1.2.3.4", "256.0.0.1", "01.2.3.4", "a.b.c.d", "1.2.3.4 "}) {
    absl::StatusOr<uint32_t> a = ParseIpv4(bad, "spec.x");
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(api::FieldOf(a.status()), "spec.x");
  }
}

TEST(Ipv4Test, Ipv6IsRejectedWithAClearMessage) {
  for (const char* v6 : {"fd00::/64", "::1"}) {
    absl::StatusOr<net::Ipv4Cidr> c = ParseIpv4Cidr(v6, "spec.x");
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(api::FieldOf(c.status()), "spec.x");
    EXPECT_NE(c.status().message().find("IPv6 is not supported"), absl::string_view::npos) << c.status();
  }
  EXPECT_FALSE(ParseIpv4("fd00::1", "f").ok());
}

TEST(Ipv4Test, CidrMustBeCanonical) {
  EXPECT_EQ(Cidr("10.0.0.0/8").ToString(), "10.0.0.0/8");
  absl::StatusOr<net::Ipv4Cidr> host_bits = ParseIpv4Cidr("10.0.0.1/8", "f");
  ASSERT_FALSE(host_bits.ok());
  EXPECT_NE(host_bits.status().message().find("10.0.0.0/8"), absl::string_view::npos) << host_bits.status();
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(ParseIpv4Cidr(bad, "f").ok()) << bad;
  }
}

TEST(Ipv4Test, CidrMinus) {
  EXPECT_EQ(CidrMinus(Cidr("10.0.0.0/24"), {Cidr("10.0.0.16/28"), Cidr("10.0.0.128/25")}),
            (std::vector<Ipv4Range>{{0x0a000000u, 0x0a00000fu}, {0x0a000020u, 0x0a00007fu}}));
  EXPECT_EQ(CidrMinus(Cidr("0.0.0.0/0"), {Cidr("0.0.0.0/1")}), (std::vector<Ipv4Range>{{0x80000000u, 0xffffffffu}}));
  EXPECT_EQ(CidrMinus(Cidr("10.0.0.0/8"), {}), (std::vector<Ipv4Range>{{0x0a000000u, 0x0affffffu}}));
  EXPECT_EQ(CidrMinus(Cidr("10.0.0.0/31"), {Cidr("10.0.0.0/32"), Cidr("10.0.0.1/32")}), (std::vector<Ipv4Range>{}));
}

TEST(Ipv4Test, AddressRangesMergesAdjacentAndRepeated) {
  EXPECT_EQ(AddressRanges({5, 3, 4, 9, 9, 0xffffffffu}),
            (std::vector<Ipv4Range>{{3, 5}, {9, 9}, {0xffffffffu, 0xffffffffu}}));
  EXPECT_EQ(AddressRanges({}), (std::vector<Ipv4Range>{}));
}

}  // namespace
}  // namespace romana::policy
