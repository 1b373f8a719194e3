#include "aws/vpcrouter/health.h"

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::vpcrouter {
namespace {

class ScriptedChecker : public health::HealthChecker {
 public:
  explicit ScriptedChecker(std::set<std::string> failing) : failing_(std::move(failing)) {}
  std::string name() const override { return "scripted"; }
  std::set<std::string> CheckFailed(const std::vector<std::string>& ips) override {
    std::set<std::string> out;
    for (const auto& ip : ips) {
      if (failing_.count(ip)) out.insert(ip);
    }
    return out;
  }

 private:
  std::set<std::string> failing_;
};

TEST(PeriodicHealthMonitorTest, ReportsFailuresAmongTargetsOnly) {
  PeriodicHealthMonitor m(std::make_unique<ScriptedChecker>(std::set<std::string>{"10.0.0.2", "10.0.0.9"}),
                          std::chrono::milliseconds(20));
  m.SetTargets({"10.0.0.1", "10.0.0.2"});
  const uint64_t r = m.rounds();
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return m.rounds() > r; }));
  EXPECT_EQ(m.State().failed, (std::set<std::string>{"10.0.0.2"}));
  m.SetTargets({"10.0.0.1"});
  EXPECT_TRUE(m.State().failed.empty());  // dropped immediately with the target
}

TEST(MultiHealthMonitorTest, FailedWhenAnyMonitorSaysSo) {
  std::vector<std::unique_ptr<HealthMonitor>> subs;
  subs.push_back(std::make_unique<PeriodicHealthMonitor>(
      std::make_unique<ScriptedChecker>(std::set<std::string>{"a"}), std::chrono::milliseconds(20)));
  subs.push_back(std::make_unique<PeriodicHealthMonitor>(
      std::make_unique<ScriptedChecker>(std::set<std::string>{"b"}), std::chrono::milliseconds(20)));
  MultiHealthMonitor m(std::move(subs));
  m.SetTargets({"a", "b", "c"});
  const uint64_t r = m.rounds();
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return m.rounds() > r; }));
  EXPECT_EQ(m.State().failed, (std::set<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace romana::vpcrouter
