// serve.h: the servers of the NetworkPolicy e2e model (`romana-lab serve`, run by the lab inside
// each model pod's network namespace): on every given port, TCP accepts and closes at once, UDP
// echoes each datagram back to its sender (so a UDP probe succeeds only when the reply passes,
// as upstream's agnhost serve-hostname --udp). SCTP is not served: these kernels have no SCTP
// (socket() answers EPROTONOSUPPORT), so SCTP policies are compiled but cannot be probed.
// Thread-compatible.
#ifndef ROMANA_LAB_SERVE_H_
#define ROMANA_LAB_SERVE_H_

#include <atomic>
#include <vector>

#include "absl/status/status.h"

namespace romana::lab {

// Binds TCP and UDP on 0.0.0.0:<port> for every port, then serves until `stop` is true (checked
// at least every 200 ms). Errors: Internal naming the port that cannot be bound (nothing served).
absl::Status Serve(const std::vector<int>& ports, const std::atomic<bool>& stop);

}  // namespace romana::lab

#endif  // ROMANA_LAB_SERVE_H_
