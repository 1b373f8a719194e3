// ipv4.h: the strict IPv4 parsing every policy input goes through, and the plain address range
// type of the node plan. Built on net/ipv4.h (the project's one IPv4 implementation); this file
// only adds the JSON field path to errors, the IPv6 message, and the plan's wire type. Pure,
// thread-safe.
#ifndef ROMANA_POLICY_IPV4_H_
#define ROMANA_POLICY_IPV4_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ipv4.h"

namespace romana::policy {

// An inclusive address range [first, last] in host byte order (10.0.0.1 == 0x0a000001): the
// element type of NodePlan address sets, kept a plain pair of integers so that the renderer and
// tests can build and read it directly.
struct Ipv4Range {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const Ipv4Range&) const = default;
  auto operator<=>(const Ipv4Range&) const = default;
};

// "a.b.c.d" (net::Ipv4Address::Parse). InvalidArgument from api::FieldError naming `field`;
// an IPv6 address gets "IPv6 is not supported (Romana is IPv4-only)".
absl::StatusOr<uint32_t> ParseIpv4(absl::string_view text, absl::string_view field);

// "a.b.c.d/len", canonical (no host bits: the message names the network to write instead).
// Errors as for ParseIpv4.
absl::StatusOr<net::Ipv4Cidr> ParseIpv4Cidr(absl::string_view text, absl::string_view field);

// `cidr` minus every prefix in `except`, as disjoint, ascending, non-adjacent ranges.
std::vector<Ipv4Range> CidrMinus(const net::Ipv4Cidr& cidr, const std::vector<net::Ipv4Cidr>& except);

// The union of `addresses` (any order, repeats allowed) as disjoint, ascending, non-adjacent
// ranges.
std::vector<Ipv4Range> AddressRanges(const std::vector<uint32_t>& addresses);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_IPV4_H_
