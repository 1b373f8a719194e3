#include "policy/ipv4.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"

namespace romana::policy {
namespace {

using api::FieldError;

uint32_t HostMask(int prefix_len) {
  return prefix_len == 0 ? 0xffffffffu : (prefix_len == 32 ? 0u : (0xffffffffu >> prefix_len));
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == absl::string_view::npos;
}

}  // namespace

Ipv4Range Ipv4Cidr::range() const { return {address, address | HostMask(prefix_len)}; }

bool Ipv4Cidr::Contains(const Ipv4Cidr& other) const {
  return other.prefix_len >= prefix_len && (other.address & ~HostMask(prefix_len)) == address;
}

absl::StatusOr<uint32_t> ParseIpv4(absl::string_view text, absl::string_view field) {
  if (text.find(':') != absl::string_view::npos) {
    return FieldError(field, absl::StrCat("\"", text, "\" is IPv6; IPv6 is not supported (Romana is IPv4-only)"));
  }
  std::vector<absl::string_view> octets = absl::StrSplit(text, '.');
  uint32_t address = 0;
  bool ok = octets.size() == 4;
  for (size_t i = 0; ok && i < octets.size(); ++i) {
    absl::string_view o = octets[i];
    int v = 0;
    ok = AllDigits(o) && o.size() <= 3 && !(o.size() > 1 && o[0] == '0') && absl::SimpleAtoi(o, &v) && v <= 255;
    address = (address << 8) | static_cast<uint32_t>(v);
  }
  if (!ok) return FieldError(field, absl::StrCat("\"", text, "\" is not an IPv4 address (a.b.c.d)"));
  return address;
}

absl::StatusOr<Ipv4Cidr> ParseIpv4Cidr(absl::string_view text, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() != 2) return FieldError(field, absl::StrCat("\"", text, "\" is not a CIDR (a.b.c.d/len)"));
  absl::StatusOr<uint32_t> address = ParseIpv4(parts[0], field);
  if (!address.ok()) return address.status();
  int len = -1;
  if (!AllDigits(parts[1]) || parts[1].size() > 2 || !absl::SimpleAtoi(parts[1], &len) || len > 32) {
    return FieldError(field, absl::StrCat("\"", text, "\": the prefix length must be 0..32"));
  }
  Ipv4Cidr cidr{*address & ~HostMask(len), len};
  if (cidr.address != *address) {
    return FieldError(field, absl::StrCat("\"", text, "\" has host bits set; write the network \"",
                                          CidrToString(cidr), "\""));
  }
  return cidr;
}

std::string Ipv4ToString(uint32_t a) {
  return absl::StrCat(a >> 24, ".", (a >> 16) & 0xff, ".", (a >> 8) & 0xff, ".", a & 0xff);
}

std::string CidrToString(const Ipv4Cidr& cidr) {
  return absl::StrCat(Ipv4ToString(cidr.address), "/", cidr.prefix_len);
}

std::vector<Ipv4Range> NormalizeRanges(std::vector<Ipv4Range> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<Ipv4Range> out;
  for (const Ipv4Range& r : ranges) {
    // Merge when overlapping or adjacent (careful with last == 0xffffffff).
    if (!out.empty() && (out.back().last == 0xffffffffu || r.first <= out.back().last + 1)) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<Ipv4Range> SubtractRanges(const Ipv4Range& whole, std::vector<Ipv4Range> holes) {
  std::vector<Ipv4Range> out;
  uint64_t next = whole.first;  // first address not yet emitted or removed; 64-bit to pass 2^32
  for (const Ipv4Range& h : NormalizeRanges(std::move(holes))) {
    if (h.last < whole.first || h.first > whole.last) continue;
    if (h.first > next) out.push_back({static_cast<uint32_t>(next), h.first - 1});
    next = std::max<uint64_t>(next, static_cast<uint64_t>(h.last) + 1);
  }
  if (next <= whole.last) out.push_back({static_cast<uint32_t>(next), whole.last});
  return out;
}

}  // namespace romana::policy
