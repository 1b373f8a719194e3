#include "status_server/status_server.h"

#include <httplib.h>

#include <atomic>

#include "gtest/gtest.h"
#include "prometheus/counter.h"

namespace romana {
namespace {

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
  httplib::Client c("127.0.0.1", (*s)->port());
  EXPECT_EQ(c.Get("/healthz")->status, 200);
  EXPECT_EQ(c.Get("/readyz")->status, 503);
  ready = true;
  EXPECT_EQ(c.Get("/readyz")->status, 200);
  httplib::Result m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("things_total 1"), std::string::npos) << m->body;
  httplib::Result d = c.Get("/doc");
  ASSERT_TRUE(d);
  EXPECT_EQ(nlohmann::json::parse(d->body), (nlohmann::json{{"a", 1}}));
  httplib::Result missing = c.Get("/missing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing->body)["error"], "none yet");
}

TEST(StatusServerTest, WithoutReadyThereIsNoReadyzAndABusyPortIsNamed) {
  prometheus::Registry registry;
  absl::StatusOr<std::unique_ptr<StatusServer>> a = StatusServer::Start({.registry = &registry});
  ASSERT_TRUE(a.ok()) << a.status();
  httplib::Client c("127.0.0.1", (*a)->port());
  EXPECT_EQ(c.Get("/readyz")->status, 404);
  absl::StatusOr<std::unique_ptr<StatusServer>> b =
      StatusServer::Start({.port = (*a)->port(), .flag = "--metrics-listen", .registry = &registry});
  EXPECT_EQ(b.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(b.status().message().find("--metrics-listen"), std::string::npos) << b.status();
}

}  // namespace
}  // namespace romana
