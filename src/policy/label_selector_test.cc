#include "policy/label_selector.h"

#include <string>
#include <vector>

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::policy {
namespace {

using nlohmann::json;

LabelSelector Sel(const char* text) {
  absl::StatusOr<LabelSelector> s = ParseLabelSelector(json::parse(text), "sel");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.value_or(LabelSelector{});
}

struct MatchCase {
  const char* selector;
  Labels labels;
  bool matches;
};

TEST(LabelSelectorTest, MatchingTable) {
  const std::vector<MatchCase> cases = {
      {"{}", {}, true},
      {"{}", {{"a", "1"}}, true},
      {R"({"matchLabels": {}})", {{"a", "1"}}, true},
      {R"({"matchLabels": {"a": "1"}})", {{"a", "1"}, {"b", "2"}}, true},
      {R"({"matchLabels": {"a": "1"}})", {{"a", "2"}}, false},
      {R"({"matchLabels": {"a": "1"}})", {}, false},
      {R"({"matchLabels": {"a": "1", "b": "2"}})", {{"a", "1"}}, false},  // AND
      {R"({"matchLabels": {"a": ""}})", {{"a", ""}}, true},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]})", {{"a", "2"}}, true},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]})", {{"a", "3"}}, false},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]})", {}, false},
      {R"({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]})", {{"a", "2"}}, true},
      {R"({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]})", {{"a", "1"}}, false},
      {R"({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]})", {}, true},  // absent key
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists"}]})", {{"a", ""}}, true},
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists"}]})", {{"b", "1"}}, false},
      {R"({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]})", {{"b", "1"}}, true},
      {R"({"matchExpressions": [{"key": "a", "operator": "DoesNotExist", "values": []}]})", {{"a", "1"}}, false},
      // matchLabels AND matchExpressions.
      {R"({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]})", {{"a", "1"}}, false},
      {R"({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]})",
       {{"a", "1"}, {"b", "x"}}, true},
      // Several expressions: all must hold.
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists"}, {"key": "a", "operator": "NotIn", "values": ["1"]}]})",
       {{"a", "1"}}, false},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(Matches(Sel(c.selector), c.labels), c.matches) << c.selector;
  }
}

TEST(LabelSelectorTest, CanonicalFormIgnoresOrderAndSpelling) {
  EXPECT_EQ(CanonicalSelector(Sel("{}")), "");
  EXPECT_EQ(CanonicalSelector(Sel(R"({"matchLabels": {"a": "1"}})")),
            CanonicalSelector(Sel(R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]})")));
  EXPECT_EQ(
      CanonicalSelector(Sel(R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["2", "1", "1"]},
                                                       {"key": "b", "operator": "Exists"}]})")),
      CanonicalSelector(Sel(R"({"matchExpressions": [{"key": "b", "operator": "Exists"},
                                                       {"key": "a", "operator": "In", "values": ["1", "2"]}]})")));
  EXPECT_NE(CanonicalSelector(Sel(R"({"matchLabels": {"a": "1"}})")),
            CanonicalSelector(Sel(R"({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]})")));
}

struct ErrorCase {
  const char* selector;
  const char* field;  // "OK" when valid
};

TEST(LabelSelectorTest, ValidationNamesTheField) {
  const std::vector<ErrorCase> cases = {
      {R"({"matchLabels": {"app": "web"}})", "OK"},
      {R"({"matchLabels": {"bad key": "web"}})", "sel.matchLabels"},
      {R"({"matchLabels": {"app": "bad value"}})", "sel.matchLabels.app"},
      {R"({"matchLabels": {"app": 1}})", "sel.matchLabels.app"},
      {R"({"matchLabels": []})", "sel.matchLabels"},
      {R"({"matchLables": {}})", "sel.matchLables"},
      {R"([])", "sel"},
      {R"({"matchExpressions": {}})", "sel.matchExpressions"},
      {R"({"matchExpressions": [{"operator": "Exists"}]})", "sel.matchExpressions[0].key"},
      {R"({"matchExpressions": [{"key": "-a", "operator": "Exists"}]})", "sel.matchExpressions[0].key"},
      {R"({"matchExpressions": [{"key": "a"}]})", "sel.matchExpressions[0].operator"},
      {R"({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})", "sel.matchExpressions[0].operator"},
      {R"({"matchExpressions": [{"key": "a", "operator": "in", "values": ["1"]}]})", "sel.matchExpressions[0].operator"},
      {R"({"matchExpressions": [{"key": "a", "operator": "In"}]})", "sel.matchExpressions[0].values"},
      {R"({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": []}]})", "sel.matchExpressions[0].values"},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]})", "OK"},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["ok", "no way"]}]})",
       "sel.matchExpressions[0].values[1]"},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": [1]}]})", "sel.matchExpressions[0].values[0]"},
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["1"]}]})", "sel.matchExpressions[0].values"},
      {R"({"matchExpressions": [{"key": "a", "operator": "DoesNotExist", "values": ["1"]}]})",
       "sel.matchExpressions[0].values"},
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "X"}]})",
       "sel.matchExpressions[1].operator"},
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists", "extra": 1}]})", "sel.matchExpressions[0].extra"},
  };
  for (const ErrorCase& c : cases) {
    absl::StatusOr<LabelSelector> s = ParseLabelSelector(json::parse(c.selector), "sel");
    if (std::string(c.field) == "OK") {
      EXPECT_TRUE(s.ok()) << c.selector << ": " << s.status();
    } else {
      ASSERT_FALSE(s.ok()) << c.selector;
      EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(api::FieldOf(s.status()).value_or("<none>"), c.field) << c.selector << ": " << s.status();
    }
  }
}

}  // namespace
}  // namespace romana::policy
