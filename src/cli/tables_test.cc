#include "cli/tables.h"

#include "gtest/gtest.h"

namespace romana::cli {
namespace {

TEST(TablesTest, StrPrintsStringsAsTheyAreAndOtherValuesAsJson) {
  nlohmann::json j = {{"name", "a"}, {"mask", 28}, {"leaf", true}};
  EXPECT_EQ(Str(j, "name"), "a");
  EXPECT_EQ(Str(j, "mask"), "28");
  EXPECT_EQ(Str(j, "leaf"), "true");
  EXPECT_EQ(Str(j, "missing"), "");
  EXPECT_EQ(Str(nlohmann::json::array(), "name"), "");
}

TEST(TablesTest, AListAndASingleObjectGiveTheSameRows) {
  nlohmann::json host = {{"name", "n1"}, {"ip", "10.0.0.1"}, {"labels", {{"rack", "r1"}}}};
  Table list = HostsTable({{"hosts", {host}}});
  Table one = HostsTable(host);
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows, one.rows);
  EXPECT_EQ(list.rows[0], (std::vector<std::string>{"n1", "10.0.0.1", "", "rack=r1"}));
}

TEST(TablesTest, HostStatusAddsOneRowPerPolicyError) {
  Table t = HostStatusesTable(
      {{"hoststatus", {{{"host", "n1"}, {"policy_error_count", 2}, {"policy_errors", {"p1: bad", "p2: bad"}}}}}});
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"n1", "", "2", ""}));
  EXPECT_EQ(t.rows[2], (std::vector<std::string>{"", "", "", "p2: bad"}));
}

TEST(TablesTest, GroupsShowPaddingLeafAndTheHostsWhoseRecordNamesThem) {
  Table t = GroupsTable({{"groups",
                          {{{"network", "n"}, {"path", "/0"}, {"name", "g1"}, {"leaf", true}},
                           {{"network", "n"}, {"path", "/1"}, {"name", "g2"}, {"padding", true}},
                           {{"network", "m"}, {"path", "/0"}, {"name", "g3"}}}}},
                        {{"hosts",
                          {{{"name", "b"}, {"groups", {{"n", "/0"}}}},
                           {{"name", "a"}, {"groups", {{"n", "/0"}, {"m", "/0"}}}},
                           {{"name", "c"}, {"groups", nullptr}}}}});
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0][4], "yes");
  EXPECT_EQ(t.rows[0][6], "a,b");
  EXPECT_EQ(t.rows[1][4], "padding");
  EXPECT_EQ(t.rows[1][6], "");
  EXPECT_EQ(t.rows[2][4], "no");
  EXPECT_EQ(t.rows[2][6], "a");
}

TEST(TablesTest, PoliciesCountPeersAndRulesOverIngressGroups) {
  Table t = PoliciesTable({{"policies",
                            {{{"id", "p"},
                              {"applied_to", {{{"tenant", "t"}}}},
                              {"ingress", {{{"peers", {1, 2}}, {"rules", {1}}}, {{"peers", {3}}, {"rules", {1, 2}}}}}}}}});
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"p", "", "1", "3", "3", ""}));
}

TEST(TablesTest, NetworkPolicyWithoutTypesShowsDefault) {
  Table t = NetworkPoliciesTable(
      {{"metadata", {{"namespace", "ns"}, {"name", "np"}}}, {"spec", {{"podSelector", nlohmann::json::object()}}}});
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0], "ns");
  EXPECT_EQ(t.rows[0][3], "<default>");
  EXPECT_EQ(t.rows[0][4], "0");
}

}  // namespace
}  // namespace romana::cli
