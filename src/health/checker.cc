#include "health/checker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "net/ipv4.h"

namespace romana::health {
namespace {

uint16_t Checksum(const uint8_t* data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
  if (len % 2) sum += uint32_t{data[len - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

// The address in network byte order, or nullopt when `ip` is not a dotted quad.
std::optional<in_addr> ParseIp(const std::string& ip) {
  absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(ip);
  if (!a.ok()) return std::nullopt;
  in_addr out{};
  out.s_addr = htonl(a->value());
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<IcmpEchoChecker>> IcmpEchoChecker::Create(std::chrono::milliseconds timeout,
                                                                         int attempts) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0) {
    const int err = errno;
    if (err == EPERM || err == EACCES) {
      return absl::PermissionDeniedError(
          "icmpecho: a raw ICMP socket needs root or CAP_NET_RAW (or use --health tcp)");
    }
    return absl::InternalError(absl::StrCat("icmpecho: socket: ", strerror(err)));
  }
  std::random_device rd;
  return std::unique_ptr<IcmpEchoChecker>(
      new IcmpEchoChecker(fd, timeout, std::max(1, attempts), static_cast<uint16_t>(rd())));
}

IcmpEchoChecker::~IcmpEchoChecker() { close(fd_); }

std::set<std::string> IcmpEchoChecker::CheckFailed(const std::vector<std::string>& ips) {
  std::map<uint32_t, std::string> pending;  // network-order address -> text
  std::set<std::string> failed;
  for (const std::string& ip : ips) {
    std::optional<in_addr> a = ParseIp(ip);
    if (!a) {
      failed.insert(ip);
      continue;
    }
    pending[a->s_addr] = ip;
  }
  // Drain stale replies from an earlier round.
  uint8_t buf[1500];
  while (recv(fd_, buf, sizeof(buf), 0) > 0) {
  }
  const uint16_t round_seq = ++seq_;
  const auto per_attempt = timeout_ / attempts_;
  for (int attempt = 0; attempt < attempts_ && !pending.empty(); ++attempt) {
    for (const auto& [addr, text] : pending) {
      uint8_t pkt[16] = {};
      auto* icmp = reinterpret_cast<icmphdr*>(pkt);
      icmp->type = ICMP_ECHO;
      icmp->code = 0;
      icmp->un.echo.id = htons(id_);
      icmp->un.echo.sequence = htons(round_seq);
      std::memcpy(pkt + sizeof(icmphdr), "romanavr", 8);
      icmp->checksum = Checksum(pkt, sizeof(pkt));
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_addr.s_addr = addr;
      sendto(fd_, pkt, sizeof(pkt), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));  // errors = no answer
    }
    const auto deadline = std::chrono::steady_clock::now() + per_attempt;
    while (!pending.empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      sockaddr_in from{};
      socklen_t fl = sizeof(from);
      ssize_t n;
      while ((n = recvfrom(fd_, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &fl)) > 0) {
        if (n < static_cast<ssize_t>(sizeof(iphdr))) continue;
        const auto* ip = reinterpret_cast<const iphdr*>(buf);
        const size_t hl = ip->ihl * 4u;
        if (n < static_cast<ssize_t>(hl + sizeof(icmphdr))) continue;
        const auto* icmp = reinterpret_cast<const icmphdr*>(buf + hl);
        if (icmp->type != ICMP_ECHOREPLY || ntohs(icmp->un.echo.id) != id_ ||
            ntohs(icmp->un.echo.sequence) != round_seq) {
          continue;
        }
        pending.erase(from.sin_addr.s_addr);
        fl = sizeof(from);
      }
    }
  }
  for (const auto& [addr, text] : pending) failed.insert(text);
  return failed;
}

std::set<std::string> TcpChecker::CheckFailed(const std::vector<std::string>& ips) {
  std::set<std::string> failed;
  std::map<int, std::string> connecting;  // fd -> ip
  for (const std::string& ip : ips) {
    std::optional<in_addr> a = ParseIp(ip);
    int fd = a ? socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
    if (fd < 0) {
      failed.insert(ip);
      continue;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port_));
    to.sin_addr = *a;
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0) {
      close(fd);
      continue;
    }
    if (errno != EINPROGRESS) {
      close(fd);
      failed.insert(ip);
      continue;
    }
    connecting[fd] = ip;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (!connecting.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::vector<pollfd> fds;
    for (const auto& [fd, ip] : connecting) fds.push_back({fd, POLLOUT, 0});
    if (poll(fds.data(), fds.size(), static_cast<int>(left.count())) <= 0) continue;
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) failed.insert(connecting[p.fd]);
      close(p.fd);
      connecting.erase(p.fd);
    }
  }
  for (const auto& [fd, ip] : connecting) {
    close(fd);
    failed.insert(ip);
  }
  return failed;
}

}  // namespace romana::health
