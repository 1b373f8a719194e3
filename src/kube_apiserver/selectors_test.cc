#include "kube_apiserver/selectors.h"

#include "gtest/gtest.h"

namespace romana::kube_apiserver {
namespace {

bool Match(const std::string& selector, const Labels& labels) {
  absl::StatusOr<LabelSelector> s = LabelSelector::Parse(selector);
  EXPECT_TRUE(s.ok()) << selector << ": " << s.status();
  return s.ok() && s->Matches(labels);
}

TEST(LabelSelectorTest, EmptyMatchesEverything) {
  EXPECT_TRUE(Match("", {}));
  EXPECT_TRUE(Match("  ", {{"a", "b"}}));
}

TEST(LabelSelectorTest, EqualityForms) {
  const Labels l = {{"app", "web"}, {"tier", "front"}};
  EXPECT_TRUE(Match("app=web", l));
  EXPECT_TRUE(Match("app==web", l));
  EXPECT_FALSE(Match("app=db", l));
  EXPECT_TRUE(Match("app!=db", l));
  EXPECT_FALSE(Match("app!=web", l));
  EXPECT_TRUE(Match("missing!=x", l)) << "!= matches objects without the label";
  EXPECT_TRUE(Match("app=web,tier=front", l));
  EXPECT_FALSE(Match("app=web,tier=back", l));
  EXPECT_TRUE(Match(" app = web , tier == front ", l));
  EXPECT_TRUE(Match("empty=", {{"empty", ""}}));
  EXPECT_FALSE(Match("empty=", {}));
}

TEST(LabelSelectorTest, SetsAndExistence) {
  const Labels l = {{"env", "prod"}, {"example.com/role", "db"}};
  EXPECT_TRUE(Match("env in (dev,prod)", l));
  EXPECT_TRUE(Match("env in (prod)", l));
  EXPECT_FALSE(Match("env in (dev, qa)", l));
  EXPECT_FALSE(Match("env notin (prod,qa)", l));
  EXPECT_TRUE(Match("env notin (dev)", l));
  EXPECT_TRUE(Match("nope notin (dev)", l)) << "notin matches objects without the label";
  EXPECT_FALSE(Match("nope in (dev)", l));
  EXPECT_TRUE(Match("example.com/role", l));
  EXPECT_FALSE(Match("!example.com/role", l));
  EXPECT_TRUE(Match("!nope", l));
  EXPECT_FALSE(Match("nope", l));
  EXPECT_TRUE(Match("env in (prod),!nope,example.com/role=db", l));
  EXPECT_TRUE(Match("index", {{"index", "x"}})) << "a key that starts like 'in' is a key";
}

TEST(LabelSelectorTest, NumericComparisons) {
  EXPECT_TRUE(Match("n>3", {{"n", "4"}}));
  EXPECT_FALSE(Match("n>3", {{"n", "3"}}));
  EXPECT_TRUE(Match("n<3", {{"n", "2"}}));
  EXPECT_FALSE(Match("n<3", {{"n", "x"}}));
  EXPECT_FALSE(Match("n<3", {}));
}

TEST(LabelSelectorTest, RejectsMalformedText) {
  for (const char* bad : {"=x", "a in x", "a in (x", "a,", "a=b c", "!", "a in (x y)", "n>x", "a=b,,c"}) {
    absl::StatusOr<LabelSelector> s = LabelSelector::Parse(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(FieldSelectorTest, MatchesNameNamespaceAndSupportedFields) {
  const std::vector<std::string> supported = {"spec.nodeName", "status.phase"};
  const Fields f = {{"metadata.name", "web-1"}, {"metadata.namespace", "shop"}, {"spec.nodeName", "node-a"},
                    {"status.phase", "Running"}};
  auto match = [&](const std::string& text) {
    absl::StatusOr<FieldSelector> s = FieldSelector::Parse(text, supported);
    EXPECT_TRUE(s.ok()) << text << ": " << s.status();
    return s.ok() && s->Matches(f);
  };
  EXPECT_TRUE(match(""));
  EXPECT_TRUE(match("metadata.name=web-1"));
  EXPECT_TRUE(match("metadata.name==web-1"));
  EXPECT_FALSE(match("metadata.name=web-2"));
  EXPECT_TRUE(match("metadata.namespace=shop,spec.nodeName=node-a"));
  EXPECT_FALSE(match("metadata.namespace=shop,spec.nodeName!=node-a"));
  EXPECT_TRUE(match("status.phase!=Pending"));
  EXPECT_TRUE(match("spec.nodeName!="));
  EXPECT_FALSE(match("spec.nodeName="));
}

TEST(FieldSelectorTest, EscapesAndErrors) {
  absl::StatusOr<FieldSelector> s = FieldSelector::Parse(R"(metadata.name=a\,b\=c)", {});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->Matches({{"metadata.name", "a,b=c"}}));
  absl::StatusOr<FieldSelector> unsupported = FieldSelector::Parse("spec.other=x", {"spec.nodeName"});
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.status().message(), "field label not supported: spec.other");
  EXPECT_FALSE(FieldSelector::Parse("metadata.name", {}).ok());
  EXPECT_FALSE(FieldSelector::Parse("metadata.name=a,,", {}).ok());
}

}  // namespace
}  // namespace romana::kube_apiserver
