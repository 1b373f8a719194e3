// romanad against hostile request bodies, as a new user found them: 400,000 nested `[` (800 KB,
// under the 1 MiB body limit) crashed it with a segmentation fault, and a number such as 1e999
// was answered 500 (reserved for bugs). Every route that takes a body must answer such input
// with a 400 naming the problem, and the daemon must go on serving.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "nlohmann/json.hpp"

namespace romana {
namespace {

constexpr char kToken[] = "hostile-token";

struct Route {
  const char* method;
  const char* path;
};

// Every route with a request body (docs/api.md).
const std::vector<Route>& BodyRoutes() {
  static const std::vector<Route> routes = {
      {"PUT", "/vips/ns1/svc1"},
      {"PUT", "/topology"},          {"POST", "/topology"},          {"POST", "/hosts"},
      {"PUT", "/hosts/h1/labels"},   {"POST", "/address"},           {"POST", "/policies"},
      {"PUT", "/namespaces/ns1"},    {"PUT", "/endpoints/ns1/pod1"}, {"PUT", "/namespaces/ns1/networkpolicies/np1"}};
  return routes;
}

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = testing::RomanadProcess::Start({.token = kToken});
    ASSERT_TRUE(p.ok()) << p.status();
    daemon_ = *std::move(p);
  }
  http::Response Send(const Route& r, const std::string& body) {
    http::Request req{.method = r.method, .url = absl::StrCat("http://127.0.0.1:", daemon_->port(), r.path),
                      .body = body};
    req.headers = {{"Authorization", absl::StrCat("Bearer ", kToken)}, {"Content-Type", "application/json"}};
    absl::StatusOr<http::Response> a = client_.Send(req);
    EXPECT_TRUE(a.ok()) << r.method << " " << r.path << ": " << a.status();
    return a.ok() ? *a : http::Response{};
  }
  bool Serves() {
    absl::StatusOr<http::Response> h =
        client_.Send({.url = absl::StrCat("http://127.0.0.1:", daemon_->port(), "/healthz")});
    return h.ok() && h->status == 200;
  }

  std::unique_ptr<testing::RomanadProcess> daemon_;
  http::CurlClient client_;
};

TEST_F(HostileInputTest, EveryBodyRouteAnswers400AndTheDaemonKeepsServing) {
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"400,000 nested arrays", std::string(400000, '[') + std::string(400000, ']')},
      {"400,000 unclosed arrays", std::string(400000, '[')},
      {"100,000 nested objects (600 KB)", [] {
         std::string s;
         for (int i = 0; i < 100000; ++i) s += "{\"a\":";
         s += "1";
         s += std::string(100000, '}');
         return s;
       }()},
      {"a number beyond a double", R"({"name": "x", "ip": 1e999, "labels": {}})"},
      {"a negative number beyond a double", R"({"name": "x", "block_mask": -1e400})"},
  };
  for (const Route& r : BodyRoutes()) {
    for (const auto& [what, body] : shapes) {
      http::Response a = Send(r, body);
      EXPECT_EQ(a.status, 400) << r.method << " " << r.path << " with " << what << ": " << a.body.substr(0, 300);
      nlohmann::json j = nlohmann::json::parse(a.body, nullptr, false);
      EXPECT_TRUE(j.is_object() && j.contains("error") && j["error"].value("code", "") == "invalid_argument")
          << r.method << " " << r.path << " with " << what << ": " << a.body.substr(0, 300);
      ASSERT_TRUE(Serves()) << "romanad stopped serving after " << r.method << " " << r.path << " with " << what;
    }
  }
}

}  // namespace
}  // namespace romana
