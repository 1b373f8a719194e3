#include "cni/exec.h"

#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "base/subprocess.h"
#include "netlink/netns.h"

namespace romana::cni {

absl::StatusOr<ExecResult> ExecPlugin(const ExecOptions& options) {
  if (access(options.binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("plugin binary ", options.binary, " is not executable: ", strerror(errno)));
  }
  // A runtime gives a plugin the CNI_* variables and PATH; the sanitizer settings and TMPDIR pass
  // through so that instrumented test builds behave.
  std::map<std::string, std::string> env = options.env;
  for (const char* keep : {"PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TMPDIR"}) {
    if (const char* v = getenv(keep)) env[keep] = v;
  }
  std::unique_ptr<netlink::ScopedNetnsEntry> in_netns;  // the child inherits this thread's netns
  if (!options.netns.empty()) {
    auto entered = netlink::ScopedNetnsEntry::Enter(options.netns);
    if (!entered.ok()) return entered.status();
    in_netns = *std::move(entered);
  }
  absl::StatusOr<base::CaptureResult> run = base::RunCapture({.argv = {options.binary},
                                                              .env = std::move(env),
                                                              .inherit_env = false,
                                                              .stdin_data = options.stdin_data,
                                                              .timeout = options.timeout});
  in_netns.reset();
  if (!run.ok()) return run.status();
  ExecResult result;
  result.exit_code = run->exit_code;
  result.stdout_data = std::move(run->out);
  result.stderr_data = std::move(run->err);
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
