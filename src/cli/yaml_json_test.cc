#include "cli/yaml_json.h"

#include "gtest/gtest.h"

namespace romana::cli {
namespace {

nlohmann::json Read(const std::string& yaml) {
  absl::StatusOr<nlohmann::json> j = YamlToJson(YAML::Load(yaml));
  EXPECT_TRUE(j.ok()) << j.status();
  return j.ok() ? *j : nlohmann::json();
}

TEST(YamlJsonTest, PlainScalarsFollowTheCoreSchema) {
  EXPECT_EQ(Read("a: 80\nb: \"80\"\nc: http\nd: true\ne: 'false'\nf: ~\ng:\nh: 1.5\ni: 0x1F\nj: 0o17\nk: -3\n"
                 "l: !!str 12\nm: |\n  text\n"),
            nlohmann::json({{"a", 80}, {"b", "80"}, {"c", "http"}, {"d", true}, {"e", "false"}, {"f", nullptr},
                            {"g", nullptr}, {"h", 1.5}, {"i", 31}, {"j", 15}, {"k", -3}, {"l", "12"},
                            {"m", "text\n"}}));
  EXPECT_EQ(Read("[1, {x: [a, 2]}]"), nlohmann::json::parse(R"([1, {"x": ["a", 2]}])"));
  EXPECT_EQ(Read(R"({"spec": {"podSelector": {}, "ports": [{"port": 80}]}})"),
            nlohmann::json::parse(R"({"spec": {"podSelector": {}, "ports": [{"port": 80}]}})"));
}

TEST(YamlJsonTest, ValuesJsonCannotHoldAreErrors) {
  EXPECT_FALSE(YamlToJson(YAML::Load("a: .inf")).ok());
  EXPECT_FALSE(YamlToJson(YAML::Load("a: 123456789012345678901234")).ok());
  EXPECT_FALSE(YamlToJson(YAML::Load("? [a, b]\n: c\n")).ok());
}

TEST(YamlJsonTest, EmittedYamlReadsBackAsTheSameJson) {
  const nlohmann::json j = nlohmann::json::parse(R"({
    "metadata": {"name": "np", "labels": {"port": "80", "flag": "true", "none": "", "tilde": "~", "dot": "1.5"}},
    "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": 90}, {"port": "http"}]}],
             "policyTypes": ["Ingress"], "weird": "a: b # c", "multi": "line1\nline2"}})");
  YAML::Emitter e;
  EmitYaml(j, e);
  ASSERT_TRUE(e.good()) << e.GetLastError();
  EXPECT_EQ(Read(e.c_str()), j) << e.c_str();
}

}  // namespace
}  // namespace romana::cli
