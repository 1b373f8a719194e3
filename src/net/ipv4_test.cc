#include "net/ipv4.h"

#include <string>
#include <unordered_set>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::net {
namespace {

using ::testing::HasSubstr;

Ipv4Address A(std::string_view s) { return *Ipv4Address::Parse(s); }
Ipv4Cidr C(std::string_view s) {
  absl::StatusOr<Ipv4Cidr> c = Ipv4Cidr::Parse(s);
  EXPECT_TRUE(c.ok()) << s << ": " << c.status();
  return *c;
}
std::vector<std::string> Strs(const std::vector<Ipv4Cidr>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.ToString());
  return out;
}

TEST(Ipv4AddressTest, ParsesAndFormatsRoundTrip) {
  for (const char* s : {"0.0.0.0", "10.0.0.1", "192.168.99.10", "255.255.255.255", "1.2.3.4"}) {
    absl::StatusOr<Ipv4Address> a = Ipv4Address::Parse(s);
    ASSERT_TRUE(a.ok()) << s << ": " << a.status();
    EXPECT_EQ(a->ToString(), s);
  }
  EXPECT_EQ(A("10.0.0.1").value(), 0x0A000001u);
  EXPECT_EQ(A("255.255.255.255").value(), 0xFFFFFFFFu);
  EXPECT_EQ(Ipv4Address::FromOctets(10, 112, 0, 8), A("10.112.0.8"));
}

struct BadInput {
  const char* text;
  const char* why;
};

TEST(Ipv4AddressTest, RejectsBadInputWithReason) {
  const BadInput cases[] = {
      {"", "empty"},
      {"10.0.0", "expected 4 dot-separated octets, found 3"},
      {"10", "found 1"},
      {"10.0.0.1.2", "more than 4 octets"},
      {"10.0.256.1", "octet 3 (256) is greater than 255"},
      {"10.0.0.999", "octet 4 (999) is greater than 255"},
      {"1000.0.0.1", "octet 1 (1000) is greater than 255"},
      {"010.0.0.1", "octet 1 (010) has a leading zero"},
      {"10.0.00.1", "octet 3 (00) has a leading zero"},
      {"10.0..1", "octet 3 is empty"},
      {"10.0.0.", "octet 4 is empty"},
      {".10.0.0", "octet 1 is empty"},
      {"10.0.0.a", "octet 4 (a) is not a decimal number"},
      {"10.0.0.-1", "is not a decimal number"},
      {"10.0.0.+1", "is not a decimal number"},
      {" 10.0.0.1", "whitespace"},
      {"10.0.0.1 ", "whitespace"},
      {"junk", "found 1"},
      {"0x0A.0.0.1", "not a decimal number"},
      {"10.0.0.1/24", "not a decimal number"},
  };
  for (const BadInput& c : cases) {
    absl::StatusOr<Ipv4Address> a = Ipv4Address::Parse(c.text);
    ASSERT_FALSE(a.ok()) << c.text;
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(a.status().message(), HasSubstr(c.why)) << c.text;
    EXPECT_THAT(a.status().message(), HasSubstr(std::string("\"") + c.text + "\"")) << c.text;
  }
}

TEST(Ipv4AddressTest, EveryOctetValueParsesInEveryPosition) {
  for (int v = 0; v <= 255; ++v) {
    for (int pos = 0; pos < 4; ++pos) {
      int o[4] = {1, 2, 3, 4};
      o[pos] = v;
      std::string s = std::to_string(o[0]) + "." + std::to_string(o[1]) + "." + std::to_string(o[2]) +
                      "." + std::to_string(o[3]);
      absl::StatusOr<Ipv4Address> a = Ipv4Address::Parse(s);
      ASSERT_TRUE(a.ok()) << s;
      EXPECT_EQ(a->ToString(), s);
      EXPECT_EQ((a->value() >> (8 * (3 - pos))) & 0xFF, uint32_t(v));
    }
  }
  for (int v = 256; v < 1000; v += 37) {
    EXPECT_FALSE(Ipv4Address::Parse("1.2.3." + std::to_string(v)).ok()) << v;
  }
}

TEST(Ipv4AddressTest, OrderingFollowsNumericValue) {
  EXPECT_LT(A("9.255.255.255"), A("10.0.0.0"));
  EXPECT_LT(A("10.0.0.2"), A("10.0.0.10"));
  EXPECT_EQ(A("10.0.0.2"), Ipv4Address(0x0A000002));
}

