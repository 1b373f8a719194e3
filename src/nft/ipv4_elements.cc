#include "nft/ipv4_elements.h"

namespace romana::nft {

nlohmann::json AddressElement(net::Ipv4Address a) { return a.ToString(); }

nlohmann::json IntervalElement(const net::Ipv4Range& r) {
  if (r.first == r.last) return AddressElement(r.first);
  std::vector<net::Ipv4Cidr> cidrs = net::RangeToCidrs(r.first, r.last);
  if (cidrs.size() == 1) {
    return nlohmann::json{{"prefix", {{"addr", cidrs[0].network().ToString()}, {"len", cidrs[0].length()}}}};
  }
  return nlohmann::json{{"range", nlohmann::json::array({r.first.ToString(), r.last.ToString()})}};
}

std::vector<nlohmann::json> IntervalElements(std::vector<net::Ipv4Range> ranges) {
  std::vector<nlohmann::json> out;
  for (const net::Ipv4Range& r : net::MergeRanges(std::move(ranges))) out.push_back(IntervalElement(r));
  return out;
}

}  // namespace romana::nft
