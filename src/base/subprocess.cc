#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <thread>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace romana::base {
namespace {

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// "KEY=value" strings for execvpe: the parent's environment (when `inherit`) with `extra` added
// or replacing.
std::vector<std::string> Environment(const std::map<std::string, std::string>& extra, bool inherit) {
  std::vector<std::string> env;
  for (char** e = inherit ? environ : nullptr; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    if (!extra.contains(key)) env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : extra) env.push_back(absl::StrCat(k, "=", v));
  return env;
}

// The NULL-terminated char* array of `strings` (which must outlive it).
std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// In the child after fork: exec, or report errno on `exec_err_fd` and exit 127.
[[noreturn]] void ExecOrReport(std::vector<char*>& argv, std::vector<char*>& envp, int exec_err_fd) {
  execvpe(argv[0], argv.data(), envp.data());
  int err = errno;
  (void)!write(exec_err_fd, &err, sizeof(err));
  _exit(127);
}

// In the parent: the child's exec errno, or 0 once exec succeeded (the CLOEXEC pipe closed).
int ExecErrno(int exec_err_fd) {
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(exec_err_fd, &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  close(exec_err_fd);
  return n == sizeof(child_errno) ? child_errno : 0;
}

void CloseAll(std::initializer_list<int> fds) {
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(const SubprocessOptions& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("subprocess: argv is empty");

  // Build argv/envp before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> argv_strings = options.argv;
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<std::string> env_strings = Environment(options.extra_env, /*inherit=*/true);
  std::vector<char*> envp = CStrings(env_strings);

  int in_pipe[2];
  int exec_pipe[2];  // closed on successful exec; carries errno otherwise
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(exec_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  int out_fd = -1;
  if (!options.output_path.empty()) {
    out_fd = open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      return absl::InternalError(absl::StrCat("open ", options.output_path, ": ", std::strerror(errno)));
    }
  }

  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    if (options.new_session) {
      setsid();
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);  // the caller may block signals; a daemon must not
      signal(SIGPIPE, SIG_DFL);
    } else {
      setpgid(0, 0);  // own process group, so a terminal's Ctrl-C reaches the parent first
    }
    dup2(in_pipe[0], 0);
    if (out_fd >= 0) {
      dup2(out_fd, 1);
      dup2(out_fd, 2);
    }
    ExecOrReport(argv, envp, exec_pipe[1]);
  }
  close(in_pipe[0]);
  close(exec_pipe[1]);
  if (out_fd >= 0) close(out_fd);

  if (int child_errno = ExecErrno(exec_pipe[0]); child_errno != 0) {
    close(in_pipe[1]);
    waitpid(pid, nullptr, 0);
    return absl::NotFoundError(
        absl::StrCat("cannot execute ", options.argv[0], ": ", std::strerror(child_errno)));
  }
  if (!options.stdin_data.empty()) {
    signal(SIGPIPE, SIG_IGN);
    size_t off = 0;
    while (off < options.stdin_data.size()) {
      ssize_t w = write(in_pipe[1], options.stdin_data.data() + off, options.stdin_data.size() - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
  }
  close(in_pipe[1]);
  return std::unique_ptr<Subprocess>(new Subprocess(pid));
}

Subprocess::~Subprocess() {
  if (!exit_code_.has_value()) {
    kill(pid_, SIGKILL);
    TryReap(/*block=*/true);
  }
}

bool Subprocess::TryReap(bool block) {
  if (exit_code_.has_value()) return true;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exit_code_ = ExitCodeOf(status);
    return true;
  }
  return false;
}

bool Subprocess::Running() { return !TryReap(/*block=*/false); }

void Subprocess::Signal(int signal) {
  if (!exit_code_.has_value()) kill(pid_, signal);
}

absl::StatusOr<int> Subprocess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Polling waitpid is the portable way to wait with a timeout for one specific child.
  auto pause = std::chrono::milliseconds(1);
  while (!TryReap(/*block=*/false)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("process ", pid_, " still running"));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return *exit_code_;
}

pid_t Subprocess::Release() {
  exit_code_ = -1;  // the destructor treats the child as gone
  return pid_;
}

int Subprocess::Stop(std::chrono::milliseconds grace) {
  Signal(SIGTERM);
  if (absl::StatusOr<int> code = Wait(grace); code.ok()) return *code;
  Signal(SIGKILL);
  TryReap(/*block=*/true);
  return *exit_code_;
}

absl::StatusOr<CaptureResult> RunCapture(const CaptureOptions& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("subprocess: argv is empty");
  std::vector<std::string> argv_strings = options.argv;
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<std::string> env_strings = Environment(options.env, options.inherit_env);
  std::vector<char*> envp = CStrings(env_strings);

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
      pipe2(exec_pipe, O_CLOEXEC) != 0) {
    const int e = errno;
    CloseAll({in[0], in[1], out[0], out[1], err[0], err[1], exec_pipe[0], exec_pipe[1]});
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(e)));
  }
  pid_t pid = fork();
  if (pid < 0) {
    const int e = errno;
    CloseAll({in[0], in[1], out[0], out[1], err[0], err[1], exec_pipe[0], exec_pipe[1]});
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(e)));
  }
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    ExecOrReport(argv, envp, exec_pipe[1]);
  }
  CloseAll({in[0], out[1], err[1], exec_pipe[1]});
  if (int child_errno = ExecErrno(exec_pipe[0]); child_errno != 0) {
    CloseAll({in[1], out[0], err[0]});
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return absl::NotFoundError(absl::StrCat("cannot execute ", options.argv[0], ": ", std::strerror(child_errno)));
  }

  // Feed stdin and drain stdout/stderr together, so that neither side can block the other.
  CaptureResult result;
  int stdin_fd = in[1];
  size_t written = 0;
  if (options.stdin_data.empty()) {
    close(stdin_fd);
    stdin_fd = -1;
  } else {
    signal(SIGPIPE, SIG_IGN);
    fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
  }
  const bool has_deadline = options.timeout.count() > 0;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool timed_out = false;
  char buf[65536];
  while (out[0] >= 0 || err[0] >= 0 || stdin_fd >= 0) {
    pollfd fds[3];
    int n = 0, out_i = -1, err_i = -1, in_i = -1;
    if (out[0] >= 0) fds[out_i = n++] = {out[0], POLLIN, 0};
    if (err[0] >= 0) fds[err_i = n++] = {err[0], POLLIN, 0};
    if (stdin_fd >= 0) fds[in_i = n++] = {stdin_fd, POLLOUT, 0};
    int wait_ms = -1;
    if (has_deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    const int r = poll(fds, n, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    auto drain = [&](int idx, int& fd, std::string& sink) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      const ssize_t got = read(fd, buf, sizeof(buf));
      if (got > 0) {
        sink.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fd);
        fd = -1;
      }
    };
    drain(out_i, out[0], result.out);
    drain(err_i, err[0], result.err);
    if (in_i >= 0 && (fds[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w = write(stdin_fd, options.stdin_data.data() + written, options.stdin_data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = options.stdin_data.size();  // reader gone
      if (written >= options.stdin_data.size()) {
        close(stdin_fd);
        stdin_fd = -1;
      }
    }
  }
  CloseAll({out[0], err[0], stdin_fd});
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat(options.argv[0], " ran longer than ", options.timeout.count(), " ms"));
  }
  result.exit_code = ExitCodeOf(status);
  return result;
}

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::string& stdin_data) {
  char path[] = "/tmp/romana-cmd-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return absl::InternalError(absl::StrCat("mkstemp: ", std::strerror(errno)));
  close(fd);
  absl::StatusOr<std::unique_ptr<Subprocess>> proc =
      Subprocess::Start({.argv = argv, .output_path = path, .stdin_data = stdin_data});
  if (!proc.ok()) {
    unlink(path);
    return proc.status();
  }
  CommandResult result;
  result.exit_code = (*proc)->Wait(std::chrono::hours(24)).value_or(-1);
  if (FILE* f = fopen(path, "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) result.output.append(buf, n);
    fclose(f);
  }
  unlink(path);
  return result;
}

}  // namespace romana::base
