#include "aws/vpcrouter/spec_source.h"

#include <httplib.h>

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"

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
  httplib::Server srv;
  std::atomic<bool> fail{false};
  srv.Get("/groups", [&](const httplib::Request& req, httplib::Response& res) {
    if (fail || req.get_header_value("Authorization") != "Bearer s3cret") {
      res.status = fail ? 503 : 401;
      res.set_content(R"({"error": {"code": "x", "message": "nope"}})", "application/json");
      return;
    }
    res.set_content(R"({"groups": [{"network": "romana-network", "path": "/0", "name": "host-group-0",
      "cidr": "10.112.0.0/15", "assignment": {"rack": "r1"}, "leaf": true, "padding": false,
      "hosts": ["node-1", "node-2"]}], "revision": 7})", "application/json");
  });
  srv.Get("/hosts", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"hosts": [{"name": "node-1", "ip": "192.168.99.10", "labels": {}, "groups": {}},
      {"name": "node-2", "ip": "192.168.99.11", "labels": {}, "groups": {}}], "revision": 7})", "application/json");
  });
  const int port = srv.bind_to_any_port("127.0.0.1");
  std::thread t([&] { srv.listen_after_bind(); });
  http::CurlClient http;
  RomanadRouteSpecSource src(http, absl::StrCat("http://127.0.0.1:", port), "s3cret");
  absl::StatusOr<RouteSpec> spec = src.Fetch();
  fail = true;
  absl::StatusOr<RouteSpec> down = src.Fetch();
  RomanadRouteSpecSource no_token(http, absl::StrCat("http://127.0.0.1:", port));
  fail = false;
  absl::StatusOr<RouteSpec> unauthorized = no_token.Fetch();
  srv.stop();
  t.join();
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(*spec, (RouteSpec{{"10.112.0.0/15", {"192.168.99.10", "192.168.99.11"}}}));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unauthorized.status().message(), ::testing::HasSubstr("HTTP 401"));
}

}  // namespace
}  // namespace romana::vpcrouter
