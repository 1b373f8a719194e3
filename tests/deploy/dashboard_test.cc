// Checks deploy/grafana/romana-dashboard.json: it parses, and every metric its queries name is
// registered by one of our binaries (a string literal passed as a metric name in src/ or apps/,
// tests excluded), so the dashboard cannot show a metric that does not exist.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace romana::deploy {
namespace {

namespace fs = std::filesystem;

// Metric names our code registers: quoted literals "romana_..." / "romanad_..." in non-test sources.
std::set<std::string> RegisteredMetricNames() {
  static const std::regex kName(R"re("(romanad?_[a-z0-9_]+)")re");
  std::set<std::string> out;
  for (const char* dir : {"src", "apps"}) {
    for (const auto& e : fs::recursive_directory_iterator(romana::testing::SourceDir() / dir)) {
      std::string name = e.path().filename().string();
      if (!e.is_regular_file() || e.path().extension() != ".cc" || name.find("_test") != std::string::npos) continue;
      std::string text = romana::testing::ReadFile(e.path());
      for (std::sregex_iterator it(text.begin(), text.end(), kName), end; it != end; ++it) out.insert((*it)[1]);
    }
  }
  return out;
}

TEST(DashboardTest, EveryMetricItShowsIsRegisteredByOurCode) {
  nlohmann::json d = nlohmann::json::parse(romana::testing::ReadFile(romana::testing::SourceDir() / "deploy/grafana/romana-dashboard.json"),
                                           nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(d.is_discarded()) << "romana-dashboard.json is not JSON";
  ASSERT_TRUE(d["panels"].is_array());
  std::set<std::string> registered = RegisteredMetricNames();
  ASSERT_GE(registered.size(), 20u);
  static const std::regex kMetric(R"(\b(romanad?_[a-z0-9_]+)\b)");
  std::set<std::string> shown;
  for (const nlohmann::json& panel : d["panels"]) {
    ASSERT_TRUE(panel["targets"].is_array()) << panel.value("title", "?");
    for (const nlohmann::json& t : panel["targets"]) {
      std::string expr = t.value("expr", "");
      for (std::sregex_iterator it(expr.begin(), expr.end(), kMetric), end; it != end; ++it) {
        std::string name = (*it)[1];
        // A histogram's series carry suffixes.
        for (const char* suffix : {"_bucket", "_count", "_sum"}) {
          if (name.ends_with(suffix) && !registered.count(name)) name.resize(name.size() - std::string(suffix).size());
        }
        shown.insert(name);
        EXPECT_TRUE(registered.count(name)) << "panel \"" << panel.value("title", "?") << "\": metric " << name
                                            << " is registered by none of our binaries";
      }
    }
  }
  // Allocations, watch clients, agent sync, policy, vpcrouter and romana-aws panels.
  for (const char* must : {"romanad_http_requests_total", "romanad_watch_streams", "romana_agent_last_sync_timestamp_seconds",
                           "romana_agent_policy_errors",                            "romana_vpcrouter_route_operations_total", "romana_aws_errors_total"}) {
    EXPECT_TRUE(shown.count(must)) << "the dashboard does not show " << must;
  }
}

}  // namespace
}  // namespace romana::deploy
