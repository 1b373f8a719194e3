// subprocess.h: start, signal and reap a child process.
//
// Used by the lab and by test harnesses that run real neighbours (etcd, moto_server, romanad).
// A Subprocess owns its child: the destructor sends SIGKILL and reaps it if it still runs, so a
// failing test never leaves a server behind. Not thread-safe; use from one thread.
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

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  bool TryReap(bool block);

  pid_t pid_;
  std::optional<int> exit_code_;
};

// Runs a command to completion and returns its exit code and combined output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::string& stdin_data = "");

}  // namespace romana::base

#endif  // ROMANA_BASE_SUBPROCESS_H_
