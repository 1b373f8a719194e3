// binaries.h: our binaries as built in this build tree, and their CLI11 `--help` text, for the
// tests in tests/deploy that check manifests and docs against the code. Runs the binaries (no
// network). Not thread-safe (tests call it from the test thread).
#ifndef ROMANA_TESTS_DEPLOY_BINARIES_H_
#define ROMANA_TESTS_DEPLOY_BINARIES_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace romana::deploy {

// Binary name -> path relative to the build directory (romanad, romana-agent, romana-cni,
// romanactl, romana-aws, romana-vpcrouter, romana-lab).
const std::map<std::string, std::string>& OurBinaries();

// `<binary> <subcommands...> --help`, cached. NotFound when the binary is not built; Internal
// when --help fails.
absl::StatusOr<std::string> HelpText(const std::string& binary, const std::vector<std::string>& subcommands = {});

}  // namespace romana::deploy

#endif  // ROMANA_TESTS_DEPLOY_BINARIES_H_
