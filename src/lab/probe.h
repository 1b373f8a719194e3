// probe.h: pod-to-pod reachability: ping (ICMP echo, the system `ping`) and a TCP connect to a
// listener the probe opens in every destination pod for the duration of the check.
// Sockets and pings are made from threads that entered the pods' namespaces, so nothing runs in
// (or reaches) the host namespace. Thread-compatible.
#ifndef ROMANA_LAB_PROBE_H_
#define ROMANA_LAB_PROBE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lab/lab.h"

namespace romana::lab {

struct Reach {
  bool ping = false;
  bool tcp = false;
};

struct Matrix {
  std::vector<PodInfo> pods;
  std::vector<std::vector<Reach>> cells;  // [src][dst]; the diagonal is not probed
  int pairs = 0;
  int ping_failures = 0;
  int tcp_failures = 0;
  bool all_ok() const { return ping_failures == 0 && tcp_failures == 0; }
};

// Probes every ordered pair of distinct pods. Errors only for set-up failures (a pod netns that
// cannot be entered, a port that cannot be bound); unreachable pairs are results, not errors.
absl::StatusOr<Matrix> ProbeConnectivity(const std::vector<PodInfo>& pods, int tcp_port = 7777);

// One TCP connect from pod netns `src_netns` to ip:port within `timeout_ms`.
bool TcpConnect(const std::string& src_netns, const std::string& ip, int port, int timeout_ms = 1000);

}  // namespace romana::lab

#endif  // ROMANA_LAB_PROBE_H_
