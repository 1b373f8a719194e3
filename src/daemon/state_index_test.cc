#include "daemon/state_index.h"

#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace romana::daemon {
namespace {

std::vector<std::string> Texts(const absl::StatusOr<std::vector<StateIndex::Value>>& values) {
  EXPECT_TRUE(values.ok()) << values.status();
  std::vector<std::string> out;
  if (values.ok()) {
    for (const auto& v : *values) out.push_back(*v);
  }
  return out;
}

TEST(StateIndexTest, PutGetDeleteReturnPreviousValues) {
  StateIndex s(Keys("/romana"));
  EXPECT_EQ(s.Put("/romana/hosts/a", R"({"name":"a"})", 2), nullptr);
  StateIndex::Value prev = s.Put("/romana/hosts/a", R"({"name":"a","ip":"1.2.3.4"})", 3);
  ASSERT_NE(prev, nullptr);
  EXPECT_EQ(*prev, R"({"name":"a"})");
  EXPECT_EQ(**s.Get("/romana/hosts/a"), R"({"name":"a","ip":"1.2.3.4"})");
  EXPECT_EQ(s.Put("/romana/leader", "x", 4), nullptr);  // not streamed: not kept
  EXPECT_EQ(*s.Get("/romana/leader"), nullptr);
  EXPECT_EQ(s.size(), 1u);
  prev = s.Delete("/romana/hosts/a");
  ASSERT_NE(prev, nullptr);
  EXPECT_EQ(*prev, R"({"name":"a","ip":"1.2.3.4"})");
  EXPECT_EQ(s.Delete("/romana/hosts/a"), nullptr);
  EXPECT_EQ(s.size(), 0u);
}

TEST(StateIndexTest, TopologyIsItsOwnKindAndListsAreSortedByKey) {
  StateIndex s(Keys("/romana"));
  s.Put("/romana/topology", R"({"networks":[]})", 2);
  s.Put("/romana/policies/b", R"({"id":"b"})", 3);
  s.Put("/romana/policies/a", R"({"id":"a"})", 4);
  EXPECT_EQ(Texts(s.List("topology")), std::vector<std::string>{R"({"networks":[]})"});
  EXPECT_EQ(Texts(s.List("policies")), (std::vector<std::string>{R"({"id":"a"})", R"({"id":"b"})"}));
  EXPECT_TRUE(absl::IsInvalidArgument(s.List("bogus").status()));
}

TEST(StateIndexTest, NonJsonValuesAreDataLossWhenRead) {
  StateIndex s(Keys("/romana"));
  s.Put("/romana/namespaces/x", "not json", 2);
  EXPECT_TRUE(absl::IsDataLoss(s.List("namespaces").status()));
  EXPECT_TRUE(absl::IsDataLoss(s.Get("/romana/namespaces/x").status()));
}

// The scan the routes used to do: every record of the kind, kept when j.value(field, "") == value
// for a string field.
std::vector<std::string> Scan(const StateIndex& s, const std::string& plural, const std::string& field,
                              const std::string& value) {
  std::vector<std::string> out;
  for (const std::string& text : Texts(s.List(plural))) {
    nlohmann::json j = nlohmann::json::parse(text);
    auto it = j.find(field);
    if (it != j.end() && it->is_string() && it->get<std::string>() == value) out.push_back(text);
  }
  return out;
}

TEST(StateIndexTest, IndexReadsEqualScansUnderRandomMutations) {
  struct Field {
    std::string plural, field;
  };
  const std::vector<Field> fields = {{"addresses", "host"}, {"addresses", "ip"},        {"blocks", "host"},
                                     {"blocks", "network"}, {"endpoints", "node"},      {"endpoints", "namespace"},
                                     {"groups", "network"}};
  const std::vector<std::string> values = {"", "a", "b", "c", "10.0.0.1", "10.0.0.2"};
  std::mt19937 rng(20261206);
  StateIndex s(Keys("/romana"));
  for (int step = 0; step < 6000; ++step) {
    const std::string plural = fields[rng() % fields.size()].plural;
    const std::string key = absl::StrCat("/romana/", plural, "/k", rng() % 40);
    if (rng() % 4 == 0) {
      s.Delete(key);
    } else {
      nlohmann::json j = nlohmann::json::object();
      j["n"] = step;
      for (const Field& f : fields) {
        if (f.plural != plural) continue;
        switch (rng() % 5) {
          case 0: break;                                        // field missing
          case 1: j[f.field] = static_cast<int>(rng() % 3); break;  // not a string: never matches
          default: j[f.field] = values[rng() % values.size()];
        }
      }
      s.Put(key, j.dump(), step + 2);
    }
    if (step % 97 == 0) {
      for (const Field& f : fields) {
        for (const std::string& v : values) {
          ASSERT_EQ(Texts(s.List(f.plural, f.field, v)), Scan(s, f.plural, f.field, v))
              << f.plural << "?" << f.field << "=" << v << " at step " << step;
        }
      }
    }
  }
}

}  // namespace
}  // namespace romana::daemon
