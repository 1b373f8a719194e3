#include "http_server/router.h"

#include "gtest/gtest.h"

namespace romana::http_server {
namespace {

TEST(RouterTest, MethodAndWholePathMatchWithCaptures) {
  Router r;
  EXPECT_EQ(r.Add("GET", "/hosts"), 0u);
  EXPECT_EQ(r.Add("GET", "/hosts/([^/]+)"), 1u);
  EXPECT_EQ(r.Add("PUT", "/hosts/([^/]+)/labels"), 2u);
  EXPECT_EQ(r.Add("GET", "/endpoints/([^/]+)/([^/]+)"), 3u);
  std::vector<std::string> m;
  EXPECT_EQ(r.Match("GET", "/hosts", m), 0u);
  EXPECT_EQ(r.Match("GET", "/hosts/h1", m), 1u);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0], "/hosts/h1");
  EXPECT_EQ(m[1], "h1");
  EXPECT_EQ(r.Match("PUT", "/hosts/h 2/labels", m), 2u);
  EXPECT_EQ(m[1], "h 2");
  EXPECT_EQ(r.Match("GET", "/endpoints/ns/ep", m), 3u);
  EXPECT_EQ(m[1], "ns");
  EXPECT_EQ(m[2], "ep");
  EXPECT_FALSE(r.Match("POST", "/hosts", m).has_value());      // method
  EXPECT_FALSE(r.Match("GET", "/hosts/a/b", m).has_value());   // whole path
  EXPECT_FALSE(r.Match("GET", "/hostsx", m).has_value());
  EXPECT_FALSE(r.Match("GET", "/x/hosts", m).has_value());
}

TEST(RouterTest, FirstAddedWins) {
  Router r;
  r.Add("GET", "/a/special");
  r.Add("GET", "/a/([^/]+)");
  std::vector<std::string> m;
  EXPECT_EQ(r.Match("GET", "/a/special", m), 0u);
  EXPECT_EQ(r.Match("GET", "/a/other", m), 1u);
}

TEST(RouterTest, LiteralPatternMatchesOnlyThePath) {
  Router r;
  r.Add("GET", LiteralPattern("/a.json(x)"));
  std::vector<std::string> m;
  EXPECT_EQ(r.Match("GET", "/a.json(x)", m), 0u);
  EXPECT_FALSE(r.Match("GET", "/aXjson(x)", m).has_value());
  EXPECT_FALSE(r.Match("GET", "/a.jsonx", m).has_value());
}

}  // namespace
}  // namespace romana::http_server
