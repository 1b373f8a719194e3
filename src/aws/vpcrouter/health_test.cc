#include "aws/vpcrouter/health.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::vpcrouter {
namespace {

// A listening TCP socket on 127.0.0.1; closed on destruction.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(fd_, 16);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_;
};

TEST(TcpCheckerTest, OpenPortIsHealthyClosedPortAndBadIpFail) {
  Listener l;
  TcpChecker ok(l.port(), std::chrono::milliseconds(1000));
  EXPECT_TRUE(ok.CheckFailed({"127.0.0.1"}).empty());
  TcpChecker closed(romana::testing::FreeLoopbackPort(), std::chrono::milliseconds(1000));
  EXPECT_EQ(closed.CheckFailed({"127.0.0.1", "not-an-ip"}), (std::set<std::string>{"127.0.0.1", "not-an-ip"}));
}

TEST(IcmpEchoCheckerTest, LoopbackAnswers) {
  if (!romana::testing::IsRoot()) GTEST_SKIP() << "raw ICMP sockets need root";
  auto c = IcmpEchoChecker::Create(std::chrono::milliseconds(1000), 2);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE((*c)->CheckFailed({"127.0.0.1", "127.0.0.2"}).empty());
  EXPECT_EQ((*c)->CheckFailed({"bogus"}), (std::set<std::string>{"bogus"}));
  // A second round works too (sequence numbers move on, stale replies are drained).
  EXPECT_TRUE((*c)->CheckFailed({"127.0.0.1"}).empty());
}

class ScriptedChecker : public HealthChecker {
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
