#include "http_server/request.h"

#include "gtest/gtest.h"

namespace romana::http_server {
namespace {

TEST(ParseTargetTest, PathIsDecodedWithoutPlusAndQueryWithPlus) {
  std::optional<ParsedTarget> t = ParseTarget("/a%20b+c/%2F?x=1&y=a%2Bb+c&flag&x=2&=v");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/a b+c//");
  EXPECT_EQ(t->params.count("x"), 2u);
  EXPECT_EQ(t->params.find("x")->second, "1");
  EXPECT_EQ(t->params.find("y")->second, "a+b c");
  EXPECT_EQ(t->params.find("flag")->second, "");
  EXPECT_EQ(t->params.find("")->second, "v");
}

TEST(ParseTargetTest, RejectsNonOriginFormAndBadPathEscapes) {
  EXPECT_FALSE(ParseTarget("").has_value());
  EXPECT_FALSE(ParseTarget("http://x/a").has_value());
  EXPECT_FALSE(ParseTarget("*").has_value());
  EXPECT_FALSE(ParseTarget("/a%2").has_value());
  EXPECT_FALSE(ParseTarget("/a%zz").has_value());
  EXPECT_FALSE(ParseTarget("/a%00b").has_value());
}

TEST(ParseTargetTest, BadQueryEscapesStayLiteralAndFragmentIsDropped) {
  std::optional<ParsedTarget> t = ParseTarget("/p?ip=10.0.0.1%&k=%zz#frag");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/p");
  EXPECT_EQ(t->params.find("ip")->second, "10.0.0.1%");
  EXPECT_EQ(t->params.find("k")->second, "%zz");
}

TEST(RequestTest, HeadersAreCaseInsensitiveAndParamsFirstValue) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
  r.params = {{"k", "v1"}, {"k", "v2"}};
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("X-a"), "1");
  EXPECT_TRUE(r.HasHeader("X-A"));
  EXPECT_FALSE(r.HasHeader("Authorization"));
  EXPECT_EQ(r.Header("Authorization"), "");
  EXPECT_EQ(r.Param("k"), "v1");
  EXPECT_TRUE(r.HasParam("k"));
  EXPECT_EQ(r.Param("missing"), "");
}

}  // namespace
}  // namespace romana::http_server
