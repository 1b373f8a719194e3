#include "status_server/status_server.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "prometheus/counter.h"

namespace romana {
namespace {

// GET http://127.0.0.1:<port><path>; a transport error fails the test.
http::Response Get(int port, const std::string& path) {
  absl::StatusOr<http::Response> r = http::CurlClient().Send({.url = absl::StrCat("http://127.0.0.1:", port, path)});
  EXPECT_TRUE(r.ok()) << path << ": " << r.status();
  return r.ok() ? *std::move(r) : http::Response{};
}

TEST(StatusServerTest, ProbesMetricsAndDocuments) {
  prometheus::Registry registry;
  prometheus::BuildCounter().Name("things_total").Help("things").Register(registry).Add({}).Increment();
  std::atomic<bool> ready{false};
  StatusServerOptions o;
  o.registry = &registry;
  o.ready = [&] { return ready.load(); };
  o.documents["/doc"] = [] { return nlohmann::json{{"a", 1}}; };
  o.documents["/missing"] = []() -> absl::StatusOr<nlohmann::json> { return absl::NotFoundError("none yet"); };
  absl::StatusOr<std::unique_ptr<StatusServer>> s = StatusServer::Start(o);
  ASSERT_TRUE(s.ok()) << s.status();
  const int port = (*s)->port();
  EXPECT_EQ(Get(port, "/healthz").status, 200);
  EXPECT_EQ(Get(port, "/readyz").status, 503);
  ready = true;
  EXPECT_EQ(Get(port, "/readyz").status, 200);
  http::Response m = Get(port, "/metrics");
  EXPECT_NE(m.body.find("things_total 1"), std::string::npos) << m.body;
  http::Response d = Get(port, "/doc");
  EXPECT_EQ(nlohmann::json::parse(d.body, nullptr, false), (nlohmann::json{{"a", 1}}));
  http::Response missing = Get(port, "/missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body, nullptr, false)["error"], "none yet");
}

TEST(StatusServerTest, WithoutReadyThereIsNoReadyzAndABusyPortIsNamed) {
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<StatusServer>> a = StatusServer::Start({.registry = &registry});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(Get((*a)->port(), "/readyz").status, 404);
  absl::StatusOr<std::unique_ptr<StatusServer>> b =
      StatusServer::Start({.port = (*a)->port(), .flag = "--metrics-listen", .registry = &registry});
  EXPECT_EQ(b.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(b.status().message().find("--metrics-listen"), std::string::npos) << b.status();
}

}  // namespace
}  // namespace romana
