// romana-lab: a Romana cluster in network namespaces on this machine (docs/lab.md).
//
//   romana-lab up [--nodes N] [--pods M] [--racks K] [--etcd [--etcd-members 3] [--romanad-replicas 2]]
//                 [--id ID] [--model] ...
//   romana-lab down [--id ID]       (no --id: every lab recorded under --state-dir)
//   romana-lab list
//   romana-lab keep-router --romanad URL --router-netns NS   (started by `up` in the router
//                                                           namespace when racks > 1)
//   romana-lab kube-apiserver --lab-dir D --relay-netns NS   (started by `up --kubernetes`)
//   romana-lab model up|down, policy apply|delete|delete-all, label pod|ns, probe, serve
//                                   (the NetworkPolicy model: model_commands.h)
//
// Flags and dispatch only: the commands are in src/lab/commands.h.
// Exit codes: 0 ok; 1 the lab could not be built (everything it made is removed) or a command
// failed; 2 bad flags or arguments (as every Romana binary); 3 the lab was built but the
// connectivity matrix has failures (removed unless --keep-on-failure), or `probe --expect` differs.
#include <iostream>

#include "CLI/CLI.hpp"
#include "base/flags.h"
#include "base/process_main.h"
#include "lab/commands.h"
#include "model_commands.h"

int main(int argc, char** argv) {
  using namespace romana;
  CLI::App app{"romana-lab: builds a Romana cluster out of network namespaces (romanad, agents, CNI pods)"};
  lab::LabCliConfig config;
  const lab::LabCommands commands = lab::AddLabFlags(app, config);
  lab_cli::ModelCommands model_commands(app, config.state_root);
  if (std::optional<int> exit_code = base::ParseFlags(app, argc, argv)) return *exit_code;
  if (model_commands.parsed()) {
    if (!base::InitLogging("romana-lab", "warn", "text").ok()) return lab::kExitFailure;
    return model_commands.Run();
  }
  const bool serves = commands.keep_router->parsed() || commands.kube_apiserver->parsed();
  if (!base::InitLogging("romana-lab", serves ? "info" : "warn", "text").ok()) return lab::kExitFailure;

  if (commands.kube_apiserver->parsed()) return lab::RunKubeApiServer(config, std::cerr);
  if (commands.keep_router->parsed()) return lab::RunKeepRouter(config, std::cerr);
  if (commands.down->parsed()) return lab::RunDown(config, std::cout, std::cerr);
  if (commands.list->parsed()) return lab::RunList(config, std::cout);
  if (absl::Status s = lab::ValidateUp(config); !s.ok()) {
    std::cerr << "romana-lab up: " << s.message() << "\n";
    return base::kExitUsage;
  }
  return lab::RunUp(config, std::cout, std::cerr);
}
