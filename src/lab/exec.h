// exec.h: the process and namespace plumbing the lab is built from.
//
// Processes start through base/subprocess.h (the one fork/exec). RunCapture runs a command to
// completion with stdout and stderr apart (CNI plugins print their result on stdout and logs on
// stderr). StartDaemon starts a long-running process that outlives the lab command (romanad,
// agents): its own session, output to a log file; the lab records its pid and `down` stops it by
// that pid. InNetns runs a function on a fresh thread that has
// entered a network namespace (sockets it opens belong to that namespace).
// All functions are thread-safe.
#ifndef ROMANA_LAB_EXEC_H_
#define ROMANA_LAB_EXEC_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/subprocess.h"

namespace romana::lab {

using Captured = base::CaptureResult;

// Errors: NotFound when argv[0] cannot be executed; Internal for fork/pipe failures.
absl::StatusOr<Captured> RunCapture(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                                    const std::map<std::string, std::string>& extra_env = {});

// Runs and returns stdout; Internal naming the command and its stderr on a non-zero exit.
absl::StatusOr<std::string> Run(const std::vector<std::string>& argv);

// `ip netns exec <netns> argv...` (argv unchanged when netns is empty).
std::vector<std::string> InNs(const std::string& netns, std::vector<std::string> argv);

// Starts argv detached (setsid, stdin at EOF, stdout+stderr appended to `log_path`).
// Returns its pid. Errors: NotFound when argv[0] cannot be executed; Internal when fork fails.
absl::StatusOr<pid_t> StartDaemon(const std::vector<std::string>& argv, const std::string& log_path);

// True while `pid` runs (reaps it first when it is our exited child).
bool IsAlive(pid_t pid);

// SIGTERM, then SIGKILL after `grace`; waits until it is gone. No-op for pid <= 1.
void StopProcess(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(3));

// Runs `fn` on a new thread inside network namespace `netns` (a name under /var/run/netns) and
// returns its result. Errors: those of entering the namespace.
absl::Status InNetns(const std::string& netns, const std::function<absl::Status()>& fn);

}  // namespace romana::lab

#endif  // ROMANA_LAB_EXEC_H_
