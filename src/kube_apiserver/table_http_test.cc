// Table output of the lab's Kubernetes API over HTTP (table.h): list pages, get and watch answer
// a meta.k8s.io Table when the Accept header asks for one, and the plain object otherwise.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "http_server/testing/raw_client.h"
#include "kube_apiserver/kube_api_server.h"

namespace romana::kube_apiserver {
namespace {

using http_server::testing::RawClient;
using nlohmann::json;

constexpr char kTableAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

class TableHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<KubeApiServer>> s = KubeApiServer::Start();
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    for (const char* name : {"a", "b"}) {
      server_->Put("pods", {{"metadata", {{"name", name}, {"namespace", "default"}}},
                            {"spec", {{"containers", {{{"name", "c"}}}}}},
                            {"status", {{"phase", "Pending"}}}});
    }
  }
  std::unique_ptr<RawClient> Open(const std::string& target, const std::string& accept) {
    auto c = std::make_unique<RawClient>(server_->port());
    EXPECT_TRUE(c->Send(absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: lab\r\nAccept: ", accept, "\r\n\r\n")));
    return c;
  }
  json Get(const std::string& target, const std::string& accept = kTableAccept, int want_status = 200) {
    RawClient::Answer a = Open(target, accept)->Read();
    EXPECT_EQ(a.status, want_status) << target << "\n" << a.body;
    return json::parse(a.body, nullptr, false);
  }

  std::unique_ptr<KubeApiServer> server_;
};

TEST_F(TableHttpTest, ListPagesCarryResourceVersionAndContinue) {
  json page = Get("/api/v1/namespaces/default/pods?limit=1");
  EXPECT_EQ(page["kind"], "Table");
  EXPECT_EQ(page["metadata"]["resourceVersion"], absl::StrCat(server_->resource_version()));
  ASSERT_EQ(page["rows"].size(), 1u);
  json cells = page["rows"][0]["cells"];
  cells.erase(4);  // AGE: on the system clock
  EXPECT_EQ(cells, json({"a", "0/1", "Pending", "0", "<none>", "<none>", "<none>", "<none>"}));
  EXPECT_EQ(page["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(page["columnDefinitions"].size(), 9u);
  const std::string next = page["metadata"].value("continue", "");
  ASSERT_FALSE(next.empty());
  page = Get("/api/v1/namespaces/default/pods?limit=1&continue=" + next);
  ASSERT_EQ(page["rows"].size(), 1u);
  EXPECT_EQ(page["rows"][0]["cells"][0], "b");
  EXPECT_FALSE(page["metadata"].contains("continue"));
  // The whole objects on request (kubectl get --sort-by).
  page = Get("/api/v1/pods?includeObject=Object");
  EXPECT_EQ(page["rows"][1]["object"]["kind"], "Pod");
  EXPECT_EQ(page["rows"][1]["object"]["status"]["phase"], "Pending");
}

TEST_F(TableHttpTest, GetAnswersATableOfOneRow) {
  json pod = Get("/api/v1/namespaces/default/pods/b", "application/json");
  EXPECT_EQ(pod["kind"], "Pod");
  json table = Get("/api/v1/namespaces/default/pods/b");
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["metadata"]["resourceVersion"], pod["metadata"]["resourceVersion"]);
  ASSERT_EQ(table["rows"].size(), 1u);
  EXPECT_EQ(table["rows"][0]["object"]["metadata"]["uid"], pod["metadata"]["uid"]);
  // v1beta1 only.
  EXPECT_EQ(Get("/api/v1/namespaces/default/pods/b", "application/json;as=Table;v=v1beta1;g=meta.k8s.io")["apiVersion"],
            "meta.k8s.io/v1beta1");
}

TEST_F(TableHttpTest, PlainRequestsAndErrors) {
  EXPECT_EQ(Get("/api/v1/pods", "application/json")["kind"], "PodList");
  EXPECT_EQ(Get("/api/v1/pods", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io")["kind"], "PodList");
  json bad = Get("/api/v1/pods?includeObject=All", kTableAccept, 400);
  EXPECT_EQ(bad["reason"], "BadRequest");
  EXPECT_NE(bad["message"].get<std::string>().find("includeObject"), std::string::npos);
  // Errors stay Status objects.
  EXPECT_EQ(Get("/api/v1/namespaces/default/pods/nope", kTableAccept, 404)["kind"], "Status");
}

TEST_F(TableHttpTest, WatchEventsAreTablesWithColumnsInTheFirstOnly) {
  std::unique_ptr<RawClient> w =
      Open("/api/v1/namespaces/default/pods?watch=true&resourceVersion=0&timeoutSeconds=1", kTableAccept);
  EXPECT_EQ(w->ReadHead().status, 200);
  std::string all;
  ASSERT_TRUE(w->ReadToEnd(all));
  // Two ADDED events (the current objects), each a Table of one row.
  const size_t first = all.find(R"("type":"ADDED")");
  ASSERT_NE(first, std::string::npos) << all;
  const size_t second = all.find(R"("type":"ADDED")", first + 1);
  ASSERT_NE(second, std::string::npos) << all;
  const std::string e1 = all.substr(first, second - first), e2 = all.substr(second);
  EXPECT_NE(e1.find(R"("kind":"Table")"), std::string::npos) << e1;
  EXPECT_NE(e1.find(R"("columnDefinitions":[{)"), std::string::npos) << e1;
  EXPECT_NE(e1.find(R"("cells":["a","0/1","Pending")"), std::string::npos) << e1;
  EXPECT_NE(e2.find(R"("kind":"Table")"), std::string::npos) << e2;
  EXPECT_NE(e2.find(R"("columnDefinitions":null)"), std::string::npos) << e2;
  EXPECT_NE(e2.find(R"("cells":["b","0/1","Pending")"), std::string::npos) << e2;
}

}  // namespace
}  // namespace romana::kube_apiserver
