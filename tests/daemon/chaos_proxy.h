// chaos_proxy.h: a loopback TCP proxy that cuts connections at random points (test-only).
// Each accepted connection is forwarded to `target_port`; after a random number of bytes
// from the server (uniform in [1, max_bytes]) both sides are closed.
#ifndef ROMANA_TESTS_DAEMON_CHAOS_PROXY_H_
#define ROMANA_TESTS_DAEMON_CHAOS_PROXY_H_

#include <atomic>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace romana::testing {

class ChaosProxy {
 public:
  ChaosProxy(int target_port, size_t max_bytes, uint32_t seed);
  ~ChaosProxy();
  int port() const { return port_; }
  int cuts() const { return cuts_; }

 private:
  void AcceptLoop();
  void Pipe(int client, int server, size_t budget);

  int target_port_;
  size_t max_bytes_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_{0};
  std::mutex mu_;
  std::mt19937 rng_;
  std::vector<std::thread> threads_;
  std::thread accept_;
};

}  // namespace romana::testing

#endif  // ROMANA_TESTS_DAEMON_CHAOS_PROXY_H_
