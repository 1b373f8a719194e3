#include "http/url.h"

#include "gtest/gtest.h"

namespace romana::http {
namespace {

TEST(PercentEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(PercentEncode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(PercentEncode("a b/c+=&?%"), "a%20b%2Fc%2B%3D%26%3F%25");
  EXPECT_EQ(PercentEncode("a b/c", /*keep_slash=*/true), "a%20b/c");
  EXPECT_EQ(PercentEncode("\xff\x01"), "%FF%01");
}

TEST(PercentDecodeTest, RoundTripsAndRejectsBadEscapes) {
  EXPECT_EQ(*PercentDecode("a%2Fb"), "a/b");
  EXPECT_EQ(*PercentDecode(PercentEncode("k=v&x y/\xfe")), "k=v&x y/\xfe");
  EXPECT_EQ(*PercentDecode("a+b"), "a+b");
  EXPECT_EQ(*PercentDecode("a+b%2B", /*plus_is_space=*/true), "a b+");
  EXPECT_FALSE(PercentDecode("a%2").ok());
  EXPECT_FALSE(PercentDecode("a%zz").ok());
  EXPECT_FALSE(PercentDecode("%").ok());
}

TEST(QueryStringTest, EncodesInOrderAndSkipsEmptyValues) {
  EXPECT_EQ(QueryString({}), "");
  EXPECT_EQ(QueryString({{"a", ""}}), "");
  EXPECT_EQ(QueryString({{"host", "n 1"}, {"x", ""}, {"ip", "10.0.0.1"}}), "?host=n%201&ip=10.0.0.1");
}

}  // namespace
}  // namespace romana::http
