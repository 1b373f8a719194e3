#include "netlink/testing/scoped_netns.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace romana::netlink::testing {

absl::StatusOr<std::unique_ptr<ScopedNetns>> ScopedNetns::Create(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::string name = absl::StrCat(prefix, "-", getpid(), "-", counter.fetch_add(1));
  auto added = base::RunCommand({"ip", "netns", "add", name});
  if (!added.ok()) return added.status();
  if (added->exit_code != 0) {
    return absl::InternalError(absl::StrCat("ip netns add ", name, ": ", added->output));
  }
  auto ns = std::unique_ptr<ScopedNetns>(new ScopedNetns(name));
  auto lo = ns->ExecOrError({"ip", "link", "set", "lo", "up"});
  if (!lo.ok()) return lo.status();  // ~ScopedNetns deletes the namespace
  return ns;
}

ScopedNetns::~ScopedNetns() {
  auto deleted = base::RunCommand({"ip", "netns", "delete", name_});
  if (!deleted.ok() || deleted->exit_code != 0) {
    fprintf(stderr, "ScopedNetns: ip netns delete %s failed: %s\n", name_.c_str(),
            deleted.ok() ? deleted->output.c_str() : deleted.status().ToString().c_str());
  }
}

std::string ScopedNetns::path() const { return absl::StrCat("/var/run/netns/", name_); }

absl::StatusOr<base::CommandResult> ScopedNetns::Exec(const std::vector<std::string>& argv) const {
  std::vector<std::string> full = {"ip", "netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  return base::RunCommand(full);
}

absl::StatusOr<std::string> ScopedNetns::ExecOrError(const std::vector<std::string>& argv) const {
  auto result = Exec(argv);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InternalError(absl::StrCat("in netns ", name_, ": `", absl::StrJoin(argv, " "),
                                            "` exited ", result->exit_code, ": ", result->output));
  }
  return result->output;
}

}  // namespace romana::netlink::testing
