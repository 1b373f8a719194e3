#include "lab/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "netlink/netns.h"

extern char** environ;

namespace romana::lab {
namespace {

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    if (!extra.contains(key)) env.push_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(absl::StrCat(k, "=", v));
  return env;
}

}  // namespace

absl::StatusOr<Captured> RunCapture(const std::vector<std::string>& argv_in, const std::string& stdin_data,
                                    const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> argv = argv_in;
  std::vector<std::string> env = Environment(extra_env);
  std::vector<char*> cargv = CStrings(argv), cenv = CStrings(env);
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execvpe(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  // Write stdin (small: configs) then close; read both outputs with poll.
  size_t done = 0;
  while (done < stdin_data.size()) {
    ssize_t n = write(in[1], stdin_data.data() + done, stdin_data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(in[1]);
  Captured c;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[8192];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        (i == 0 ? c.out : c.err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (c.exit_code == 127 && c.out.empty() && c.err.empty()) {
    return absl::NotFoundError(absl::StrCat("cannot execute ", argv_in[0]));
  }
  return c;
}

absl::StatusOr<std::string> Run(const std::vector<std::string>& argv) {
  absl::StatusOr<Captured> c = RunCapture(argv);
  if (!c.ok()) return c.status();
  if (c->exit_code != 0) {
    return absl::InternalError(absl::StrCat("`", absl::StrJoin(argv, " "), "` exited ", c->exit_code, ": ",
                                            c->err.empty() ? c->out : c->err));
  }
  return c->out;
}

std::vector<std::string> InNs(const std::string& netns, std::vector<std::string> argv) {
  if (netns.empty()) return argv;
  std::vector<std::string> out = {"ip", "netns", "exec", netns};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

absl::StatusOr<pid_t> StartDaemon(const std::vector<std::string>& argv_in, const std::string& log_path) {
  std::vector<std::string> argv = argv_in;
  std::vector<char*> cargv = CStrings(argv);
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return absl::InternalError(absl::StrCat("cannot open ", log_path, ": ", std::strerror(errno)));
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = fork();
  if (pid < 0) {
    close(log);
    close(devnull);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // the lab may block signals; daemons must not
    signal(SIGPIPE, SIG_DFL);
    dup2(devnull, 0);
    dup2(log, 1);
    dup2(log, 2);
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  close(log);
  close(devnull);
  return pid;
}

bool IsAlive(pid_t pid) {
  if (pid <= 1) return false;
  int status;
  pid_t r = waitpid(pid, &status, WNOHANG);
  if (r == pid) return false;  // our child, now reaped
  return kill(pid, 0) == 0 || errno == EPERM;
}

void StopProcess(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 1 || !IsAlive(pid)) return;
  kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (IsAlive(pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (IsAlive(pid)) {
    kill(pid, SIGKILL);
    for (int i = 0; i < 500 && IsAlive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

absl::Status InNetns(const std::string& netns, const std::function<absl::Status()>& fn) {
  absl::Status result;
  std::thread t([&] {
    absl::StatusOr<std::unique_ptr<netlink::ScopedNetnsEntry>> in = netlink::ScopedNetnsEntry::Enter(netns);
    if (!in.ok()) {
      result = in.status();
      return;
    }
    result = fn();
  });
  t.join();
  return result;
}

}  // namespace romana::lab
