// checker.h: liveness checks of a list of IPv4 addresses, one blocking round at a time.
//
// A HealthChecker runs one round over a list of IPs and returns the ones that failed.
// IcmpEchoChecker sends ICMP echo requests on a raw socket (needs CAP_NET_RAW) and waits for
// the replies; TcpChecker connects to a port; AlwaysHealthyChecker never fails. Used by
// romana-vpcrouter's health monitors and by the lab's router. A string that is not a dotted
// quad always fails. Checkers are used from one thread at a time.
#ifndef ROMANA_HEALTH_CHECKER_H_
#define ROMANA_HEALTH_CHECKER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace romana::health {

class HealthChecker {
 public:
  virtual ~HealthChecker() = default;
  virtual std::string name() const = 0;
  // Checks every IP once (in parallel) and returns those that did not answer in time.
  virtual std::set<std::string> CheckFailed(const std::vector<std::string>& ips) = 0;
};

class IcmpEchoChecker final : public HealthChecker {
 public:
  // `timeout` is the whole round; requests are re-sent `attempts` times within it.
  // Errors: PermissionDenied without CAP_NET_RAW, Internal for other socket errors.
  static absl::StatusOr<std::unique_ptr<IcmpEchoChecker>> Create(std::chrono::milliseconds timeout,
                                                                int attempts);
  ~IcmpEchoChecker() override;
  std::string name() const override { return "icmpecho"; }
  std::set<std::string> CheckFailed(const std::vector<std::string>& ips) override;

 private:
  IcmpEchoChecker(int fd, std::chrono::milliseconds timeout, int attempts, uint16_t id)
      : fd_(fd), timeout_(timeout), attempts_(attempts), id_(id) {}
  int fd_;
  std::chrono::milliseconds timeout_;
  int attempts_;
  uint16_t id_;
  uint16_t seq_ = 0;
};

class TcpChecker final : public HealthChecker {
 public:
  TcpChecker(int port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}
  std::string name() const override { return "tcp"; }
  std::set<std::string> CheckFailed(const std::vector<std::string>& ips) override;

 private:
  int port_;
  std::chrono::milliseconds timeout_;
};

// Never reports a failure (vpc-router's "always" test plugin).
class AlwaysHealthyChecker final : public HealthChecker {
 public:
  std::string name() const override { return "always"; }
  std::set<std::string> CheckFailed(const std::vector<std::string>&) override { return {}; }
};

}  // namespace romana::health

#endif  // ROMANA_HEALTH_CHECKER_H_
