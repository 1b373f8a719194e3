// protocol.h: the IP protocols policies match, numbered as in IANA (and nftables' inet_proto).
// Pure, thread-safe.
#ifndef ROMANA_POLICY_PROTOCOL_H_
#define ROMANA_POLICY_PROTOCOL_H_

#include <cstdint>

namespace romana::policy {

enum class Protocol : uint8_t { kIcmp = 1, kTcp = 6, kUdp = 17, kSctp = 132 };

// True for the protocols with ports (TCP, UDP, SCTP).
inline bool HasPorts(Protocol p) { return p != Protocol::kIcmp; }

// "TCP", "UDP", "SCTP", "ICMP".
inline const char* ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kIcmp: return "ICMP";
    case Protocol::kTcp: return "TCP";
    case Protocol::kUdp: return "UDP";
    case Protocol::kSctp: return "SCTP";
  }
  return "?";
}

}  // namespace romana::policy

#endif  // ROMANA_POLICY_PROTOCOL_H_
