// test_lab_options.h: the LabOptions every lab test starts from.
#ifndef ROMANA_LAB_TESTING_TEST_LAB_OPTIONS_H_
#define ROMANA_LAB_TESTING_TEST_LAB_OPTIONS_H_

#include <string>

#include "lab/lab.h"

namespace romana::lab::testing {

// Options for a lab run from this build tree: the binaries this build made (romanad, the agent,
// the CNI plugin, romana-lab, romana-listener), a unique lab id that starts with `id_prefix`,
// state under `state_root`, agents that resync every 2 s, 60 s for each wait, and the lab's
// progress on stderr. A test then sets what it is about (shape, etcd, Kubernetes mode).
LabOptions TestLabOptions(const std::string& id_prefix, const std::string& state_root);

}  // namespace romana::lab::testing

#endif  // ROMANA_LAB_TESTING_TEST_LAB_OPTIONS_H_
