// The lab's Kubernetes API over HTTP: the watch protocol (410 as an ERROR event, bookmarks,
// initial-events end, timeouts), error Status objects, and many watches on one io thread and
// one worker (a watch holds no thread).
#include "kube_apiserver/kube_api_server.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "http_server/testing/raw_client.h"

namespace romana::kube_apiserver {
namespace {

using http_server::testing::RawClient;
using nlohmann::json;

class KubeApiServerTest : public ::testing::Test {
 protected:
  void Start(KubeApiServerOptions options = {}) {
    absl::StatusOr<std::unique_ptr<KubeApiServer>> s = KubeApiServer::Start(std::move(options));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
  }
  std::unique_ptr<RawClient> Open(const std::string& target, const std::string& method = "GET",
                                  const std::string& body = "", const std::string& type = "application/json") {
    auto c = std::make_unique<RawClient>(server_->port());
    EXPECT_TRUE(c->Send(absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: lab\r\nContent-Type: ", type,
                                     "\r\nContent-Length: ", body.size(), "\r\n\r\n", body)));
    return c;
  }
  RawClient::Answer Call(const std::string& target, const std::string& method = "GET", const std::string& body = "",
                         const std::string& type = "application/json") {
    return Open(target, method, body, type)->Read();
  }
  json Pod(const std::string& name) { return {{"metadata", {{"name", name}, {"namespace", "default"}}}}; }

  std::unique_ptr<KubeApiServer> server_;
};

TEST_F(KubeApiServerTest, ErrorsAreStatusObjects) {
  Start();
  RawClient::Answer a = Call("/api/v1/namespaces/default/pods/nope");
  EXPECT_EQ(a.status, 404);
  json s = json::parse(a.body);
  EXPECT_EQ(s["kind"], "Status");
  EXPECT_EQ(s["reason"], "NotFound");
  EXPECT_EQ(s["details"]["kind"], "pods");
  EXPECT_EQ(Call("/api/v1/widgets").status, 404);
  EXPECT_EQ(Call("/apis/networking.k8s.io/v1/namespaces/default/pods").status, 404) << "pods are core/v1";
  EXPECT_EQ(Call("/api/v1/pods", "POST", Pod("a").dump()).status, 405) << "create needs a namespace";
  EXPECT_EQ(Call("/api/v1/namespaces/default/pods", "POST", "{").status, 400);
  EXPECT_EQ(Call("/api/v1/namespaces/default/pods", "POST", std::string(100, '[') + std::string(100, ']')).status,
            400);
  ASSERT_EQ(Call("/api/v1/namespaces/default/pods", "POST", Pod("a").dump()).status, 201);
  a = Call("/api/v1/namespaces/default/pods/a", "PATCH", R"({"metadata":{"labels":{"x":"y"}}})",
           "application/apply-patch+yaml");
  EXPECT_EQ(a.status, 415);
  EXPECT_EQ(json::parse(a.body)["reason"], "UnsupportedMediaType");
  EXPECT_EQ(Call("/api/v1/pods?labelSelector=a%20in%20x").status, 400);
  EXPECT_EQ(Call("/api/v1/pods?fieldSelector=spec.foo%3Dx").status, 400);
  a = Call("/api/v1/namespaces/default/pods/a", "DELETE");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(json::parse(a.body)["status"], "Success");
}

TEST_F(KubeApiServerTest, WatchFromACompactedVersionGetsAnExpiredErrorEvent) {
  Start();
  const int64_t old = server_->resource_version();
  server_->Put("pods", Pod("a"));
  server_->Compact();
  std::unique_ptr<RawClient> w = Open(absl::StrCat("/api/v1/pods?watch=true&resourceVersion=", old));
  EXPECT_EQ(w->ReadHead().status, 200);
  std::string all;
  ASSERT_TRUE(w->ReadToEnd(all));
  EXPECT_NE(all.find(R"("type":"ERROR")"), std::string::npos) << all;
  EXPECT_NE(all.find(R"("code":410)"), std::string::npos) << all;
  EXPECT_NE(all.find(R"("reason":"Expired")"), std::string::npos) << all;
}

TEST_F(KubeApiServerTest, BookmarksInitialEventsAndTimeout) {
  Start({.bookmark_interval = std::chrono::milliseconds(50)});
  server_->Put("pods", Pod("a"));
  std::unique_ptr<RawClient> w =
      Open("/api/v1/namespaces/default/pods?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&timeoutSeconds=1");
  EXPECT_EQ(w->ReadHead().status, 200);
  EXPECT_TRUE(w->ReadUntil(R"("k8s.io/initial-events-end":"true")"));
  server_->Put("pods", Pod("b"));
  EXPECT_TRUE(w->ReadUntil(R"("type":"ADDED")"));
  EXPECT_TRUE(w->ReadUntil(R"("type":"BOOKMARK")"));
  std::string rest;
  EXPECT_TRUE(w->ReadToEnd(rest)) << "timeoutSeconds ends the stream";
}

TEST_F(KubeApiServerTest, ThousandWatchesOnOneIoThreadAndOneWorker) {
  Start({.io_threads = 1, .worker_threads = 1});
  const int64_t rv = server_->resource_version();
  std::vector<std::unique_ptr<RawClient>> watches;
  for (int i = 0; i < 1000; ++i) {
    const std::string selector = i % 2 ? "&labelSelector=app%3Dweb" : "&fieldSelector=metadata.name%3Dweb-0";
    watches.push_back(Open(absl::StrCat("/api/v1/namespaces/default/pods?watch=true&resourceVersion=", rv, selector)));
    ASSERT_EQ(watches.back()->ReadHead().status, 200) << i;
  }
  // The single worker is free: lists and writes are answered while every watch stays open.
  json pod = Pod("web-0");
  pod["metadata"]["labels"] = {{"app", "web"}};
  ASSERT_EQ(Call("/api/v1/namespaces/default/pods", "POST", pod.dump()).status, 201);
  EXPECT_EQ(Call("/api/v1/pods").status, 200);
  for (size_t i = 0; i < watches.size(); ++i) {
    ASSERT_TRUE(watches[i]->ReadUntil(R"("name":"web-0")")) << i;
  }
}

}  // namespace
}  // namespace romana::kube_apiserver
