#include "lab/testing/test_lab_options.h"

#include <iostream>

#include "base/testing/test_env.h"

namespace romana::lab::testing {

LabOptions TestLabOptions(const std::string& id_prefix, const std::string& state_root) {
  LabOptions o;
  o.shape.id = romana::testing::UniqueName(id_prefix);
  o.state_root = state_root;
  const std::string bin = romana::testing::BinaryDir().string();
  o.romanad_bin = bin + "/apps/romanad/romanad";
  o.agent_bin = bin + "/apps/romana-agent/romana-agent";
  o.cni_bin = bin + "/apps/romana-cni/romana-cni";
  o.lab_bin = bin + "/apps/romana-lab/romana-lab";
  o.listener_bin = bin + "/apps/romana-listener/romana-listener";
  o.agent_resync_seconds = 2;
  o.timeout = std::chrono::seconds(60);
  o.progress = [](const std::string& line) { std::cerr << "[lab] " << line << "\n"; };
  return o;
}

}  // namespace romana::lab::testing
