// Accept negotiation, HumanDuration and the Table document of table.h.
#include "kube_apiserver/table.h"

#include "gtest/gtest.h"
#include "kube_apiserver/resources.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kKubectlAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

std::optional<TableRequest> Negotiate(const std::string& accept, const std::string& include = "") {
  absl::StatusOr<std::optional<TableRequest>> r = ParseTableRequest(accept, include);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::nullopt;
}

TEST(TableRequestTest, KubectlGetAsksForAV1Table) {
  std::optional<TableRequest> t = Negotiate(kKubectlAccept);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->version, "v1");
  EXPECT_EQ(t->include, TableRequest::Include::kMetadata);
}

TEST(TableRequestTest, PlainRequestsStayPlain) {
  for (const char* accept : {"", "application/json", "*/*", "application/vnd.kubernetes.protobuf,application/json",
                             "application/json,application/json;as=Table;v=v1;g=meta.k8s.io"}) {
    EXPECT_FALSE(Negotiate(accept).has_value()) << accept;
  }
}

TEST(TableRequestTest, SkipsWhatIsNotServedAndHonoursOrderAndQ) {
  // v1beta1 only; wildcard type; spaces around parameters.
  std::optional<TableRequest> t = Negotiate("application/json ; as=Table ; v=v1beta1 ; g=meta.k8s.io");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->version, "v1beta1");
  EXPECT_TRUE(Negotiate("*/*;as=Table;v=v1;g=meta.k8s.io").has_value());
  // Unserved "as" forms are skipped: the next range decides.
  EXPECT_TRUE(Negotiate("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,"
                        "application/json;as=Table;v=v1;g=meta.k8s.io")
                  .has_value());
  EXPECT_FALSE(Negotiate("application/json;as=Table;v=v2;g=meta.k8s.io").has_value());
  EXPECT_FALSE(Negotiate("application/json;as=Table;v=v1;g=example.com").has_value());
  EXPECT_FALSE(Negotiate("application/yaml;as=Table;v=v1;g=meta.k8s.io").has_value());
  EXPECT_FALSE(Negotiate("application/json;as=Table;v=v1;g=meta.k8s.io;q=0").has_value());
  EXPECT_FALSE(Negotiate("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.0,application/json").has_value());
  EXPECT_TRUE(Negotiate("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5").has_value());
}

TEST(TableRequestTest, IncludeObject) {
  EXPECT_EQ(Negotiate(kKubectlAccept, "None")->include, TableRequest::Include::kNone);
  EXPECT_EQ(Negotiate(kKubectlAccept, "Metadata")->include, TableRequest::Include::kMetadata);
  EXPECT_EQ(Negotiate(kKubectlAccept, "Object")->include, TableRequest::Include::kObject);
  absl::StatusOr<std::optional<TableRequest>> bad = ParseTableRequest(kKubectlAccept, "Everything");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("includeObject"), absl::string_view::npos);
  // Not a Table request: includeObject is not looked at.
  EXPECT_TRUE(ParseTableRequest("application/json", "Everything").ok());
}

TEST(HumanDurationTest, MatchesApimachinery) {
  const std::vector<std::pair<std::chrono::system_clock::duration, std::string>> cases = {
      {-seconds(3), "<invalid>"},
      {-seconds(2), "<invalid>"},
      {-milliseconds(1500), "0s"},
      {-seconds(1), "0s"},
      {seconds(0), "0s"},
      {milliseconds(1999), "1s"},
      {seconds(119), "119s"},
      {seconds(120), "2m"},
      {minutes(5) + seconds(3), "5m3s"},
      {minutes(9) + seconds(59), "9m59s"},
      {minutes(10) + seconds(30), "10m"},
      {minutes(179), "179m"},
      {hours(3), "3h"},
      {hours(3) + minutes(20), "3h20m"},
      {hours(7) + minutes(59), "7h59m"},
      {hours(8) + minutes(30), "8h"},
      {hours(47), "47h"},
      {hours(48), "2d"},
      {hours(24 * 3 + 4), "3d4h"},
      {hours(24 * 8), "8d"},
      {hours(24 * 729), "729d"},
      {hours(24 * 365 * 2), "2y"},
      {hours(24 * (365 * 2 + 30)), "2y30d"},
      {hours(24 * 365 * 8), "8y"},
      {hours(24 * 365 * 20 + 100), "20y"},
  };
  for (const auto& [d, want] : cases) {
    EXPECT_EQ(HumanDuration(d), want) << std::chrono::duration_cast<milliseconds>(d).count() << " ms";
  }
}

