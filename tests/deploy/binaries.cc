#include "binaries.h"

#include "absl/status/status.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"

namespace romana::deploy {

const std::map<std::string, std::string>& OurBinaries() {
  static const auto* m = new std::map<std::string, std::string>{
      {"romanad", "apps/romanad/romanad"},
      {"romana-agent", "apps/romana-agent/romana-agent"},
      {"romana-cni", "apps/romana-cni/romana-cni"},
      {"romanactl", "apps/romanactl/romanactl"},
      {"romana-aws", "apps/romana-aws/romana-aws"},
      {"romana-listener", "apps/romana-listener/romana-listener"},
      {"romana-vpcrouter", "apps/romana-vpcrouter/romana-vpcrouter"},
      {"romana-lab", "apps/romana-lab/romana-lab"},
  };
  return *m;
}

absl::StatusOr<std::string> HelpText(const std::string& binary, const std::vector<std::string>& subcommands) {
  static auto* cache = new std::map<std::vector<std::string>, std::string>();
  std::vector<std::string> key = subcommands;
  key.insert(key.begin(), binary);
  if (auto it = cache->find(key); it != cache->end()) return it->second;
  auto known = OurBinaries().find(binary);
  if (known == OurBinaries().end()) return absl::NotFoundError(binary + " is none of our binaries");
  std::filesystem::path path = romana::testing::BinaryDir() / known->second;
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(path.string() + " is not built (tests/deploy/CMakeLists.txt makes the test depend on it)");
  }
  std::vector<std::string> argv = {path.string()};
  argv.insert(argv.end(), subcommands.begin(), subcommands.end());
  argv.push_back("--help");
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return absl::InternalError(path.string() + " --help failed: " + r->output);
  (*cache)[key] = r->output;
  return r->output;
}

}  // namespace romana::deploy
