// kubectl.h: the real kubectl as the client of a lab in Kubernetes mode (tests/e2e).
#ifndef ROMANA_TESTS_E2E_KUBECTL_H_
#define ROMANA_TESTS_E2E_KUBECTL_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "base/subprocess.h"
#include "gtest/gtest.h"
#include "lab/lab.h"

namespace romana::lab {

inline constexpr char kKubectl[] = "/usr/bin/kubectl";

// Runs kubectl with `lab`'s kubeconfig and its discovery cache under `cache_dir`; fails the
// current test when kubectl cannot run or exits non-zero. Returns what it printed.
inline std::string RunKubectl(const Lab& lab, const std::filesystem::path& cache_dir,
                              const std::vector<std::string>& args, const std::string& stdin_data = "") {
  std::vector<std::string> argv = {kKubectl, "--kubeconfig=" + lab.Kubeconfig(), "--cache-dir=" + cache_dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv, stdin_data);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return "";
  EXPECT_EQ(r->exit_code, 0) << "kubectl " << absl::StrJoin(args, " ") << ":\n" << r->output;
  return r->output;
}

}  // namespace romana::lab

#endif  // ROMANA_TESTS_E2E_KUBECTL_H_
