// host_port.h: the one parser of "host:port" text (listen addresses, endpoints).
//
// The port is the decimal number after the last ':' (so "[::1]:80"-style brackets are not
// special: Romana is IPv4-only); the host is everything before it and may be empty (callers
// decide what an empty host means, e.g. "all interfaces"). Pure, thread-safe.
#ifndef ROMANA_NET_HOST_PORT_H_
#define ROMANA_NET_HOST_PORT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace romana::net {

struct HostPort {
  std::string host;  // may be empty
  int port = 0;      // 0..65535
  bool operator==(const HostPort&) const = default;
};

// Errors: InvalidArgument when there is no ':' or the port is not a number in 0..65535.
absl::StatusOr<HostPort> ParseHostPort(std::string_view text);

}  // namespace romana::net

#endif  // ROMANA_NET_HOST_PORT_H_
