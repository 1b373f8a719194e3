// kubectl_runner.h (tests only): the real kubectl pointed at one lab API server through a
// kubeconfig and cache directory of its own, for the kubectl tests of this module.
#ifndef ROMANA_KUBE_APISERVER_KUBECTL_RUNNER_H_
#define ROMANA_KUBE_APISERVER_KUBECTL_RUNNER_H_

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "base/subprocess.h"
#include "gtest/gtest.h"

namespace romana::kube_apiserver::testing {

inline constexpr char kKubectl[] = "/usr/bin/kubectl";

class KubectlRunner {
 public:
  // Writes `dir`/kubeconfig for `server_url`. `cluster_extra`: more lines of the cluster entry
  // (e.g. its CA); `user`: the user entry.
  KubectlRunner(const std::string& dir, const std::string& server_url, const std::string& cluster_extra = "",
                const std::string& user = "  user: {}\n")
      : dir_(dir) {
    std::ofstream(dir_ + "/kubeconfig") << "apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster:\n"
                                        << "    server: " << server_url << "\n" << cluster_extra
                                        << "users:\n- name: lab\n" << user
                                        << "contexts:\n- name: lab\n  context:\n"
                                        << "    cluster: lab\n    user: lab\ncurrent-context: lab\n";
  }

  // kubectl's argv for `args`.
  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {kKubectl, "--kubeconfig=" + dir_ + "/kubeconfig", "--cache-dir=" + dir_ + "/cache"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // Runs kubectl; returns its output, failing the test when it exits non-zero.
  std::string Run(const std::vector<std::string>& args, const std::string& stdin_data = "") const {
    absl::StatusOr<base::CommandResult> r = base::RunCommand(Argv(args), stdin_data);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << "kubectl " << absl::StrJoin(args, " ") << ":\n" << r->output;
    return r->output;
  }

 private:
  std::string dir_;
};

}  // namespace romana::kube_apiserver::testing

#endif  // ROMANA_KUBE_APISERVER_KUBECTL_RUNNER_H_
