// netns.h: naming, opening and (per thread) entering Linux network namespaces.
//
// A network namespace is named either by a path to an nsfs file (anything containing '/', e.g.
// "/var/run/netns/pod1" or "/proc/123/ns/net") or by a bare name, which means
// "/var/run/netns/<name>" (what `ip netns add` creates). setns(CLONE_NEWNET) changes the netns
// of the calling thread only, so ScopedNetnsEntry affects nothing but the thread that made it.
// Free functions are thread-safe; a ScopedNetnsEntry must be destroyed on the thread that made it.
#ifndef ROMANA_NETLINK_NETNS_H_
#define ROMANA_NETLINK_NETNS_H_

#include <memory>
#include <string>


#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romana::netlink {

// "/var/run/netns/<name>" for a bare name; `name_or_path` unchanged when it contains '/'.
// Empty input gives empty output.
std::string NetnsPath(const std::string& name_or_path);

// An owned file descriptor, closed on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Opens the namespace file read-only (O_CLOEXEC). Errors: NotFound when the path does not exist
// (a pod whose netns is gone), InvalidArgument when it exists but is not a network namespace,
// PermissionDenied/Internal for other errno values; the message names the path and errno.
absl::StatusOr<UniqueFd> OpenNetns(const std::string& name_or_path);

// True when `name_or_path` names an existing network namespace.
bool NetnsExists(const std::string& name_or_path);

// Moves the calling thread into a network namespace and back.
//
//   {
//     ASSIGN_OR_RETURN(auto in_pod, ScopedNetnsEntry::Enter("/var/run/netns/pod1"));
//     ... sockets opened here belong to pod1 ...
//   }  // the thread is back in its original netns
//
// Sockets (e.g. netlink sockets) stay bound to the netns they were created in after the thread
// leaves it. Not copyable or movable; destroy it on the thread that created it. If switching
// back fails (the kernel does not let that happen for a namespace we came from), the process
// aborts: continuing on the wrong netns would change the wrong network.
class ScopedNetnsEntry {
 public:
  // Errors: those of OpenNetns, or the setns errno (EPERM without CAP_SYS_ADMIN) as
  // PermissionDenied/Internal. On error the thread stays in its original netns.
  static absl::StatusOr<std::unique_ptr<ScopedNetnsEntry>> Enter(const std::string& name_or_path);
  ~ScopedNetnsEntry();
  ScopedNetnsEntry(const ScopedNetnsEntry&) = delete;
  ScopedNetnsEntry& operator=(const ScopedNetnsEntry&) = delete;

 private:
  explicit ScopedNetnsEntry(UniqueFd original) : original_(std::move(original)) {}
  UniqueFd original_;
};

}  // namespace romana::netlink

#endif  // ROMANA_NETLINK_NETNS_H_
