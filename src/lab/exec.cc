#include "lab/exec.h"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "netlink/netns.h"

namespace romana::lab {

absl::StatusOr<Captured> RunCapture(const std::vector<std::string>& argv, const std::string& stdin_data,
                                    const std::map<std::string, std::string>& extra_env) {
  return base::RunCapture({.argv = argv, .env = extra_env, .stdin_data = stdin_data});
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

absl::StatusOr<pid_t> StartDaemon(const std::vector<std::string>& argv, const std::string& log_path) {
  absl::StatusOr<std::unique_ptr<base::Subprocess>> p =
      base::Subprocess::Start({.argv = argv, .output_path = log_path, .new_session = true});
  if (!p.ok()) return p.status();
  return (*p)->Release();
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