TEST(Ipv4CidrTest, ParsesCanonicalPrefixes) {
  for (const char* s : {"0.0.0.0/0", "10.0.0.0/8", "10.112.0.0/12", "100.96.0.0/11", "10.0.0.5/32",
                        "192.168.0.0/16", "10.0.0.0/31", "128.0.0.0/1"}) {
    absl::StatusOr<Ipv4Cidr> c = Ipv4Cidr::Parse(s);
    ASSERT_TRUE(c.ok()) << s << ": " << c.status();
    EXPECT_EQ(c->ToString(), s);
  }
  Ipv4Cidr c = C("10.112.0.0/12");
  EXPECT_EQ(c.length(), 12);
  EXPECT_EQ(c.network(), A("10.112.0.0"));
  EXPECT_EQ(c.broadcast(), A("10.127.255.255"));
  EXPECT_EQ(c.size(), 1u << 20);
  EXPECT_EQ(c.netmask(), A("255.240.0.0"));
  EXPECT_EQ(C("0.0.0.0/0").size(), uint64_t{1} << 32);
  EXPECT_EQ(C("0.0.0.0/0").broadcast(), A("255.255.255.255"));
  EXPECT_EQ(C("1.2.3.4/32").size(), 1u);
}

TEST(Ipv4CidrTest, RejectsBadCidrsWithReason) {
  const BadInput cases[] = {
      {"10.0.0.5/24", "10.0.0.5/24 is not a network address (host bits set); did you mean 10.0.0.0/24?"},
      {"10.112.0.0/11", "did you mean 10.96.0.0/11?"},
      {"10.0.0.0/33", "prefix length 33 is out of range 0..32"},
      {"10.0.0.0/100", "prefix length 100 is out of range 0..32"},
      {"10.0.0.0/08", "prefix length (08) has a leading zero"},
      {"10.0.0.0/", "prefix length is empty"},
      {"10.0.0.0/-1", "prefix length (-1) is not a decimal number"},
      {"10.0.0.0/8/8", "more than one \"/\""},
      {"10.0.0.0", "missing \"/<prefix length>\""},
      {"10.0.300.0/24", "octet 3 (300) is greater than 255"},
      {"010.0.0.0/8", "octet 1 (010) has a leading zero"},
      {"junk/8", "found 1"},
      {"10.0.0.0/ 8", "is not a decimal number"},
      {"", "missing"},
  };
  for (const BadInput& c : cases) {
    absl::StatusOr<Ipv4Cidr> r = Ipv4Cidr::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.why)) << c.text;
  }
}

TEST(Ipv4CidrTest, CreateAndContainingEnforceTheInvariant) {
  EXPECT_TRUE(Ipv4Cidr::Create(A("10.0.0.0"), 8).ok());
  EXPECT_FALSE(Ipv4Cidr::Create(A("10.0.0.1"), 8).ok());
  EXPECT_FALSE(Ipv4Cidr::Create(A("10.0.0.0"), 33).ok());
  EXPECT_FALSE(Ipv4Cidr::Create(A("10.0.0.0"), -1).ok());
  EXPECT_EQ(Ipv4Cidr::Containing(A("10.0.0.5"), 24), C("10.0.0.0/24"));
  EXPECT_EQ(Ipv4Cidr::Containing(A("255.255.255.255"), 0), C("0.0.0.0/0"));
  EXPECT_EQ(Ipv4Cidr::Containing(A("10.1.2.3"), 32), C("10.1.2.3/32"));
}

TEST(Ipv4CidrTest, ParseCidrOrAddress) {
  EXPECT_EQ(*ParseCidrOrAddress("10.1.2.3"), C("10.1.2.3/32"));
  EXPECT_EQ(*ParseCidrOrAddress("10.1.0.0/16"), C("10.1.0.0/16"));
  EXPECT_FALSE(ParseCidrOrAddress("10.1.2.3/16").ok());
  EXPECT_FALSE(ParseCidrOrAddress("10.1.2").ok());
}

TEST(Ipv4CidrTest, ContainsAddressAtTheEdges) {
  Ipv4Cidr c = C("10.0.0.0/29");
  EXPECT_FALSE(c.Contains(A("9.255.255.255")));
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(c.Contains(Ipv4Address(A("10.0.0.0").value() + i)));
  EXPECT_FALSE(c.Contains(A("10.0.0.8")));
  EXPECT_TRUE(C("0.0.0.0/0").Contains(A("255.255.255.255")));
  EXPECT_TRUE(C("1.2.3.4/32").Contains(A("1.2.3.4")));
  EXPECT_FALSE(C("1.2.3.4/32").Contains(A("1.2.3.5")));
}

