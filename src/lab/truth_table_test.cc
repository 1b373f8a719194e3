#include "lab/truth_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::lab {
namespace {

using ::testing::HasSubstr;

TEST(TruthTableTest, NewTableHasLoopbackIgnored) {
  TruthTable t({"x/a", "x/b"}, Reachability::kAllowed);
  EXPECT_EQ(t.at(0, 0), Reachability::kIgnore);
  EXPECT_EQ(t.at(0, 1), Reachability::kAllowed);
  EXPECT_EQ(t.CountCompared(), 2);
  EXPECT_FALSE(t.Get("x/a", "y/a").ok());
  EXPECT_FALSE(t.Set("z/z", "x/a", Reachability::kBlocked).ok());
}

TEST(TruthTableTest, FormatsAsUpstreamAndParsesBack) {
  TruthTable t({"x/a", "x/b", "y/a"}, Reachability::kAllowed);
  ASSERT_TRUE(t.Set("x/a", "y/a", Reachability::kBlocked).ok());
  const std::string text = FormatTable(t);
  EXPECT_EQ(text,
            "-    x/a  x/b  y/a\n"
            "x/a  -    .    X\n"
            "x/b  .    -    .\n"
            "y/a  .    .    -\n");
  absl::StatusOr<TruthTable> back = ParseTable("# comment\n\n" + text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, t);
}

TEST(TruthTableTest, ParseRejectsBadTablesNamingTheLine) {
  EXPECT_THAT(ParseTable("x/a x/b\n").status().message(), HasSubstr("header must start"));
  EXPECT_THAT(ParseTable("- x/a x/b\nx/a - .\n").status().message(), HasSubstr("2 columns but 1 rows"));
  EXPECT_THAT(ParseTable("- x/a x/b\nx/b . -\nx/a - .\n").status().message(), HasSubstr("line 2: row \"x/b\""));
  EXPECT_THAT(ParseTable("- x/a x/b\nx/a - .\nx/b ok -\n").status().message(), HasSubstr("line 3: cell \"ok\""));
  EXPECT_THAT(ParseTable("- x/a x/b\nx/a - . .\nx/b . -\n").status().message(), HasSubstr("3 cells, want 2"));
  EXPECT_FALSE(ParseTable("").ok());
}

TEST(TruthTableTest, CompareReportsOnlyComparedPairsThatDiffer) {
  TruthTable want({"x/a", "x/b", "y/a"}, Reachability::kAllowed);
  ASSERT_TRUE(want.Set("x/a", "x/b", Reachability::kBlocked).ok());
  ASSERT_TRUE(want.Set("y/a", "x/a", Reachability::kIgnore).ok());
  TruthTable have({"x/a", "x/b", "y/a"}, Reachability::kAllowed);
  ASSERT_TRUE(have.Set("y/a", "x/a", Reachability::kBlocked).ok());  // ignored in `want`
  ASSERT_TRUE(have.Set("x/b", "y/a", Reachability::kBlocked).ok());
  std::vector<Mismatch> m = Compare(want, have);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].from, "x/a");
  EXPECT_EQ(m[0].to, "x/b");
  EXPECT_EQ(m[0].expected, Reachability::kBlocked);
  EXPECT_EQ(m[0].observed, Reachability::kAllowed);
  EXPECT_EQ(m[1].from, "x/b");
  EXPECT_EQ(m[1].to, "y/a");
  const std::string report = FormatMismatches(want, m);
  EXPECT_THAT(report, HasSubstr("x/a -> x/b: expected blocked, observed allowed\n"));
  EXPECT_THAT(report, HasSubstr("x/b -> y/a: expected allowed, observed blocked\n"));
  EXPECT_THAT(report, HasSubstr("y/a  -    .    -"));  // y/a->x/a not compared
  EXPECT_THAT(report, HasSubstr("x/a  -    X    ."));
  EXPECT_TRUE(Compare(want, want).empty());
  EXPECT_EQ(FormatMismatches(want, {}), "");
}

TEST(TruthTableTest, PairMissingFromObservationIsAMismatch) {
  TruthTable want({"x/a", "x/b"}, Reachability::kAllowed);
  TruthTable have({"x/a", "x/b"}, Reachability::kIgnore);  // nothing probed
  EXPECT_EQ(Compare(want, have).size(), 2u);
  EXPECT_EQ(Compare(want, TruthTable({"x/a"}, Reachability::kAllowed)).size(), 2u);
}

}  // namespace
}  // namespace romana::lab
