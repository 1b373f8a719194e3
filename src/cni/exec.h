// exec.h: runs one CNI plugin binary the way a container runtime does (CNI_* environment, the
// network configuration on stdin, the result or error document on stdout), optionally inside a
// given network namespace (the "host" the runtime runs in). Used by the conflist runner, the
// plugin's integration tests, the benchmark and the lab.
//
// The plugin starts through base::RunCapture (the project's one fork/exec). Thread-safe:
// ExecPlugin may be called from several threads (each call uses only its thread's netns and its
// own pipes). Feeding stdin sets SIGPIPE to ignored in the calling process, so a plugin that exits
// without reading stdin cannot kill the caller.
#ifndef ROMANA_CNI_EXEC_H_
#define ROMANA_CNI_EXEC_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "cni/spec.h"
#include "nlohmann/json.hpp"

namespace romana::cni {

struct ExecOptions {
  std::string binary;                      // path of the plugin executable
  std::map<std::string, std::string> env;  // CNI_* variables (PATH is added from the caller)
  std::string stdin_data;                  // the network configuration
  std::string netns;                       // run the plugin in this netns ("" = the caller's)
  std::chrono::milliseconds timeout{60000};  // SIGKILL after this
};

struct ExecResult {
  int exit_code = -1;  // 128+signal when killed
  std::string stdout_data;
  std::string stderr_data;
  // When exit_code != 0 and stdout holds a CNI error document: the error.
  std::optional<CniError> error;
  // Parsed stdout when it is JSON (the result of ADD, VERSION), else null.
  nlohmann::json output;
};

// Errors: NotFound when the netns or binary does not exist; Internal when fork/pipe fails;
// DeadlineExceeded when the plugin runs past the timeout (it is killed). A plugin that runs and
// fails is NOT an error here: look at exit_code / error.
absl::StatusOr<ExecResult> ExecPlugin(const ExecOptions& options);

// "ADD failed: [11] romanad ... is not available: details" for logs and test messages.
std::string Describe(const ExecResult& result);

}  // namespace romana::cni

#endif  // ROMANA_CNI_EXEC_H_