TEST(Ipv4CidrTest, ContainsAndOverlapsPrefixes) {
  EXPECT_TRUE(C("10.0.0.0/8").Contains(C("10.1.0.0/16")));
  EXPECT_TRUE(C("10.0.0.0/8").Contains(C("10.0.0.0/8")));
  EXPECT_FALSE(C("10.1.0.0/16").Contains(C("10.0.0.0/8")));
  EXPECT_FALSE(C("10.0.0.0/8").Contains(C("11.0.0.0/16")));
  EXPECT_TRUE(C("10.0.0.0/8").Overlaps(C("10.1.0.0/16")));
  EXPECT_TRUE(C("10.1.0.0/16").Overlaps(C("10.0.0.0/8")));
  EXPECT_FALSE(C("10.0.0.0/9").Overlaps(C("10.128.0.0/9")));
  EXPECT_TRUE(C("0.0.0.0/0").Overlaps(C("1.2.3.4/32")));
}

// Brute-force check of Contains/Overlaps against set semantics over every prefix of a /4-sized
// universe (all prefixes of 0.0.0.0/28 with length >= 28).
TEST(Ipv4CidrTest, ContainsAndOverlapsMatchSetSemanticsExhaustively) {
  std::vector<Ipv4Cidr> all;
  for (int len = 28; len <= 32; ++len) {
    for (Ipv4Cidr c : C("0.0.0.0/28").Subnets(len)) all.push_back(c);
  }
  ASSERT_EQ(all.size(), 31u);
  for (const Ipv4Cidr& a : all) {
    for (const Ipv4Cidr& b : all) {
      bool subset = true, share = false;
      for (Ipv4Address x : b.Addresses()) {
        if (a.Contains(x)) share = true; else subset = false;
      }
      EXPECT_EQ(a.Contains(b), subset) << a << " " << b;
      EXPECT_EQ(a.Overlaps(b), share) << a << " " << b;
    }
  }
}

TEST(Ipv4CidrTest, SplitIntoChildren) {
  EXPECT_EQ(Strs(*C("10.112.0.0/12").Split(3)),
            (std::vector<std::string>{"10.112.0.0/15", "10.114.0.0/15", "10.116.0.0/15",
                                      "10.118.0.0/15", "10.120.0.0/15", "10.122.0.0/15",
                                      "10.124.0.0/15", "10.126.0.0/15"}));
  EXPECT_EQ(Strs(*C("10.0.0.0/8").Split(0)), (std::vector<std::string>{"10.0.0.0/8"}));
  EXPECT_EQ(Strs(*C("10.0.0.0/31").Split(1)), (std::vector<std::string>{"10.0.0.0/32", "10.0.0.1/32"}));
  EXPECT_EQ(C("0.0.0.0/0").Split(1)->back(), C("128.0.0.0/1"));
  absl::StatusOr<std::vector<Ipv4Cidr>> bad = C("10.0.0.0/30").Split(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("2 host bits available"));
  EXPECT_FALSE(C("10.0.0.0/8").Split(-1).ok());
  EXPECT_EQ(C("100.96.0.0/11").Child(3, 5), C("100.116.0.0/14"));
  EXPECT_EQ(C("255.255.255.0/24").Child(8, 255), C("255.255.255.255/32"));
  EXPECT_EQ(C("10.0.0.1/32").Parent(), C("10.0.0.0/31"));
}

TEST(Ipv4CidrTest, IteratesAddressesAndSubnets) {
  std::vector<std::string> addrs;
  for (Ipv4Address a : C("10.0.0.252/30").Addresses()) addrs.push_back(a.ToString());
  EXPECT_EQ(addrs, (std::vector<std::string>{"10.0.0.252", "10.0.0.253", "10.0.0.254", "10.0.0.255"}));
  // The very last address of the space terminates properly.
  int n = 0;
  for (Ipv4Address a : C("255.255.255.254/31").Addresses()) { (void)a; ++n; }
  EXPECT_EQ(n, 2);
  std::vector<std::string> subs;
  for (Ipv4Cidr c : C("10.0.0.0/24").Subnets(26)) subs.push_back(c.ToString());
  EXPECT_EQ(subs, (std::vector<std::string>{"10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"}));
  EXPECT_EQ(C("10.0.0.0/24").Subnets(29).size(), 32u);
  n = 0;
  for (Ipv4Cidr c : C("0.0.0.0/0").Subnets(2)) { (void)c; ++n; }
  EXPECT_EQ(n, 4);
}

