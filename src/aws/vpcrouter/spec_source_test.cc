#include "aws/vpcrouter/spec_source.h"


#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "http_server/http_server.h"

namespace romana::vpcrouter {
namespace {

TEST(FileRouteSpecSourceTest, ReadsRereadsAndReportsErrors) {
  romana::testing::TempDir dir;
  FileRouteSpecSource src(dir.File("spec.json"));
  EXPECT_EQ(src.Fetch().status().code(), absl::StatusCode::kNotFound);
  std::ofstream(dir.File("spec.json")) << R"({"100.96.0.0/24": ["10.0.1.4"]})";
  EXPECT_EQ(src.Fetch()->size(), 1u);
  std::ofstream(dir.File("spec.json")) << R"({"100.96.0.0/24": ["10.0.1.4"], "100.96.1.0/24": []})";
  EXPECT_EQ(src.Fetch()->size(), 2u);
  std::ofstream(dir.File("spec.json")) << R"({"100.96.0.1/24": []})";
  absl::StatusOr<RouteSpec> bad = src.Fetch();
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("spec.json"));
}

// Serves romanad's documented GET /groups and GET /hosts (docs/api.md) on loopback.
TEST(RomanadRouteSpecSourceTest, BuildsTheSpecFromGroupsAndHosts) {
  std::unique_ptr<http_server::HttpServer> srv = *http_server::HttpServer::Create({});
  std::atomic<bool> fail{false};
  srv->Handle("GET", "/groups", [&](const http_server::Request& req) {
    http_server::Response res;
    if (fail || req.Header("Authorization") != "Bearer s3cret") {
      res.status = fail ? 503 : 401;
      res.body = R"({"error": {"code": "x", "message": "nope"}})";
      return res;
    }
    res.body = R"({"groups": [{"network": "romana-network", "path": "/0", "name": "host-group-0",
      "cidr": "10.112.0.0/15", "assignment": {"rack": "r1"}, "leaf": true, "padding": false}], "revision": 7})";
    return res;
  });
  srv->Handle("GET", "/hosts", [&](const http_server::Request&) {
    http_server::Response res;
    res.body = R"({"hosts": [{"name": "node-1", "ip": "192.168.99.10", "labels": {}, "groups": {"romana-network": "/0"}},
      {"name": "node-2", "ip": "192.168.99.11", "labels": {}, "groups": {"romana-network": "/0"}},
      {"name": "node-3", "ip": "192.168.99.12", "labels": {}, "groups": {}}], "revision": 7})";
    return res;
  });
  srv->Handle("GET", "/networks", [&](const http_server::Request&) {
    http_server::Response res;
    res.body = R"({"networks": [{"name": "romana-network", "cidr": "10.112.0.0/12", "block_mask": 29}], "revision": 7})";
    return res;
  });
  ASSERT_TRUE(srv->Start().ok());
  const int port = srv->port();
  http::CurlClient http;
  RomanadRouteSpecSource src(http, absl::StrCat("http://127.0.0.1:", port), "s3cret");
  absl::StatusOr<RouteSpec> spec = src.Fetch();
  fail = true;
  absl::StatusOr<RouteSpec> down = src.Fetch();
  RomanadRouteSpecSource no_token(http, absl::StrCat("http://127.0.0.1:", port));
  fail = false;
  absl::StatusOr<RouteSpec> unauthorized = no_token.Fetch();
  srv->Stop();
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(*spec, (RouteSpec{{"10.112.0.0/15", {"192.168.99.10", "192.168.99.11"}}}));
  EXPECT_EQ(src.Networks(), std::vector<std::string>{"10.112.0.0/12"});
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unauthorized.status().message(), ::testing::HasSubstr("HTTP 401"));
}

}  // namespace
}  // namespace romana::vpcrouter
