#include "http_server/testing/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/numbers.h"

namespace romana::http_server::testing {

RawClient::RawClient(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  timeval tv{10, 0};  // no test waits longer for a byte
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

RawClient::~RawClient() {
  if (fd_ >= 0) close(fd_);
}

bool RawClient::Send(const std::string& s) {
  return send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
}

void RawClient::Close() {
  close(fd_);
  fd_ = -1;
}

RawClient::Answer RawClient::ReadHead() {
  Answer a;
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return a;
  }
  a.head = buf_.substr(0, end + 4);
  buf_.erase(0, end + 4);
  if (a.head.size() < 12 || !absl::SimpleAtoi(a.head.substr(9, 3), &a.status)) a.status = -1;
  return a;
}

RawClient::Answer RawClient::Read() {
  Answer a = ReadHead();
  if (a.status < 0) return a;
  size_t length = 0;
  if (size_t p = a.head.find("Content-Length: "); p != std::string::npos) {
    (void)absl::SimpleAtoi(a.head.substr(p + 16, a.head.find("\r\n", p) - p - 16), &length);
  }
  while (buf_.size() < length) {
    if (!Fill()) {
      a.status = -1;
      return a;
    }
  }
  a.body = buf_.substr(0, length);
  buf_.erase(0, length);
  return a;
}

bool RawClient::ReadUntil(const std::string& needle) {
  while (true) {
    if (size_t p = buf_.find(needle); p != std::string::npos) {
      buf_.erase(0, p + needle.size());
      return true;
    }
    if (!Fill()) return false;
  }
}

bool RawClient::ReadToEnd(std::string& out) {
  while (true) {
    char b[4096];
    ssize_t n = recv(fd_, b, sizeof(b), 0);
    if (n == 0) {
      out = std::move(buf_);
      return true;
    }
    if (n < 0) return false;
    buf_.append(b, static_cast<size_t>(n));
  }
}

bool RawClient::ClosedSilently() {
  char b[256];
  ssize_t n = recv(fd_, b, sizeof(b), 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

bool RawClient::Fill() {
  char b[4096];
  ssize_t n = recv(fd_, b, sizeof(b), 0);
  if (n <= 0) return false;
  buf_.append(b, static_cast<size_t>(n));
  return true;
}

}  // namespace romana::http_server::testing
