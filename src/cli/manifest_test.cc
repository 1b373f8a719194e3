#include "cli/manifest.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::cli {
namespace {

TEST(ManifestTest, MultiDocumentYamlAndLists) {
  absl::StatusOr<std::vector<nlohmann::json>> objs = ReadManifests(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: x}
spec: {podSelector: {}}
---
# only a comment: an empty document
---
apiVersion: v1
kind: List
items:
- kind: NetworkPolicy
  metadata: {name: b}
- kind: NetworkPolicy
  metadata: {name: c}
)");
  ASSERT_TRUE(objs.ok()) << objs.status();
  ASSERT_EQ(objs->size(), 3u);
  EXPECT_EQ((*objs)[0]["metadata"]["namespace"], "x");
  EXPECT_EQ((*objs)[1]["metadata"]["name"], "b");
  EXPECT_EQ((*objs)[2]["metadata"]["name"], "c");
}

TEST(ManifestTest, JsonIsAManifestToo) {
  absl::StatusOr<std::vector<nlohmann::json>> objs =
      ReadManifests(R"({"kind": "NetworkPolicyList", "items": [{"metadata": {"name": "a"}}]})");
  ASSERT_TRUE(objs.ok()) << objs.status();
  ASSERT_EQ(objs->size(), 1u);
  EXPECT_EQ((*objs)[0]["metadata"]["name"], "a");
  ASSERT_TRUE(ReadManifests("").ok());
  EXPECT_TRUE(ReadManifests("")->empty());
}

TEST(ManifestTest, ErrorsNameTheLineOrDocument) {
  absl::StatusOr<std::vector<nlohmann::json>> bad = ReadManifests("a: [1,\nb: 2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "line")) << bad.status();
  bad = ReadManifests("kind: X\n---\n- 1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "document 2")) << bad.status();
  bad = ReadManifests("kind: List\nitems: [1]\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "items[0]")) << bad.status();
}

// Hostile YAML: deep nesting (flow and block), an alias bomb, and input over the size limit are
// refused with a message naming the problem; none of them crashes or exhausts memory.
TEST(ManifestTest, HostileYamlIsRefusedNamingTheBound) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    absl::StrAppend(&bomb, std::string(1, c), ": &", std::string(1, c), " [");
    for (int i = 0; i < 10; ++i) absl::StrAppend(&bomb, i ? ", " : "", "*", std::string(1, c - 1));
    absl::StrAppend(&bomb, "]\n");
  }
  std::string block;
  for (int i = 0; i < 150; ++i) absl::StrAppend(&block, std::string(i, ' '), "k:\n");
  struct Case {
    std::string text;
    const char* why;
  } cases[] = {
      {"x: " + std::string(150, '[') + std::string(150, ']') + "\n", "deeper than"},
      {std::string(100000, '['), ""},  // yaml-cpp's own depth guard, or a syntax error: refused either way
      {block, "deeper than"},
      {bomb, "more than"},
      {"x: \"" + std::string(kMaxManifestBytes, 'a') + "\"\n", "over the limit"},
      // Found by fuzz/manifest_fuzzer.cc: yaml-cpp's LoadAll looped forever on these.
      {",", "unexpected token"},
      {"\"a\",", "unexpected token"},
      {"[a],", "unexpected token"},
      {"---\n,", "unexpected token"},
      {"{\xa6\xa6" "ame\": \"rack-1\", \"groups\": []},\n {\"name\": \"rack-2\"}]}]}\n", ""},
  };
  for (const Case& c : cases) {
    auto r = ReadManifests(c.text);
    ASSERT_FALSE(r.ok()) << c.text.substr(0, 60);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), ::testing::HasSubstr(c.why));
  }
}

}  // namespace
}  // namespace romana::cli
