// probe.h: pod-to-pod reachability.
//  - ProbeConnectivity (what `romana-lab up` prints): ping (ICMP echo, the system `ping`) and a TCP
//    connect to a listener the probe opens in every destination pod for the duration of the check.
//  - ProbeTable (the NetworkPolicy model): one TCP connect or UDP echo per ordered pair to the
//    servers the model runs in its pods (serve.h), as upstream's `agnhost connect --timeout=1s`;
//    SCTP cannot be probed on these kernels (Unimplemented).
// Sockets and pings are made from threads that entered the pods' namespaces, so nothing runs in
// (or reaches) the host namespace. Thread-compatible.
#ifndef ROMANA_LAB_PROBE_H_
#define ROMANA_LAB_PROBE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lab/lab.h"
#include "lab/truth_table.h"

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

enum class Protocol { kTcp, kUdp, kSctp };
// "tcp"/"TCP", "udp", "sctp". InvalidArgument otherwise.
absl::StatusOr<Protocol> ParseProtocol(const std::string& text);
std::string ProtocolName(Protocol p);  // "TCP", "UDP", "SCTP"

// One probe from netns `src_netns` to ip:port: TCP = the connect completes; UDP = a datagram
// sent gets its echo back (one resend at half the timeout). False when refused or timed out.
// Unimplemented for SCTP (no SCTP on these kernels); Internal when the netns cannot be entered.
absl::StatusOr<bool> ProbeOnce(const std::string& src_netns, const std::string& ip, int port, Protocol protocol,
                               int timeout_ms = 1000);

// Probes every ordered pair of distinct pods (named QualifiedName()) in parallel, at most
// `concurrency` at a time, each with a 1 s timeout; pairs that `only` marks kIgnore are not
// probed (kIgnore in the result), nor pairs of pods missing from `only`. The errors of ProbeOnce.
absl::StatusOr<TruthTable> ProbeTable(const std::vector<PodInfo>& pods, int port, Protocol protocol,
                                      const TruthTable* only = nullptr, int concurrency = 32);

}  // namespace romana::lab

#endif  // ROMANA_LAB_PROBE_H_
