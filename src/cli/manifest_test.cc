#include "cli/manifest.h"

#include "absl/strings/match.h"
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

}  // namespace
}  // namespace romana::cli
