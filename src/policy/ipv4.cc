#include "policy/ipv4.h"

#include "absl/strings/str_cat.h"
#include "api/field_error.h"

namespace romana::policy {
namespace {

absl::Status Ipv6Error(absl::string_view text, absl::string_view field) {
  return api::FieldError(field, absl::StrCat("\"", text, "\" is IPv6; IPv6 is not supported (Romana is IPv4-only)"));
}

std::vector<Ipv4Range> ToPlanRanges(const std::vector<net::Ipv4Range>& ranges) {
  std::vector<Ipv4Range> out;
  out.reserve(ranges.size());
  for (const net::Ipv4Range& r : ranges) out.push_back({r.first.value(), r.last.value()});
  return out;
}

}  // namespace

absl::StatusOr<uint32_t> ParseIpv4(absl::string_view text, absl::string_view field) {
  if (text.find(':') != absl::string_view::npos) return Ipv6Error(text, field);
  absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(std::string_view(text.data(), text.size()));
  if (!a.ok()) return api::FieldError(field, a.status().message());
  return a->value();
}

absl::StatusOr<net::Ipv4Cidr> ParseIpv4Cidr(absl::string_view text, absl::string_view field) {
  if (text.find(':') != absl::string_view::npos) return Ipv6Error(text, field);
  absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(std::string_view(text.data(), text.size()));
  if (!c.ok()) return api::FieldError(field, c.status().message());
  return *c;
}

std::vector<Ipv4Range> CidrMinus(const net::Ipv4Cidr& cidr, const std::vector<net::Ipv4Cidr>& except) {
  std::vector<net::Ipv4Range> ranges;
  for (const net::Ipv4Cidr& c : net::Subtract(cidr, except)) ranges.push_back(c.range());
  return ToPlanRanges(net::MergeRanges(std::move(ranges)));
}

std::vector<Ipv4Range> AddressRanges(const std::vector<uint32_t>& addresses) {
  std::vector<net::Ipv4Range> ranges;
  ranges.reserve(addresses.size());
  for (uint32_t a : addresses) ranges.push_back({net::Ipv4Address(a), net::Ipv4Address(a)});
  return ToPlanRanges(net::MergeRanges(std::move(ranges)));
}

}  // namespace romana::policy
