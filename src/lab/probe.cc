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
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lab/exec.h"
#include "net/ipv4.h"

namespace romana::lab {
namespace {

bool ConnectHere(const std::string& ip, int port, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  absl::StatusOr<net::Ipv4Address> addr = net::Ipv4Address::Parse(ip);
  if (!addr.ok()) {
    close(fd);
    return false;
  }
  a.sin_addr.s_addr = htonl(addr->value());
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

bool UdpEchoHere(const std::string& ip, int port, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  absl::StatusOr<net::Ipv4Address> addr = net::Ipv4Address::Parse(ip);
  if (addr.ok()) a.sin_addr.s_addr = htonl(addr->value());
  if (!addr.ok() || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return false;
  }
  static constexpr char kPayload[] = "romana-lab probe";
  bool ok = false;
  for (int attempt = 0; attempt < 2 && !ok; ++attempt) {
    if (send(fd, kPayload, sizeof(kPayload), 0) < 0) break;  // ECONNREFUSED from an earlier ICMP error
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms / 2) == 1) {
      char buf[64];
      ok = recv(fd, buf, sizeof(buf), 0) == static_cast<ssize_t>(sizeof(kPayload));
      if (!ok) break;  // refused (ICMP port unreachable) or a wrong answer
    }
  }
  close(fd);
  return ok;
}

}  // namespace

absl::StatusOr<Protocol> ParseProtocol(const std::string& text) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "tcp") return Protocol::kTcp;
  if (t == "udp") return Protocol::kUdp;
  if (t == "sctp") return Protocol::kSctp;
  return absl::InvalidArgumentError(absl::StrCat("protocol \"", text, "\" is not one of TCP, UDP, SCTP"));
}

std::string ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kTcp: return "TCP";
    case Protocol::kUdp: return "UDP";
    case Protocol::kSctp: return "SCTP";
  }
  return "?";
}

absl::StatusOr<bool> ProbeOnce(const std::string& src_netns, const std::string& ip, int port, Protocol protocol,
                               int timeout_ms) {
  if (protocol == Protocol::kSctp) {
    return absl::UnimplementedError("SCTP cannot be probed: this kernel has no SCTP (socket() answers EPROTONOSUPPORT)");
  }
  bool ok = false;
  absl::Status s = InNetns(src_netns, [&] {
    ok = protocol == Protocol::kTcp ? ConnectHere(ip, port, timeout_ms) : UdpEchoHere(ip, port, timeout_ms);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return ok;
}

absl::StatusOr<TruthTable> ProbeTable(const std::vector<PodInfo>& pods, int port, Protocol protocol,
                                      const TruthTable* only, int concurrency) {
  std::vector<std::string> names;
  for (const PodInfo& p : pods) names.push_back(p.QualifiedName());
  TruthTable out(names, Reachability::kIgnore);
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t f = 0; f < pods.size(); ++f) {
    for (size_t t = 0; t < pods.size(); ++t) {
      if (f == t) continue;
      if (only && only->Get(names[f], names[t]).value_or(Reachability::kIgnore) == Reachability::kIgnore) continue;
      pairs.push_back({f, t});
    }
  }
  std::mutex mu;
  absl::Status first_error;
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < std::max(1, concurrency) && static_cast<size_t>(w) < pairs.size(); ++w) {
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < pairs.size();) {
        auto [f, t] = pairs[i];
        absl::StatusOr<bool> r = ProbeOnce(pods[f].netns, pods[t].ip, port, protocol);
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok()) {
          if (first_error.ok()) first_error = r.status();
          continue;
        }
        out.set(f, t, *r ? Reachability::kAllowed : Reachability::kBlocked);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  if (!first_error.ok()) return first_error;
  return out;
}

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
