#include "netlink/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace romana::netlink {
namespace {

absl::Status ErrnoStatus(int err, const std::string& what) {
  std::string msg = absl::StrCat(what, ": ", strerror(err), " (errno ", err, ")");
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EPERM:
    case EACCES:
      return absl::PermissionDeniedError(msg);
    case EINVAL:
      return absl::InvalidArgumentError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace

std::string NetnsPath(const std::string& name_or_path) {
  if (name_or_path.empty() || name_or_path.find('/') != std::string::npos) {
    return std::string(name_or_path);
  }
  return absl::StrCat("/var/run/netns/", name_or_path);
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

absl::StatusOr<UniqueFd> OpenNetns(const std::string& name_or_path) {
  const std::string path = NetnsPath(name_or_path);
  if (path.empty()) return absl::InvalidArgumentError("network namespace path is empty");
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("open network namespace ", path));
  struct statfs fs {};
  if (fstatfs(fd.get(), &fs) != 0) {
    return ErrnoStatus(errno, absl::StrCat("statfs network namespace ", path));
  }
  if (fs.f_type != static_cast<decltype(fs.f_type)>(NSFS_MAGIC) &&
      fs.f_type != static_cast<decltype(fs.f_type)>(PROC_SUPER_MAGIC)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a network namespace (not an nsfs file)"));
  }
  return fd;
}

bool NetnsExists(const std::string& name_or_path) { return OpenNetns(name_or_path).ok(); }

absl::StatusOr<std::unique_ptr<ScopedNetnsEntry>> ScopedNetnsEntry::Enter(
    const std::string& name_or_path) {
  UniqueFd original(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!original.valid()) return ErrnoStatus(errno, "open /proc/thread-self/ns/net");
  auto target = OpenNetns(name_or_path);
  if (!target.ok()) return target.status();
  if (setns(target->get(), CLONE_NEWNET) != 0) {
    return ErrnoStatus(errno, absl::StrCat("setns into ", NetnsPath(name_or_path)));
  }
  return std::unique_ptr<ScopedNetnsEntry>(new ScopedNetnsEntry(std::move(original)));
}

ScopedNetnsEntry::~ScopedNetnsEntry() {
  if (setns(original_.get(), CLONE_NEWNET) != 0) {
    fprintf(stderr, "FATAL: cannot return to the original network namespace: %s\n",
            strerror(errno));
    abort();
  }
}

}  // namespace romana::netlink
