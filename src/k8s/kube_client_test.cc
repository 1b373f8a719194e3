// KubeClient::Watch on hostile streams: an event nested deeper than api::kMaxJsonDepth ends the
// watch with an error naming the reason (the reflector then re-lists) instead of being decoded.
// The API server is the project's HTTP server on loopback.
#include "k8s/kube_client.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "http_server/http_server.h"

namespace romana::k8s {
namespace {

TEST(KubeClientWatchTest, TooDeepEventEndsTheWatchNamingTheReason) {
  auto server = http_server::HttpServer::Create({});
  ASSERT_TRUE(server.ok());
  const std::string good = R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})";
  const std::string deep = absl::StrCat(R"({"type":"ADDED","object":)", std::string(200000, '['),
                                        std::string(200000, ']'), "}");
  (*server)->Handle("GET", "/api/v1/nodes", [&](const http_server::Request&) {
    http_server::Response res;
    res.body = good + "\n" + deep + "\n" + good + "\n";
    return res;
  });
  ASSERT_TRUE((*server)->Start().ok());
  http::CurlClient http;
  KubeClient client(http, KubeConfig{.server = absl::StrCat("http://127.0.0.1:", (*server)->port())});
  int events = 0;
  absl::Status s = client.Watch("/api/v1/nodes", "1", 5, [&](const WatchEvent&) { ++events; });
  (*server)->Stop();
  EXPECT_EQ(events, 1);  // the good event before it; nothing after
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), ::testing::HasSubstr("deeper than"));
}

}  // namespace
}  // namespace romana::k8s