TEST(TableDocumentTest, ColumnsRowsObjectsAndMetadata) {
  const std::string pods = "pods";
  const std::string pod =
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-0","namespace":"shop","labels":{"app":"web"},)"
      R"("creationTimestamp":"2027-01-15T08:00:00Z"},"spec":{"containers":[{"name":"c"}]},)"
      R"("status":{"phase":"Succeeded"}})";
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
  json doc = TableDocument(pods, TableRequest{}, {pod}, {{"resourceVersion", "7"}, {"continue", "abc"}}, true, now);
  EXPECT_EQ(doc["kind"], "Table");
  EXPECT_EQ(doc["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(doc["metadata"], json({{"resourceVersion", "7"}, {"continue", "abc"}}));
  ASSERT_EQ(doc["columnDefinitions"].size(), TableColumns(pods).size());
  EXPECT_EQ(doc["columnDefinitions"][0], json({{"name", "Name"},
                                               {"type", "string"},
                                               {"format", "name"},
                                               {"description", TableColumns(pods)[0].description},
                                               {"priority", 0}}));
  EXPECT_EQ(doc["columnDefinitions"][5]["name"], "IP");
  EXPECT_EQ(doc["columnDefinitions"][5]["priority"], 1);
  ASSERT_EQ(doc["rows"].size(), 1u);
  const json& row = doc["rows"][0];
  EXPECT_EQ(row["cells"][0], "web-0");
  EXPECT_EQ(row["cells"][2], "Succeeded");
  EXPECT_EQ(row["conditions"], json::parse(R"([{"type":"Completed","status":"True","reason":"Succeeded",)"
                                           R"("message":"The pod has completed successfully."}])"));
  EXPECT_EQ(row["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(row["object"]["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(row["object"]["metadata"]["labels"]["app"], "web");
  EXPECT_FALSE(row["object"].contains("spec"));

  // Watch events after the first: no column definitions. v1beta1, the whole object, none.
  doc = TableDocument(pods, TableRequest{.version = "v1beta1", .include = TableRequest::Include::kObject}, {pod},
                      json::object(), false, now);
  EXPECT_TRUE(doc["columnDefinitions"].is_null());
  EXPECT_EQ(doc["apiVersion"], "meta.k8s.io/v1beta1");
  EXPECT_EQ(doc["rows"][0]["object"], json::parse(pod));
  doc = TableDocument(pods, TableRequest{.include = TableRequest::Include::kNone}, {pod}, nullptr, true, now);
  EXPECT_TRUE(doc["rows"][0]["object"].is_null());
  EXPECT_EQ(doc["metadata"], json::object());
  // No objects: an empty table that still has its columns (kubectl prints "No resources found").
  doc = TableDocument("nodes", TableRequest{}, {}, json::object(), true, now);
  EXPECT_EQ(doc["rows"], json::array());
  EXPECT_EQ(doc["columnDefinitions"].size(), 10u);
}

TEST(TableColumnsTest, EveryResourceHasANameColumnAndDescriptions) {
  std::vector<std::string> plurals = {"events", "widgets"};
  for (const ResourceInfo& r : ServedResources()) plurals.push_back(r.plural);
  for (const std::string& plural : plurals) {
    const std::vector<TableColumn>& cols = TableColumns(plural);
    int names = 0;
    bool wide = false;
    for (const TableColumn& c : cols) {
      if (c.format == "name") ++names;
      EXPECT_FALSE(c.description.empty()) << plural << ": " << c.name;
      EXPECT_TRUE(c.priority == 0 || c.priority == 1) << plural << ": " << c.name;
      if (c.priority == 1) wide = true;
      // Wide columns come last, but for events (whose printer interleaves them).
      if (plural != "events") {
        EXPECT_FALSE(wide && c.priority == 0) << plural << ": " << c.name << " after a wide one";
      }
    }
    EXPECT_EQ(names, 1) << plural;
  }
  EXPECT_EQ(TableColumns("widgets")[1].name, "Created At");
  EXPECT_EQ(TableColumns("widgets")[1].type, "date");
  EXPECT_EQ(TableColumns("nodes").size(), 10u);
}

}  // namespace
}  // namespace romana::kube_apiserver
