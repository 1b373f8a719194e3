#include "api/field_error.h"

#include "absl/strings/str_cat.h"
#include "api/json_reader.h"
#include "gtest/gtest.h"

namespace romana::api {
namespace {

TEST(FieldErrorTest, CarriesFieldAndMessage) {
  absl::Status s = FieldError("applied_to[0].peer", "unknown peer");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "applied_to[0].peer");
  EXPECT_EQ(s.message(), "applied_to[0].peer: unknown peer");
}

TEST(FieldErrorTest, PrefixJoinsPaths) {
  absl::Status s = PrefixField(FieldError("peers[1].cidr", "bad"), "ingress[0]");
  EXPECT_EQ(FieldOf(s), "ingress[0].peers[1].cidr");
  EXPECT_EQ(s.message(), "ingress[0].peers[1].cidr: bad");
  absl::Status t = PrefixField(FieldError("[2]", "bad"), "hosts");
  EXPECT_EQ(FieldOf(t), "hosts[2]");
  absl::Status u = PrefixField(absl::InvalidArgumentError("plain"), "x");
  EXPECT_EQ(FieldOf(u), "x");
  EXPECT_EQ(u.message(), "x: plain");
  EXPECT_TRUE(PrefixField(absl::OkStatus(), "x").ok());
}

TEST(FieldErrorTest, CodesAndDetails) {
  absl::Status s = WithDetail(WithErrorCode(absl::UnavailableError("x"), "not_leader"), "leader", "http://a:1");
  EXPECT_EQ(ErrorCodeOf(s), "not_leader");
  EXPECT_EQ(DetailOf(s, "leader"), "http://a:1");
  EXPECT_EQ(DetailOf(s, "other"), std::nullopt);
  EXPECT_EQ(ErrorCodeOf(absl::OkStatus()), std::nullopt);
}

TEST(JsonReaderTest, ReportsFirstErrorWithPath) {
  nlohmann::json j = {{"a", 1}, {"b", "x"}, {"m", {{"k", 2}}}};
  ObjectReader r(j, "root[3]");
  EXPECT_EQ(r.String("a"), "");
  EXPECT_EQ(r.String("b"), "x");
  absl::Status s = r.Finish();
  EXPECT_EQ(FieldOf(s), "root[3].a");
  ObjectReader r2(j, "");
  r2.Int("a");
  r2.String("b");
  r2.StringMap("m");
  EXPECT_EQ(FieldOf(r2.Finish()), "m.k");
}

TEST(JsonReaderTest, RequiredAndUnknownKeys) {
  nlohmann::json j = {{"x", "1"}, {"typo", true}};
  ObjectReader r(j, "");
  r.String("x");
  EXPECT_EQ(FieldOf(r.Finish()), "typo");
  EXPECT_TRUE(r.Finish(false).ok());
  ObjectReader r2(j, "");
  r2.String("missing", true);
  EXPECT_EQ(FieldOf(r2.Finish()), "missing");
  nlohmann::json empty_s = {{"x", ""}};
  ObjectReader r3(empty_s, "");
  r3.String("x", true);
  EXPECT_NE(r3.Finish().message().find("must not be empty"), std::string::npos);
}

TEST(JsonReaderTest, NotAnObject) {
  ObjectReader r(nlohmann::json::array(), "");
  EXPECT_EQ(r.Finish().code(), absl::StatusCode::kInvalidArgument);
  ObjectReader r2(nlohmann::json(3), "a.b");
  EXPECT_EQ(FieldOf(r2.Finish()), "a.b");
}

TEST(JsonReaderTest, IntegersAndFloats) {
  nlohmann::json j = {{"i", 5}, {"f", 5.0}, {"g", 5.5}, {"s", "5"}};
  ObjectReader r(j, "");
  EXPECT_EQ(r.Int("i"), 5);
  EXPECT_EQ(r.Int("f"), 5);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.Int("g"), std::nullopt);
  EXPECT_EQ(FieldOf(r.Finish()), "g");
  ObjectReader r2(j, "");
  r2.Int("s");
  EXPECT_EQ(FieldOf(r2.Finish()), "s");
}

TEST(ParseJsonTest, DepthIsBoundedBeforeAnythingIsBuilt) {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(ParseJson(nested(kMaxJsonDepth)).ok());
  absl::StatusOr<nlohmann::json> deep = ParseJson(nested(kMaxJsonDepth + 1));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(deep.status().message().find("deeper than"), std::string::npos) << deep.status();
  // What crashed romanad: 400,000 levels (a recursive walk overflowed the stack).
  EXPECT_EQ(ParseJson(std::string(400000, '[')).status().code(), absl::StatusCode::kInvalidArgument);
  // Brackets inside strings (escaped quotes included) are not nesting.
  EXPECT_TRUE(ParseJson(absl::StrCat("{\"a\": \"", std::string(500, '['), "\\\"[[[\"}")).ok());
  EXPECT_TRUE(ParseJson(nested(3), 3).ok());
  EXPECT_FALSE(ParseJson(nested(4), 3).ok());
}

TEST(ParseJsonTest, NumbersBeyondADoubleAreBadInputNotAnException) {
  for (const char* body : {"{\"a\": 1e999}", "[-1e400]", "1E+999"}) {
    absl::StatusOr<nlohmann::json> r = ParseJson(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_NE(r.status().message().find("overflow"), std::string::npos) << r.status();
  }
  EXPECT_TRUE(ParseJson("[1e308, 18446744073709551615, -9223372036854775808]").ok());
}

TEST(ParseJsonTest, ErrorsNameTheOffset) {
  EXPECT_TRUE(ParseJson("{\"a\": 1}").ok());
  absl::StatusOr<nlohmann::json> bad = ParseJson("{\"a\": }");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("byte"), std::string::npos);
  EXPECT_FALSE(ParseJson("").ok());
}

}  // namespace
}  // namespace romana::api
