// netns_fixture.h: two network namespaces joined by a veth pair, for the vpcrouter tests.
//
//   router ns (10.0.0.1/16 on the veth)  <==>  hosts ns (10.0.0.2/16 + every target IP as /32)
//
// The calling thread can enter the router namespace (setns), so servers it starts (moto,
// romana-vpcrouter) run there and reach each other on that namespace's loopback, while ICMP to
// the targets really crosses the veth. Removing a target's address makes it stop answering.
// Everything is removed in the destructor, also after a failure. Not thread-safe.
#ifndef ROMANA_TESTS_AWS_NETNS_FIXTURE_H_
#define ROMANA_TESTS_AWS_NETNS_FIXTURE_H_

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/subprocess.h"

namespace romana::aws::testing {

class TwoNamespaces {
 public:
  static absl::StatusOr<std::unique_ptr<TwoNamespaces>> Create(const std::vector<std::string>& target_ips) {
    std::unique_ptr<TwoNamespaces> n(new TwoNamespaces());
    const std::string id = absl::StrCat(getpid());
    n->router_ = "rvr-" + id + "-r";
    n->hosts_ = "rvr-" + id + "-h";
    n->veth_r_ = "rv" + id + "r";
    n->veth_h_ = "rv" + id + "h";
    const std::vector<std::vector<std::string>> steps = {
        {"ip", "netns", "add", n->router_},
        {"ip", "netns", "add", n->hosts_},
        {"ip", "-n", n->router_, "link", "add", n->veth_r_, "type", "veth", "peer", "name", n->veth_h_, "netns", n->hosts_},
        {"ip", "-n", n->router_, "link", "set", "lo", "up"},
        {"ip", "-n", n->router_, "link", "set", n->veth_r_, "up"},
        {"ip", "-n", n->router_, "addr", "add", "10.0.0.1/16", "dev", n->veth_r_},
        {"ip", "-n", n->hosts_, "link", "set", "lo", "up"},
        {"ip", "-n", n->hosts_, "link", "set", n->veth_h_, "up"},
        {"ip", "-n", n->hosts_, "addr", "add", "10.0.0.2/16", "dev", n->veth_h_},
    };
    for (const auto& argv : steps) {
      if (absl::Status s = n->Run(argv); !s.ok()) return s;
    }
    for (const std::string& ip : target_ips) {
      if (absl::Status s = n->AddTarget(ip); !s.ok()) return s;
    }
    return n;
  }

  ~TwoNamespaces() {
    Leave();
    (void)base::RunCommand({"ip", "netns", "del", router_});  // best effort: already gone is fine
    (void)base::RunCommand({"ip", "netns", "del", hosts_});
  }

  absl::Status AddTarget(const std::string& ip) {
    return Run({"ip", "-n", hosts_, "addr", "add", ip + "/32", "dev", veth_h_});
  }
  absl::Status RemoveTarget(const std::string& ip) {
    return Run({"ip", "-n", hosts_, "addr", "del", ip + "/32", "dev", veth_h_});
  }

  // Moves the calling thread into the router namespace (children it forks start there).
  absl::Status Enter() {
    if (saved_fd_ >= 0) return absl::OkStatus();
    saved_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = open(("/var/run/netns/" + router_).c_str(), O_RDONLY | O_CLOEXEC);
    if (saved_fd_ < 0 || fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      if (fd >= 0) close(fd);
      return absl::InternalError("setns into " + router_ + " failed");
    }
    close(fd);
    return absl::OkStatus();
  }
  // Back to the namespace the thread came from.
  void Leave() {
    if (saved_fd_ < 0) return;
    setns(saved_fd_, CLONE_NEWNET);
    close(saved_fd_);
    saved_fd_ = -1;
  }

  const std::string& router_ns() const { return router_; }
  const std::string& hosts_ns() const { return hosts_; }

 private:
  TwoNamespaces() = default;
  absl::Status Run(const std::vector<std::string>& argv) {
    absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
    if (!r.ok()) return r.status();
    if (r->exit_code != 0) {
      return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "), ": ", r->output));
    }
    return absl::OkStatus();
  }

  std::string router_, hosts_, veth_r_, veth_h_;
  int saved_fd_ = -1;
};

}  // namespace romana::aws::testing

#endif  // ROMANA_TESTS_AWS_NETNS_FIXTURE_H_
