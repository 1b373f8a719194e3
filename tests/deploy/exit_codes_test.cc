// Bad flags exit with 2 (base::kExitUsage) in every binary that takes flags, so a script or an
// operator reading a crash loop tells a usage error from a start-up failure the same way for all
// of them. romana-cni takes no flags (the CNI protocol has its own error codes: docs/cni.md).
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/flags.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "binaries.h"
#include "gtest/gtest.h"

namespace romana::deploy {
namespace {

// `binary args...` run to completion; -1 (and a failure) when it cannot be run.
int ExitCodeOf(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {(romana::testing::BinaryDir() / OurBinaries().at(binary)).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
  if (!r.ok()) {
    ADD_FAILURE() << binary << ": " << r.status();
    return -1;
  }
  return r->exit_code;
}

TEST(ExitCodesTest, AnUnknownFlagExitsWithTheUsageCodeInEveryBinary) {
  for (const auto& [binary, path] : OurBinaries()) {
    if (binary == "romana-cni") continue;
    EXPECT_EQ(ExitCodeOf(binary, {"--no-such-flag"}), base::kExitUsage) << binary;
  }
}

// A value the parser takes but the binary's own check refuses: the same code as a parse error.
TEST(ExitCodesTest, ARefusedFlagValueExitsWithTheUsageCode) {
  for (const std::string binary : {"romanad", "romana-agent", "romana-listener", "romana-aws", "romana-vpcrouter"}) {
    EXPECT_EQ(ExitCodeOf(binary, {"--log-level", "loud"}), base::kExitUsage) << binary;
  }
  EXPECT_EQ(ExitCodeOf("romana-lab", {"up", "--nodes", "0"}), base::kExitUsage);
}

}  // namespace
}  // namespace romana::deploy
