// scoped_netns.h (test-only): a uniquely named network namespace that exists for the lifetime of
// the object. Tests create every namespace they touch with it, so nothing happens in the host
// namespace and nothing is left behind, even when an assertion fails half way.
//
//   ASSERT_OK_AND_ASSIGN(auto host, ScopedNetns::Create("cni-host"));
//   auto nl = LibnlNetlink::Create({.netns = host->name()});
//
// Names are "<prefix>-<pid>-<n>" so parallel test processes never collide. The namespace is made
// with `ip netns add` (so it is visible as /var/run/netns/<name>) with `lo` set up, and removed
// with `ip netns delete` in the destructor; veths and routes inside go with it. Requires root.
// Thread-compatible: Create is thread-safe, each object is used by one thread.
#ifndef ROMANA_NETLINK_TESTING_SCOPED_NETNS_H_
#define ROMANA_NETLINK_TESTING_SCOPED_NETNS_H_

#include <memory>
#include <string>

#include <vector>

#include "absl/status/statusor.h"
#include "base/subprocess.h"

namespace romana::netlink::testing {

class ScopedNetns {
 public:
  // Errors: Internal with the output of `ip` when the namespace cannot be created.
  // REQUIRES: prefix is short (name stays below 64 characters) and has no '/'.
  static absl::StatusOr<std::unique_ptr<ScopedNetns>> Create(const std::string& prefix = "romana-t");
  ~ScopedNetns();
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;

  const std::string& name() const { return name_; }
  // "/var/run/netns/<name>".
  std::string path() const;
  // Runs argv inside the namespace (`ip netns exec <name> argv...`) to completion.
  absl::StatusOr<base::CommandResult> Exec(const std::vector<std::string>& argv) const;
  // Exec that returns the output, or Internal (naming the command and its output) on a
  // non-zero exit.
  absl::StatusOr<std::string> ExecOrError(const std::vector<std::string>& argv) const;

 private:
  explicit ScopedNetns(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

}  // namespace romana::netlink::testing

#endif  // ROMANA_NETLINK_TESTING_SCOPED_NETNS_H_
