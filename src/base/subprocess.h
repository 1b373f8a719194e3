// subprocess.h: the project's one way to start a child process (fork/exec): start, signal and
// reap a long-running child (Subprocess), or run a command to completion and capture its output
// (RunCapture, RunCommand).
//
// Used by the lab, the CNI conflist runner and by test harnesses that run real neighbours (etcd,
// moto_server, romanad). A Subprocess owns its child: the destructor sends SIGKILL and reaps it if
// it still runs, so a failing test never leaves a server behind, unless Release() gave the child
// up (the lab's daemons outlive the lab command). A child starts in the network namespace of the
// calling thread. Feeding stdin sets SIGPIPE to ignored in the calling process, so a child that
// exits without reading cannot kill the caller. A Subprocess is not thread-safe (use it from one
// thread); RunCapture and RunCommand may be called from any thread.
#ifndef ROMANA_BASE_SUBPROCESS_H_
#define ROMANA_BASE_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace romana::base {

struct SubprocessOptions {
  std::vector<std::string> argv;                  // REQUIRES: non-empty; argv[0] is looked up in PATH.
  std::map<std::string, std::string> extra_env;   // Added to (or replacing in) the parent's environment.
  std::string output_path;                        // stdout+stderr appended here; empty = inherit.
  std::string stdin_data;                         // Written to the child's stdin, which is then closed.
  // A daemon that outlives the caller: its own session (setsid) instead of its own process group,
  // an empty signal mask and the default SIGPIPE action.
  bool new_session = false;
};

class Subprocess {
 public:
  // Forks and execs. Errors: Internal when fork/pipe fails, NotFound when argv[0] cannot be executed.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(const SubprocessOptions& options);

  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // True until the child has been reaped.
  bool Running();
  // Sends `signal` to the child (no-op once reaped).
  void Signal(int signal);
  // Waits up to `timeout` for the child to exit. Returns its exit code (128+signal when killed),
  // or DeadlineExceeded when it still runs.
  absl::StatusOr<int> Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; returns the exit code.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Gives the child up: the destructor leaves it running (and unreaped). Returns its pid.
  pid_t Release();

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  bool TryReap(bool block);

  pid_t pid_;
  std::optional<int> exit_code_;
};

// Runs a command to completion with stdout and stderr captured apart (a CNI plugin prints its
// result on stdout and its logs on stderr).
struct CaptureOptions {
  std::vector<std::string> argv;             // REQUIRES: non-empty; argv[0] is looked up in PATH.
  std::map<std::string, std::string> env;    // Added to (or replacing in) the parent's environment.
  bool inherit_env = true;                   // false: the child's environment is `env` only.
  std::string stdin_data;                    // Written to the child's stdin, which is then closed.
  std::chrono::milliseconds timeout{0};      // > 0: the child is killed after this long.
};
struct CaptureResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
};
// Errors: NotFound when argv[0] cannot be executed; Internal when pipe/fork fails;
// DeadlineExceeded when the child ran past `timeout` (it has been killed and reaped). A child that
// runs and fails is not an error: look at exit_code.
absl::StatusOr<CaptureResult> RunCapture(const CaptureOptions& options);

// Runs a command to completion and returns its exit code and combined output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::string& stdin_data = "");

}  // namespace romana::base

#endif  // ROMANA_BASE_SUBPROCESS_H_
