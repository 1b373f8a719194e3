// commands.h: romana-lab's commands up, down, list, keep-router and kube-apiserver (docs/lab.md):
// their flags as a struct (AddLabFlags), the checks of `up`'s flags, and what each command runs,
// returning the exit code. apps/romana-lab parses the flags and calls the chosen Run*(); the
// NetworkPolicy model's commands are apps/romana-lab/model_commands.h.
// Thread-compatible; the Run* functions are for main()'s thread (they set up signal handling).
#ifndef ROMANA_LAB_COMMANDS_H_
#define ROMANA_LAB_COMMANDS_H_

#include <ostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "lab/kubernetes.h"
#include "lab/lab.h"
#include "lab/router.h"

namespace romana::lab {

// Exit codes of romana-lab (docs/lab.md); bad flags or arguments exit with base::kExitUsage (2),
// as in every Romana binary.
inline constexpr int kExitFailure = 1;        // the lab could not be built (it was removed), or a command failed
inline constexpr int kExitMatrixFailed = 3;  // the lab was built but the connectivity matrix has failures

// One field per flag, with the flag's default.
struct LabCliConfig {
  std::string state_root = "/run/romana-lab";  // --state-dir (before the command)
  // up
  LabOptions up;  // its state_root, timeout, progress and (when empty) shape.id: UpOptionsFrom()
  int timeout_seconds = 60;
  bool no_probe = false, keep_on_failure = false, model = false;
  // down
  std::string down_id;  // "" = every lab
  // keep-router
  RouterKeeperOptions keeper;  // its interval: interval_ms
  int interval_ms = 1000;
  // kube-apiserver
  KubeApiServeOptions kube_api;
};

// The subcommands AddLabFlags adds (owned by the app); parsed() tells which one was given.
struct LabCommands {
  CLI::App* up;
  CLI::App* down;
  CLI::App* list;
  CLI::App* keep_router;
  CLI::App* kube_apiserver;
};

// Adds --state-dir and the five commands with their flags to `app`, in --help order. `config`
// must outlive the parse.
LabCommands AddLabFlags(CLI::App& app, LabCliConfig& config);

// `up`'s LabOptions: --state-dir, --timeout, progress lines "[lab] ..." on `out`, and the lab id
// "l<pid % 100000>" when --id is not given (chosen here, so a signal knows what to remove).
// `out` must outlive the result.
LabOptions UpOptionsFrom(const LabCliConfig& config, int pid, std::ostream& out);

// The checks of `up`'s flags that need no I/O (ValidateLabOptions). InvalidArgument naming the
// flag.
absl::Status ValidateUp(const LabCliConfig& config);

// The keeper's options: its flags and --interval-ms.
RouterKeeperOptions KeeperOptionsFrom(const LabCliConfig& config);

// `up`: builds the lab (Ctrl-C/SIGTERM while it builds removes everything: the signal starts
// `romana-lab down --id` once this process has exited), prints the cluster and the connectivity
// matrix, creates the NetworkPolicy model with --model, and leaves the lab running. Returns 0,
// kExitFailure (nothing left behind) or kExitMatrixFailed (lab removed unless --keep-on-failure).
// REQUIRES: called from main() before any other thread starts.
int RunUp(const LabCliConfig& config, std::ostream& out, std::ostream& err);
// `down`: removes the lab --id, or every lab under --state-dir. 0 or kExitFailure.
int RunDown(const LabCliConfig& config, std::ostream& out, std::ostream& err);
// `list`: the ids of the labs under --state-dir, one a line. 0.
int RunList(const LabCliConfig& config, std::ostream& out);
// `keep-router` and `kube-apiserver`: run until SIGTERM/SIGINT. 0 or kExitFailure.
// REQUIRES: called from main() before any other thread starts.
int RunKeepRouter(const LabCliConfig& config, std::ostream& err);
int RunKubeApiServer(const LabCliConfig& config, std::ostream& err);

}  // namespace romana::lab

#endif  // ROMANA_LAB_COMMANDS_H_
