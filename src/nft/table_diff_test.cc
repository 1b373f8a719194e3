#include "nft/table_diff.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::nft {
namespace {

using json = nlohmann::json;

json Accept() { return json::array({json{{"accept", nullptr}}}); }
json Jump(const std::string& c) { return json::array({json{{"jump", {{"target", c}}}}}); }

Table Sample() {
  Table t{.family = "inet", .name = "t"};
  t.sets["peers"] = Set{.type = {"ipv4_addr"}, .flags = {"interval"}};
  t.sets["peers"].elements[json("10.0.0.1")] = nullptr;
  t.sets["pods"] = Set{.type = {"ipv4_addr"}, .map = "verdict"};
  t.sets["pods"].elements[json("10.0.0.9")] = json{{"jump", {{"target", "pod-a"}}}};
  t.chains["forward"] = Chain{.base = BaseChain{"filter", "forward", 0, "accept"}, .rules = {Jump("pod-a")}};
  t.chains["pod-a"] = Chain{.rules = {Accept()}};
  return t;
}

std::vector<std::string> Verbs(const json& commands) {
  std::vector<std::string> out;
  for (const json& c : commands) {
    for (const auto& [verb, body] : c.items()) {
      for (const auto& [kind, o] : body.items()) out.push_back(verb + " " + kind);
    }
  }
  return out;
}

TEST(TableDiffTest, AbsentTableIsCreatedWithEverythingInOrder) {
  DiffStats st;
  json c = DiffTable(Sample(), std::nullopt, &st);
  EXPECT_TRUE(st.recreate);
  EXPECT_THAT(Verbs(c), ::testing::ElementsAre("add table", "add chain", "add chain", "add set", "add map",
                                               "add rule", "add rule"));
  EXPECT_EQ(c[4]["add"]["map"]["elem"][0][1]["jump"]["target"], "pod-a");
  EXPECT_EQ(c[1]["add"]["chain"]["hook"], "forward");
  EXPECT_EQ(c[5]["add"]["rule"]["comment"], RuleKey(Jump("pod-a")));
}

TEST(TableDiffTest, UnchangedIsEmpty) {
  EXPECT_TRUE(DiffTable(Sample(), StateOf(Sample())).empty());
}

TEST(TableDiffTest, MembershipChangeIsElementsOnly) {
  Table want = Sample();
  want.sets["peers"].elements.erase(json("10.0.0.1"));
  want.sets["peers"].elements[json("10.0.0.2")] = nullptr;
  DiffStats st;
  json c = DiffTable(want, StateOf(Sample()), &st);
  EXPECT_THAT(Verbs(c), ::testing::ElementsAre("delete element", "add element"));
  EXPECT_EQ(st.elements_added, 1);
  EXPECT_EQ(st.elements_deleted, 1);
  EXPECT_EQ(st.chains_written, 0);
}

TEST(TableDiffTest, ChangedMapValueIsDeleteAndAddOfThatKey) {
  Table want = Sample();
  want.chains["pod-b"] = Chain{.rules = {Accept()}};
  want.sets["pods"].elements[json("10.0.0.9")] = json{{"jump", {{"target", "pod-b"}}}};
  json c = DiffTable(want, StateOf(Sample()));
  EXPECT_THAT(Verbs(c), ::testing::ElementsAre("add chain", "delete element", "add element", "add rule"));
}

TEST(TableDiffTest, ChangedChainIsFlushedAndRefilledAloneAndRemovedChainGoesAfterItsReferences) {
  Table want = Sample();
  want.chains.erase("pod-a");
  want.sets["pods"].elements.clear();
  want.chains["forward"].rules = {Accept()};
  DiffStats st;
  json c = DiffTable(want, StateOf(Sample()), &st);
  EXPECT_THAT(Verbs(c), ::testing::ElementsAre("flush chain", "flush chain", "delete element", "add rule",
                                               "delete chain"));
  EXPECT_EQ(c[4]["delete"]["chain"]["name"], "pod-a");
  EXPECT_EQ(st.chains_written, 1);
  EXPECT_EQ(st.chains_deleted, 1);
}

TEST(TableDiffTest, ForeignRuleInOurChainForcesRewriteOfThatChainOnly) {
  TableState actual = StateOf(Sample());
  actual.chains["pod-a"].rule_keys.push_back("");  // someone appended a rule without our key
  json c = DiffTable(Sample(), actual);
  EXPECT_THAT(Verbs(c), ::testing::ElementsAre("flush chain", "add rule"));
  EXPECT_EQ(c[0]["flush"]["chain"]["name"], "pod-a");
}

TEST(TableDiffTest, ChangedDefinitionRecreatesTheTable) {
  Table want = Sample();
  want.chains["forward"].base->priority = 10;
  DiffStats st;
  json c = DiffTable(want, StateOf(Sample()), &st);
  EXPECT_TRUE(st.recreate);
  EXPECT_THAT(Verbs(c), ::testing::IsSupersetOf({"add table", "delete table"}));
  EXPECT_EQ(Verbs(c)[1], "delete table");
}

TEST(TableDiffTest, RemovedSetIsDeletedAfterTheFlushOfItsUsers) {
  Table old = Sample();
  old.sets["gone"] = Set{.type = {"ipv4_addr"}};
  old.chains["pod-a"].rules.push_back(json::array({json{{"match", {{"op", "=="}, {"left", 1}, {"right", "@gone"}}}}}));
  json c = DiffTable(Sample(), StateOf(old));
  EXPECT_THAT(Verbs(c), ::testing::ElementsAre("flush chain", "delete set", "add rule"));
}

}  // namespace
}  // namespace romana::nft
