#include "api/endpoint_batch.h"

#include "api/field_error.h"
#include "gtest/gtest.h"

namespace romana::api {
namespace {

using nlohmann::json;

json Ep(const std::string& ns, const std::string& name) {
  return {{"namespace", ns}, {"name", name}, {"node", "n1"}, {"ip", "10.0.0.1"}, {"labels", {{"app", "a"}}}};
}

TEST(EndpointBatchTest, RoundTrip) {
  EndpointBatch b;
  b.put.push_back(*ParseEndpoint(Ep("ns", "a")));
  b.remove.push_back({"ns", "b"});
  absl::StatusOr<EndpointBatch> back = ParseEndpointBatch(ToJson(b));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->put, b.put);
  EXPECT_EQ(back->remove, b.remove);
  EXPECT_EQ(back->size(), 2u);
  absl::StatusOr<EndpointBatch> empty = ParseEndpointBatch(json::object());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 0u);
}

TEST(EndpointBatchTest, ErrorsNameTheItemAndTheField) {
  struct Case {
    json body;
    std::string field;
  };
  json bad_port = Ep("ns", "c");
  bad_port["ports"] = {{{"name", "http"}, {"port", 70000}}};
  json no_name = Ep("ns", "x");
  no_name.erase("name");
  const Case cases[] = {
      {{{"put", {Ep("ns", "a"), Ep("ns", "b"), bad_port}}}, "put[2].ports[0].port"},
      {{{"put", {Ep("ns", "a"), no_name}}}, "put[1].name"},
      {{{"put", {Ep("ns", "a"), Ep("n s", "b")}}}, "put[1].namespace"},
      {{{"put", {Ep("ns", "a")}}, {"delete", {{{"namespace", "ns"}, {"name", "b/c"}}}}}, "delete[0].name"},
      {{{"delete", {{{"name", "b"}}}}}, "delete[0].namespace"},
      {{{"delete", {{{"namespace", "ns"}, {"name", "b"}, {"extra", 1}}}}}, "delete[0].extra"},
      {{{"put", {Ep("ns", "a"), Ep("ns", "a")}}}, "put[1]"},
      {{{"put", {Ep("ns", "a")}}, {"delete", {{{"namespace", "ns"}, {"name", "a"}}}}}, "delete[0]"},
      {{{"put", Ep("ns", "a")}}, "put"},
      {{{"puts", json::array()}}, "puts"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<EndpointBatch> b = ParseEndpointBatch(c.body);
    ASSERT_FALSE(b.ok()) << c.body;
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(b.status()).value_or(""), c.field) << b.status();
    EXPECT_EQ(std::string(b.status().message()).rfind(c.field, 0), 0u) << b.status();
  }
}

TEST(EndpointBatchTest, TooManyItems) {
  json del = json::array();
  for (size_t i = 0; i <= kMaxEndpointBatchItems; ++i) del.push_back({{"namespace", "ns"}, {"name", "p" + std::to_string(i)}});
  absl::StatusOr<EndpointBatch> b = ParseEndpointBatch({{"delete", del}});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(FieldOf(b.status()).value_or(""), "delete");
  del.erase(del.begin());
  EXPECT_TRUE(ParseEndpointBatch({{"delete", del}}).ok());
}

}  // namespace
}  // namespace romana::api
