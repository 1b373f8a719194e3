// model_commands.h: the NetworkPolicy model subcommands of romana-lab (docs/lab.md
// "NetworkPolicy model"): model up/down, policy apply/delete/delete-all, label pod/ns, probe and
// serve. Each runs on a lab that `romana-lab up` left running (Lab::Attach).
#ifndef ROMANA_APPS_ROMANA_LAB_MODEL_COMMANDS_H_
#define ROMANA_APPS_ROMANA_LAB_MODEL_COMMANDS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace romana::lab_cli {

class ModelCommands {
 public:
  // Adds the subcommands to `app`; `state_root` is the --state-dir flag's variable.
  ModelCommands(CLI::App& app, const std::string& state_root);
  // True when one of them was given; then Run() executes it and returns the exit code.
  bool parsed() const;
  int Run();

 private:
  int ModelUp();
  int ModelDown();
  int PolicyApply();
  int PolicyDelete();
  int PolicyDeleteAll();
  int Label(bool pod);
  int Probe();
  int Serve();

  const std::string& state_root_;
  std::string id_;
  CLI::App *model_up_, *model_down_, *policy_apply_, *policy_delete_, *policy_delete_all_, *label_pod_, *label_ns_,
      *probe_, *serve_;
  std::vector<std::string> pods_;
  std::string file_, ref_, target_;
  std::vector<std::string> labels_;
  int port_ = 80;
  std::string protocol_ = "tcp";
  std::string expect_;
  int wait_ = 0;
  std::vector<int> serve_ports_;
};

}  // namespace romana::lab_cli

#endif  // ROMANA_APPS_ROMANA_LAB_MODEL_COMMANDS_H_
