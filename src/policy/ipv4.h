// ipv4.h: IPv4 addresses, CIDRs and address ranges as plain values (host byte order), with the
// strict parsing every policy input goes through. Pure, thread-safe.
//
// Romana is IPv4-only: an IPv6 address or CIDR is rejected with a message that says so.
#ifndef ROMANA_POLICY_IPV4_H_
#define ROMANA_POLICY_IPV4_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romana::policy {

// An inclusive address range [first, last].
struct Ipv4Range {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const Ipv4Range&) const = default;
  auto operator<=>(const Ipv4Range&) const = default;
};

struct Ipv4Cidr {
  uint32_t address = 0;  // the network address (no host bits)
  int prefix_len = 0;    // 0..32
  bool operator==(const Ipv4Cidr&) const = default;

  Ipv4Range range() const;
  // True when `other` lies inside this network (or is it).
  bool Contains(const Ipv4Cidr& other) const;
};

// "a.b.c.d": four decimal octets without leading zeros. InvalidArgument (a FieldError naming
// `field`) otherwise; IPv6 gets "IPv6 is not supported".
absl::StatusOr<uint32_t> ParseIpv4(absl::string_view text, absl::string_view field);

// "a.b.c.d/len" in canonical form: no host bits set (the message names the canonical network).
absl::StatusOr<Ipv4Cidr> ParseIpv4Cidr(absl::string_view text, absl::string_view field);

std::string Ipv4ToString(uint32_t address);
std::string CidrToString(const Ipv4Cidr& cidr);

// Sorts `ranges` and merges overlapping and adjacent ones; the result is disjoint and ascending.
std::vector<Ipv4Range> NormalizeRanges(std::vector<Ipv4Range> ranges);

// `cidr` minus every range in `holes`, as disjoint ascending ranges.
std::vector<Ipv4Range> SubtractRanges(const Ipv4Range& whole, std::vector<Ipv4Range> holes);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_IPV4_H_
