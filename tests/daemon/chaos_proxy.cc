#include "chaos_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace romana::testing {

ChaosProxy::ChaosProxy(int target_port, size_t max_bytes, uint32_t seed)
    : target_port_(target_port), max_bytes_(max_bytes), rng_(seed) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  listen(listen_fd_, 64);
  accept_ = std::thread([this] { AcceptLoop(); });
}

ChaosProxy::~ChaosProxy() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  accept_.join();
  for (std::thread& t : threads_) t.join();
}

void ChaosProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(target_port_));
    if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(client);
      close(server);
      continue;
    }
    size_t budget;
    {
      std::lock_guard lock(mu_);
      budget = std::uniform_int_distribution<size_t>(1, max_bytes_)(rng_);
    }
    threads_.emplace_back([this, client, server, budget] { Pipe(client, server, budget); });
  }
}

void ChaosProxy::Pipe(int client, int server, size_t budget) {
  char buf[4096];
  size_t from_server = 0;
  while (!stop_) {
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (poll(p, 2, 50) <= 0) continue;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(client, buf, sizeof(buf));
      if (n <= 0 || write(server, buf, n) != n) break;
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      size_t want = std::min(sizeof(buf), budget - from_server);
      ssize_t n = read(server, buf, want);
      if (n <= 0 || write(client, buf, n) != n) break;
      from_server += static_cast<size_t>(n);
      if (from_server >= budget) {
        ++cuts_;
        break;
      }
    }
  }
  shutdown(client, SHUT_RDWR);
  shutdown(server, SHUT_RDWR);
  close(client);
  close(server);
}

}  // namespace romana::testing
