#include "cli/output.h"

#include <sstream>

#include "gtest/gtest.h"

namespace romana::cli {
namespace {

TEST(OutputTest, TableAlignsColumns) {
  std::ostringstream out;
  PrintTable({{"NAME", "IP"}, {{"node-1", "10.0.0.1"}, {"n2", "10.0.0.22"}}}, out);
  EXPECT_EQ(out.str(), "NAME    IP\nnode-1  10.0.0.1\nn2      10.0.0.22\n");
}

TEST(OutputTest, JsonAndYaml) {
  nlohmann::json j = {{"hosts", {{{"name", "a"}, {"labels", {{"rack", "r1"}}}}}}, {"revision", 3}};
  std::ostringstream js;
  PrintJson(j, js);
  EXPECT_EQ(nlohmann::json::parse(js.str()), j);
  std::ostringstream ys;
  PrintYaml(j, ys);
  EXPECT_NE(ys.str().find("revision: 3"), std::string::npos);
  EXPECT_NE(ys.str().find("rack: r1"), std::string::npos);
  EXPECT_EQ(LabelsText({{"a", "1"}, {"b", "2"}}), "a=1,b=2");
  EXPECT_EQ(LabelsText(nullptr), "");
}

TEST(OutputTest, YamlQuotesStringsThatWouldReadBackAsOtherTypes) {
  std::ostringstream ys;
  PrintYaml({{"port", "80"}, {"on", "true"}, {"empty", ""}, {"none", "null"}, {"n", 80}, {"b", false}}, ys);
  EXPECT_NE(ys.str().find("port: \"80\""), std::string::npos) << ys.str();
  EXPECT_NE(ys.str().find("on: \"true\""), std::string::npos) << ys.str();
  EXPECT_NE(ys.str().find("empty: \"\""), std::string::npos) << ys.str();
  EXPECT_NE(ys.str().find("none: \"null\""), std::string::npos) << ys.str();
  EXPECT_NE(ys.str().find("n: 80"), std::string::npos) << ys.str();
  EXPECT_NE(ys.str().find("b: false"), std::string::npos) << ys.str();
}

TEST(OutputTest, LabelSelectorText) {
  EXPECT_EQ(LabelSelectorText(nlohmann::json::object()), "<none>");
  EXPECT_EQ(LabelSelectorText(nullptr), "<none>");
  EXPECT_EQ(LabelSelectorText({{"matchLabels", {{"app", "web"}}},
                               {"matchExpressions",
                                {{{"key", "tier"}, {"operator", "In"}, {"values", {"a", "b"}}},
                                 {{"key", "env"}, {"operator", "NotIn"}, {"values", {"dev"}}},
                                 {{"key", "x"}, {"operator", "Exists"}},
                                 {{"key", "legacy"}, {"operator", "DoesNotExist"}}}}}),
            "app=web,tier in (a,b),env notin (dev),x,!legacy");
}

}  // namespace
}  // namespace romana::cli
