// kubectl_runner.h (tests only): the real kubectl pointed at a lab API server through a kubeconfig
// and a discovery cache directory: RunKubectl for a kubeconfig that exists (the lab's, in
// tests/e2e), KubectlRunner for a server of this module's tests (it writes the kubeconfig).
#ifndef ROMANA_KUBE_APISERVER_KUBECTL_RUNNER_H_
#define ROMANA_KUBE_APISERVER_KUBECTL_RUNNER_H_

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "base/subprocess.h"
#include "gtest/gtest.h"
#include "k8s/kube_config.h"

namespace romana::kube_apiserver::testing {

inline constexpr char kKubectl[] = "/usr/bin/kubectl";

// kubectl's argv for `args`, with `kubeconfig` and its discovery cache in `cache_dir`.
inline std::vector<std::string> KubectlArgv(const std::string& kubeconfig, const std::string& cache_dir,
                                            const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kKubectl, "--kubeconfig=" + kubeconfig, "--cache-dir=" + cache_dir};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// Runs kubectl (KubectlArgv) with `stdin_data` on its stdin; returns what it printed, failing
// the current test when kubectl cannot run or exits non-zero.
inline std::string RunKubectl(const std::string& kubeconfig, const std::string& cache_dir,
                              const std::vector<std::string>& args, const std::string& stdin_data = "") {
  absl::StatusOr<base::CommandResult> r = base::RunCommand(KubectlArgv(kubeconfig, cache_dir, args), stdin_data);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return "";
  EXPECT_EQ(r->exit_code, 0) << "kubectl " << absl::StrJoin(args, " ") << ":\n" << r->output;
  return r->output;
}

class KubectlRunner {
 public:
  // Writes `dir`/kubeconfig for `server_url`, with the server's CA file and a bearer token when
  // they are set.
  KubectlRunner(const std::string& dir, const std::string& server_url, const std::string& ca_file = "",
                const std::string& token = "")
      : dir_(dir) {
    std::ofstream(dir_ + "/kubeconfig")
        << k8s::KubeconfigText({.name = "lab", .server = server_url, .ca_file = ca_file, .token = token});
  }

  // kubectl's argv for `args`.
  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    return KubectlArgv(dir_ + "/kubeconfig", dir_ + "/cache", args);
  }

  // Runs kubectl; returns its output, failing the test when it exits non-zero.
  std::string Run(const std::vector<std::string>& args, const std::string& stdin_data = "") const {
    return RunKubectl(dir_ + "/kubeconfig", dir_ + "/cache", args, stdin_data);
  }

 private:
  std::string dir_;
};

}  // namespace romana::kube_apiserver::testing

#endif  // ROMANA_KUBE_APISERVER_KUBECTL_RUNNER_H_
