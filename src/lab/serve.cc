#include "lab/serve.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace romana::lab {
namespace {

struct Socket {
  int fd = -1;
  bool tcp = false;
};

absl::Status Bind(int type, int port, int* fd_out) {
  int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || (type == SOCK_STREAM && listen(fd, 128) != 0)) {
    std::string err = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("cannot serve ", type == SOCK_STREAM ? "TCP" : "UDP", " port ", port, ": ", err));
  }
  *fd_out = fd;
  return absl::OkStatus();
}

}  // namespace

absl::Status Serve(const std::vector<int>& ports, const std::atomic<bool>& stop) {
  std::vector<Socket> sockets;
  auto close_all = [&] {
    for (const Socket& s : sockets) close(s.fd);
  };
  for (int port : ports) {
    for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
      int fd = -1;
      if (absl::Status s = Bind(type, port, &fd); !s.ok()) {
        close_all();
        return s;
      }
      sockets.push_back({fd, type == SOCK_STREAM});
    }
  }
  std::vector<pollfd> fds;
  for (const Socket& s : sockets) fds.push_back({s.fd, POLLIN, 0});
  char buf[2048];
  while (!stop) {
    if (poll(fds.data(), fds.size(), 200) <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (sockets[i].tcp) {
        int c;
        while ((c = accept4(sockets[i].fd, nullptr, nullptr, SOCK_CLOEXEC)) >= 0) close(c);
        continue;
      }
      sockaddr_storage from{};
      socklen_t len = sizeof(from);
      ssize_t n;
      while ((n = recvfrom(sockets[i].fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len)) >= 0) {
        (void)sendto(sockets[i].fd, buf, n, 0, reinterpret_cast<sockaddr*>(&from), len);
        len = sizeof(from);
      }
    }
  }
  close_all();
  return absl::OkStatus();
}

}  // namespace romana::lab
