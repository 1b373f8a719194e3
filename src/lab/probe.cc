#include "lab/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "lab/exec.h"

namespace romana::lab {
namespace {

bool ConnectHere(const std::string& ip, int port, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) {
    close(fd);
    return false;
  }
  bool ok = false;
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  if (rc == 0) {
    ok = true;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, timeout_ms) == 1) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      ok = err == 0;
    }
  }
  close(fd);
  return ok;
}

}  // namespace

bool TcpConnect(const std::string& src_netns, const std::string& ip, int port, int timeout_ms) {
  bool ok = false;
  (void)InNetns(src_netns, [&] {
    ok = ConnectHere(ip, port, timeout_ms);
    return absl::OkStatus();
  });
  return ok;
}

absl::StatusOr<Matrix> ProbeConnectivity(const std::vector<PodInfo>& pods, int tcp_port) {
  // Listeners, one per pod, each created inside its pod's namespace.
  std::vector<int> listeners;
  auto close_all = [&] {
    for (int fd : listeners) close(fd);
  };
  for (const PodInfo& p : pods) {
    int fd = -1;
    absl::Status s = InNetns(p.netns, [&]() -> absl::Status {
      fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(tcp_port));
      if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(fd, 64) != 0) {
        std::string err = std::strerror(errno);
        close(fd);
        return absl::InternalError(absl::StrCat("cannot listen on port ", tcp_port, " in ", p.netns, ": ", err));
      }
      return absl::OkStatus();
    });
    if (!s.ok()) {
      close_all();
      return s;
    }
    listeners.push_back(fd);
  }
  int stop_fd = eventfd(0, EFD_CLOEXEC);
  std::thread acceptor([&] {
    std::vector<pollfd> fds;
    for (int fd : listeners) fds.push_back({fd, POLLIN, 0});
    fds.push_back({stop_fd, POLLIN, 0});
    while (true) {
      if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
      if (fds.back().revents) return;
      for (size_t i = 0; i + 1 < fds.size(); ++i) {
        if (!(fds[i].revents & POLLIN)) continue;
        int c;
        while ((c = accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC)) >= 0) close(c);
      }
    }
  });

  Matrix m;
  m.pods = pods;
  m.cells.assign(pods.size(), std::vector<Reach>(pods.size()));
  std::vector<std::thread> workers;
  for (size_t s = 0; s < pods.size(); ++s) {
    workers.emplace_back([&, s] {
      (void)InNetns(pods[s].netns, [&]() -> absl::Status {
        for (size_t d = 0; d < pods.size(); ++d) {
          if (d == s) continue;
          // Processes forked from this thread live in the source pod's namespace.
          absl::StatusOr<Captured> ping = RunCapture({"ping", "-c", "1", "-W", "1", "-q", pods[d].ip});
          m.cells[s][d].ping = ping.ok() && ping->exit_code == 0;
          m.cells[s][d].tcp = ConnectHere(pods[d].ip, tcp_port, 1000);
        }
        return absl::OkStatus();
      });
    });
  }
  for (std::thread& t : workers) t.join();
  uint64_t one = 1;
  (void)!write(stop_fd, &one, sizeof(one));
  acceptor.join();
  close(stop_fd);
  close_all();
  for (size_t s = 0; s < pods.size(); ++s) {
    for (size_t d = 0; d < pods.size(); ++d) {
      if (s == d) continue;
      ++m.pairs;
      m.ping_failures += !m.cells[s][d].ping;
      m.tcp_failures += !m.cells[s][d].tcp;
    }
  }
  return m;
}

}  // namespace romana::lab
