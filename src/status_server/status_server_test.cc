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

TEST(StatusServerTest, ListenFlagIsHostPortOrEmpty) {
  absl::StatusOr<std::optional<net::HostPort>> none = ParseListenFlag("--metrics-listen", "");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  absl::StatusOr<std::optional<net::HostPort>> some = ParseListenFlag("--metrics-listen", "0.0.0.0:9607");
  ASSERT_TRUE(some.ok()) << some.status();
  EXPECT_EQ(**some, (net::HostPort{"0.0.0.0", 9607}));
  absl::StatusOr<std::optional<net::HostPort>> bad = ParseListenFlag("--metrics-listen", "9607");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--metrics-listen"), std::string::npos) << bad.status();
}

TEST(StatusServerTest, StartAtServesOnTheFlagsAddressOrNothing) {
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<StatusServer>> off = StatusServer::StartAt("", {.registry = &registry});
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(*off, nullptr);
  absl::StatusOr<std::unique_ptr<StatusServer>> bad =
      StatusServer::StartAt("nowhere", {.flag = "--metrics-listen", .registry = &registry});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::unique_ptr<StatusServer>> on = StatusServer::StartAt("127.0.0.1:0", {.registry = &registry});
  ASSERT_TRUE(on.ok()) << on.status();
  ASSERT_NE(*on, nullptr);
  EXPECT_EQ(Get((*on)->port(), "/healthz").status, 200);
}

}  // namespace
}  // namespace romana
