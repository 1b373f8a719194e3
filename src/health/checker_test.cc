#include "health/checker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::health {
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

}  // namespace
}  // namespace romana::health
