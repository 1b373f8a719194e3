#include "kube_apiserver/patch.h"

#include "gtest/gtest.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

json Apply(PatchType t, const json& target, const json& patch) {
  absl::StatusOr<json> out = ApplyPatch(t, target, patch);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : json();
}

TEST(PatchTypeTest, FromContentType) {
  EXPECT_EQ(PatchTypeOf("application/merge-patch+json"), PatchType::kMerge);
  EXPECT_EQ(PatchTypeOf("application/strategic-merge-patch+json; charset=utf-8"), PatchType::kStrategicMerge);
  EXPECT_EQ(PatchTypeOf("application/json-patch+json"), PatchType::kJson);
  EXPECT_EQ(PatchTypeOf("application/apply-patch+yaml"), std::nullopt);
  EXPECT_EQ(PatchTypeOf("application/json"), std::nullopt);
}

TEST(MergePatchTest, SetsReplacesAndRemovesLabels) {
  const json pod = {{"metadata", {{"name", "p"}, {"labels", {{"a", "1"}, {"b", "2"}}}}}, {"spec", {{"x", 1}}}};
  json out = Apply(PatchType::kMerge, pod, {{"metadata", {{"labels", {{"a", "9"}, {"b", nullptr}, {"c", "3"}}}}}});
  EXPECT_EQ(out["metadata"]["labels"], json({{"a", "9"}, {"c", "3"}}));
  EXPECT_EQ(out["spec"], pod["spec"]);
  EXPECT_FALSE(ApplyPatch(PatchType::kMerge, pod, json::array()).ok());
}

TEST(StrategicMergePatchTest, LabelsAndAnnotationsMergeAsMaps) {
  const json np = {{"metadata", {{"name", "n"}, {"annotations", {{"keep", "1"}, {"drop", "2"}}}}},
                   {"spec", {{"podSelector", json::object()}, {"ingress", {{{"from", json::array()}}}}}}};
  json out = Apply(PatchType::kStrategicMerge, np,
                   {{"metadata", {{"annotations", {{"drop", nullptr}, {"new", "3"}}}, {"labels", {{"l", "v"}}}}}});
  EXPECT_EQ(out["metadata"]["annotations"], json({{"keep", "1"}, {"new", "3"}}));
  EXPECT_EQ(out["metadata"]["labels"], json({{"l", "v"}}));
  EXPECT_EQ(out["spec"], np["spec"]);
}

TEST(StrategicMergePatchTest, ListsWithoutMergeKeyAreReplaced) {
  const json np = {{"spec", {{"policyTypes", {"Ingress"}}, {"ingress", {{{"ports", {{{"port", 80}}}}}}}}}};
  json out = Apply(PatchType::kStrategicMerge, np,
                   {{"spec", {{"policyTypes", {"Ingress", "Egress"}}, {"ingress", json::array()}}}});
  EXPECT_EQ(out["spec"]["policyTypes"], json({"Ingress", "Egress"}));
  EXPECT_EQ(out["spec"]["ingress"], json::array());
}

TEST(StrategicMergePatchTest, ContainersMergeByNameWithDirectives) {
  const json pod = {{"spec",
                     {{"containers",
                       {{{"name", "a"}, {"image", "a:1"}, {"ports", {{{"containerPort", 80}, {"name", "http"}}}}},
                        {{"name", "b"}, {"image", "b:1"}}}}}}};
  const json patch = {{"spec",
                       {{"$setElementOrder/containers", {{{"name", "a"}}, {{"name", "c"}}}},
                        {"containers",
                         {{{"name", "a"}, {"image", "a:2"}, {"ports", {{{"containerPort", 8080}}}}},
                          {{"name", "b"}, {"$patch", "delete"}},
                          {{"name", "c"}, {"image", "c:1"}}}}}}};
  json out = Apply(PatchType::kStrategicMerge, pod, patch);
  ASSERT_EQ(out["spec"]["containers"].size(), 2u) << out.dump();
  EXPECT_EQ(out["spec"]["containers"][0]["image"], "a:2");
  EXPECT_EQ(out["spec"]["containers"][0]["ports"].size(), 2u) << "ports merge by containerPort";
  EXPECT_EQ(out["spec"]["containers"][1], json({{"name", "c"}, {"image", "c:1"}}));
  EXPECT_FALSE(out["spec"].contains("$setElementOrder/containers"));
}

TEST(StrategicMergePatchTest, MapAndListReplaceDirectivesAndRetainKeys) {
  const json obj = {{"spec", {{"a", 1}, {"b", 2}}}, {"status", {{"conditions", {{{"type", "Ready"}}}}}}};
  json out = Apply(PatchType::kStrategicMerge, obj, {{"spec", {{"$patch", "replace"}, {"c", 3}}}});
  EXPECT_EQ(out["spec"], json({{"c", 3}}));
  out = Apply(PatchType::kStrategicMerge, obj, {{"spec", {{"$retainKeys", {"b", "d"}}, {"d", 4}}}});
  EXPECT_EQ(out["spec"], json({{"b", 2}, {"d", 4}}));
  out = Apply(PatchType::kStrategicMerge, obj,
              {{"status", {{"conditions", {{{"$patch", "replace"}}, {{"type", "Other"}}}}}}});
  EXPECT_EQ(out["status"]["conditions"], json({{{"type", "Other"}}}));
  out = Apply(PatchType::kStrategicMerge, {{"metadata", {{"finalizers", {"a", "b"}}}}},
              {{"metadata", {{"$deleteFromPrimitiveList/finalizers", {"a"}}}}});
  EXPECT_EQ(out["metadata"]["finalizers"], json({"b"}));
}

TEST(JsonPatchTest, AddReplaceRemoveAndFailures) {
  const json pod = {{"metadata", {{"name", "p"}, {"labels", {{"a", "1"}}}}}};
  json out = Apply(PatchType::kJson, pod,
                   json::parse(R"([{"op":"add","path":"/metadata/labels/b","value":"2"},
                                   {"op":"replace","path":"/metadata/labels/a","value":"9"},
                                   {"op":"add","path":"/metadata/annotations","value":{"x":"y"}}])"));
  EXPECT_EQ(out["metadata"]["labels"], json({{"a", "9"}, {"b", "2"}}));
  EXPECT_EQ(out["metadata"]["annotations"], json({{"x", "y"}}));
  out = Apply(PatchType::kJson, out, json::parse(R"([{"op":"remove","path":"/metadata/labels/a"}])"));
  EXPECT_EQ(out["metadata"]["labels"], json({{"b", "2"}}));
  absl::StatusOr<json> missing =
      ApplyPatch(PatchType::kJson, pod, json::parse(R"([{"op":"remove","path":"/metadata/labels/zz"}])"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<json> test_fails =
      ApplyPatch(PatchType::kJson, pod, json::parse(R"([{"op":"test","path":"/metadata/name","value":"q"}])"));
  EXPECT_FALSE(test_fails.ok());
  EXPECT_FALSE(ApplyPatch(PatchType::kJson, pod, json::object()).ok());
}

}  // namespace
}  // namespace romana::kube_apiserver
