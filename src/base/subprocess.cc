#include "base/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

}  // namespace

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(const SubprocessOptions& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("subprocess: argv is empty");

  // Build argv/envp before fork: the child only calls async-signal-safe functions.
  std::vector<char*> argv;
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    if (!options.extra_env.contains(key)) env_strings.push_back(std::move(entry));
  }
  for (const auto& [k, v] : options.extra_env) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

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
    setpgid(0, 0);  // own process group, so a terminal's Ctrl-C reaches the parent first
    dup2(in_pipe[0], 0);
    if (out_fd >= 0) {
      dup2(out_fd, 1);
      dup2(out_fd, 2);
    }
    execvpe(argv[0], argv.data(), envp.data());
    int err = errno;
    (void)!write(exec_pipe[1], &err, sizeof(err));
    _exit(127);
  }
  close(in_pipe[0]);
  close(exec_pipe[1]);
  if (out_fd >= 0) close(out_fd);

  int child_errno = 0;
  ssize_t n;
  do {
    n = read(exec_pipe[0], &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);
  if (n == sizeof(child_errno)) {
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

int Subprocess::Stop(std::chrono::milliseconds grace) {
  Signal(SIGTERM);
  if (absl::StatusOr<int> code = Wait(grace); code.ok()) return *code;
  Signal(SIGKILL);
  TryReap(/*block=*/true);
  return *exit_code_;
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
