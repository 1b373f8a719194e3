#include "cni/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"
#include "netlink/netns.h"

namespace romana::cni {
namespace {

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

}  // namespace

absl::StatusOr<ExecResult> ExecPlugin(const ExecOptions& options) {
  if (access(options.binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("plugin binary ", options.binary, " is not executable: ", strerror(errno)));
  }
  // Prepare everything the child needs before fork (only async-signal-safe calls after it).
  std::vector<std::string> env_strings;
  if (const char* path = getenv("PATH")) env_strings.push_back(absl::StrCat("PATH=", path));
  for (const char* keep : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TMPDIR"}) {
    if (const char* v = getenv(keep)) env_strings.push_back(absl::StrCat(keep, "=", v));
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string binary = options.binary;
  char* argv[] = {binary.data(), nullptr};

  std::unique_ptr<netlink::ScopedNetnsEntry> in_netns;  // the child inherits this thread's netns
  if (!options.netns.empty()) {
    auto entered = netlink::ScopedNetnsEntry::Enter(options.netns);
    if (!entered.ok()) return entered.status();
    in_netns = *std::move(entered);
  }
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) return Errno("pipe");
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]), close(in[1]);
    return Errno("pipe");
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(in[0]), close(in[1]), close(out[0]), close(out[1]);
    return Errno("pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    return Errno("fork");
  }
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execve(argv[0], argv, envp.data());
    _exit(127);
  }
  in_netns.reset();
  close(in[0]);
  close(out[1]);
  close(err[1]);
  signal(SIGPIPE, SIG_IGN);

  ExecResult result;
  size_t written = 0;
  int stdin_fd = in[1];
  if (options.stdin_data.empty()) {
    close(stdin_fd);
    stdin_fd = -1;
  } else {
    fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
  }
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  int open_outputs = 2;
  bool timed_out = false;
  char buf[65536];
  while (open_outputs > 0 || stdin_fd >= 0) {
    pollfd fds[3];
    int n = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out[0] >= 0) fds[out_i = n++] = {out[0], POLLIN, 0};
    if (err[0] >= 0) fds[err_i = n++] = {err[0], POLLIN, 0};
    if (stdin_fd >= 0) fds[in_i = n++] = {stdin_fd, POLLOUT, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int r = poll(fds, n, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    auto drain = [&](int idx, int& fd, std::string& sink) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t got = read(fd, buf, sizeof(buf));
      if (got > 0) {
        sink.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        close(fd);
        fd = -1;
        --open_outputs;
      }
    };
    drain(out_i, out[0], result.stdout_data);
    drain(err_i, err[0], result.stderr_data);
    if (in_i >= 0 && (fds[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = write(stdin_fd, options.stdin_data.data() + written, options.stdin_data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = options.stdin_data.size();
      if (written >= options.stdin_data.size()) {
        close(stdin_fd);
        stdin_fd = -1;
      }
    }
  }
  for (int fd : {out[0], err[0], stdin_fd}) {
    if (fd >= 0) close(fd);
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return absl::DeadlineExceededError(absl::StrCat(options.binary, " ran longer than ", options.timeout.count(), " ms"));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.output = nlohmann::json::parse(result.stdout_data, nullptr, false);
  if (result.output.is_discarded()) result.output = nullptr;
  if (result.exit_code != 0 && result.output.is_object() && result.output.contains("code") &&
      result.output["code"].is_number_integer()) {
    CniError e;
    e.code = result.output["code"].get<int>();
    if (result.output.contains("msg") && result.output["msg"].is_string()) e.msg = result.output["msg"];
    if (result.output.contains("details") && result.output["details"].is_string()) e.details = result.output["details"];
    result.error = e;
  }
  return result;
}

std::string Describe(const ExecResult& r) {
  if (r.exit_code == 0) return "ok";
  if (r.error) return absl::StrCat("[", r.error->code, "] ", r.error->msg, r.error->details.empty() ? "" : ": ", r.error->details);
  return absl::StrCat("exit ", r.exit_code, ", stdout: ", r.stdout_data, ", stderr: ", r.stderr_data);
}

}  // namespace romana::cni