TEST(Ipv4RangeTest, RangeToCidrsIsMinimal) {
  EXPECT_EQ(Strs(RangeToCidrs(A("10.0.0.0"), A("10.0.0.255"))), (std::vector<std::string>{"10.0.0.0/24"}));
  EXPECT_EQ(Strs(RangeToCidrs(A("10.0.0.1"), A("10.0.0.6"))),
            (std::vector<std::string>{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"}));
  EXPECT_EQ(Strs(RangeToCidrs(A("0.0.0.0"), A("255.255.255.255"))), (std::vector<std::string>{"0.0.0.0/0"}));
  EXPECT_EQ(Strs(RangeToCidrs(A("255.255.255.255"), A("255.255.255.255"))),
            (std::vector<std::string>{"255.255.255.255/32"}));
  EXPECT_EQ(Strs(RangeToCidrs(A("0.0.0.1"), A("255.255.255.255"))).size(), 32u);
}

TEST(Ipv4RangeTest, SummarizeMergesSiblingsAndDropsContained) {
  EXPECT_EQ(Strs(Summarize({C("10.112.0.8/29"), C("10.112.0.16/29"), C("10.112.0.0/29"), C("10.112.0.24/29")})),
            (std::vector<std::string>{"10.112.0.0/27"}));
  EXPECT_EQ(Strs(Summarize({C("10.112.0.8/29"), C("10.112.0.16/29")})),
            (std::vector<std::string>{"10.112.0.8/29", "10.112.0.16/29"}));  // not siblings
  EXPECT_EQ(Strs(Summarize({C("10.0.0.0/8"), C("10.1.0.0/16"), C("10.0.0.0/8")})),
            (std::vector<std::string>{"10.0.0.0/8"}));
  EXPECT_TRUE(Summarize({}).empty());
  EXPECT_EQ(Strs(Summarize({C("0.0.0.0/1"), C("128.0.0.0/1")})), (std::vector<std::string>{"0.0.0.0/0"}));
}

TEST(Ipv4RangeTest, SubtractLeavesTheRest) {
  EXPECT_EQ(Strs(Subtract(C("10.0.0.0/24"), {C("10.0.0.0/25")})), (std::vector<std::string>{"10.0.0.128/25"}));
  EXPECT_EQ(Strs(Subtract(C("10.0.0.0/30"), {C("10.0.0.1/32")})),
            (std::vector<std::string>{"10.0.0.0/32", "10.0.0.2/31"}));
  EXPECT_TRUE(Subtract(C("10.0.0.0/24"), {C("10.0.0.0/8")}).empty());
  EXPECT_EQ(Strs(Subtract(C("10.0.0.0/24"), {C("11.0.0.0/8")})), (std::vector<std::string>{"10.0.0.0/24"}));
  EXPECT_TRUE(Subtract(C("0.0.0.0/0"), {C("0.0.0.0/0")}).empty());
}

TEST(Ipv4RangeTest, MergeRangesJoinsAdjacentAndOverlapping) {
  std::vector<Ipv4Range> m = MergeRanges({{A("10.0.0.5"), A("10.0.0.9")},
                                          {A("10.0.0.0"), A("10.0.0.4")},
                                          {A("10.0.0.20"), A("10.0.0.30")},
                                          {A("10.0.0.25"), A("10.0.0.26")},
                                          {A("255.255.255.255"), A("255.255.255.255")}});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].ToString(), "10.0.0.0-10.0.0.9");
  EXPECT_EQ(m[1].ToString(), "10.0.0.20-10.0.0.30");
  EXPECT_EQ(m[2].size(), 1u);
}

TEST(BitLengthTest, MatchesTheReferenceDefinition) {
  EXPECT_EQ(BitLength(0), 0);
  EXPECT_EQ(BitLength(1), 1);
  EXPECT_EQ(BitLength(2), 2);
  EXPECT_EQ(BitLength(3), 2);
  EXPECT_EQ(BitLength(7), 3);
  EXPECT_EQ(BitLength(8), 4);
  EXPECT_EQ(BitLength(uint64_t{1} << 32), 33);
}

TEST(Ipv4HashTest, UsableInHashSets) {
  absl::flat_hash_set<Ipv4Cidr> s = {C("10.0.0.0/8"), C("10.0.0.0/9"), C("10.0.0.0/8")};
  EXPECT_EQ(s.size(), 2u);
  std::unordered_set<Ipv4Address> u = {A("1.1.1.1"), A("1.1.1.1"), A("1.1.1.2")};
  EXPECT_EQ(u.size(), 2u);
}

}  // namespace
}  // namespace romana::net
