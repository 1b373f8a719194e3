#include "base/testing/test_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace romana::testing {

TempDir::TempDir() {
  const char* tmp = getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/romana-test-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot bind a loopback port");
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

std::filesystem::path SourceDir() { return ROMANA_SOURCE_DIR; }
std::filesystem::path BinaryDir() { return ROMANA_BINARY_DIR; }

std::filesystem::path SharedTestdata(const std::string& sub) {
  std::filesystem::path p = SourceDir().parent_path() / "shared" / "testdata" / sub;
  return std::filesystem::is_directory(p) ? p : std::filesystem::path();
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsRoot() { return geteuid() == 0; }

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + std::to_string(getpid() % 100000) + std::to_string(n++);
}

bool InCi() {
  for (const char* name : {"CI", "ROMANA_CI"}) {
    const char* v = getenv(name);
    if (v == nullptr) continue;
    const std::string value(v);
    if (!value.empty() && value != "0" && value != "false") return true;
  }
  return false;
}

}  // namespace romana::testing
