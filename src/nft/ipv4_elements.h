// ipv4_elements.h: IPv4 addresses and intervals as interval-set elements in the canonical form
// nft lists them in, so a set read back compares equal to the one written: the union of the
// ranges, merged (an interval set rejects overlapping elements), each as "a.b.c.d" when it is
// one address, {"prefix":{"addr","len"}} when it is exactly one prefix, else {"range":[lo,hi]}.
// Pure; thread-safe.
#ifndef ROMANA_NFT_IPV4_ELEMENTS_H_
#define ROMANA_NFT_IPV4_ELEMENTS_H_

#include <vector>

#include "net/ipv4.h"
#include "nlohmann/json.hpp"

namespace romana::nft {

nlohmann::json AddressElement(net::Ipv4Address a);
// One element for an interval; REQUIRES r.first <= r.last.
nlohmann::json IntervalElement(const net::Ipv4Range& r);
// The union of `ranges` (any order, overlaps allowed) as canonical elements in address order.
std::vector<nlohmann::json> IntervalElements(std::vector<net::Ipv4Range> ranges);

}  // namespace romana::nft

#endif  // ROMANA_NFT_IPV4_ELEMENTS_H_
