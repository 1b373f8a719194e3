#include "net/ipv4.h"

#include <algorithm>
#include <bit>
#include <ostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace romana::net {
namespace {

// Debian's Abseil is built with its own absl::string_view (not an alias of std::string_view),
// so std::string_view pieces are converted before they go into StrCat.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Bad(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid IPv4 address \"", AV(text), "\": ", AV(why)));
}

absl::Status BadCidr(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid CIDR \"", AV(text), "\": ", AV(why)));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses a decimal number of 1..3 digits without a leading zero. Returns -1 (with *why set)
// when the text is not such a number.
int ParseSmallDecimal(std::string_view s, std::string* why, std::string_view what) {
  if (s.empty()) {
    *why = absl::StrCat(AV(what), " is empty");
    return -1;
  }
  for (char c : s) {
    if (!IsDigit(c)) {
      *why = absl::StrCat(AV(what), " (", AV(s), ") is not a decimal number");
      return -1;
    }
  }
  if (s.size() > 1 && s[0] == '0') {
    *why = absl::StrCat(AV(what), " (", AV(s), ") has a leading zero");
    return -1;
  }
  if (s.size() > 3) {
    *why = absl::StrCat(AV(what), " (", AV(s), ") is too large");
    return -1;
  }
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

absl::StatusOr<Ipv4Address> Ipv4Address::Parse(std::string_view text) {
  if (text.empty()) return Bad(text, "empty string");
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) {
    return Bad(text, "contains whitespace");
  }
  uint32_t value = 0;
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = text.find('.', pos);
    if (i < 3 && dot == std::string_view::npos) {
      return Bad(text, absl::StrCat("expected 4 dot-separated octets, found ", i + 1));
    }
    std::string_view part = text.substr(pos, i < 3 ? dot - pos : std::string_view::npos);
    if (i == 3 && part.find('.') != std::string_view::npos) {
      return Bad(text, "more than 4 octets");
    }
    std::string why;
    std::string what = absl::StrCat("octet ", i + 1);
    int v = ParseSmallDecimal(part, &why, what);
    if (v < 0) {
      // Distinguish "too large" numbers that are still decimal for a clearer message.
      if (!part.empty() && part.size() <= 10 && std::all_of(part.begin(), part.end(), IsDigit) &&
          part[0] != '0') {
        return Bad(text, absl::StrCat(what, " (", AV(part), ") is greater than 255"));
      }
      return Bad(text, why);
    }
    if (v > 255) return Bad(text, absl::StrCat(what, " (", AV(part), ") is greater than 255"));
    value = (value << 8) | static_cast<uint32_t>(v);
    pos = dot + 1;
  }
  return Ipv4Address(value);
}

std::string Ipv4Address::ToString() const {
  return absl::StrFormat("%d.%d.%d.%d", value_ >> 24, (value_ >> 16) & 0xFF, (value_ >> 8) & 0xFF,
                         value_ & 0xFF);
}

std::ostream& operator<<(std::ostream& os, Ipv4Address a) { return os << a.ToString(); }

std::string Ipv4Range::ToString() const {
  return absl::StrCat(first.ToString(), "-", last.ToString());
}

absl::StatusOr<Ipv4Cidr> Ipv4Cidr::Parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return BadCidr(text, "missing \"/<prefix length>\"");
  }
  if (text.find('/', slash + 1) != std::string_view::npos) {
    return BadCidr(text, "more than one \"/\"");
  }
  absl::StatusOr<Ipv4Address> addr = Ipv4Address::Parse(text.substr(0, slash));
  if (!addr.ok()) {
    return BadCidr(text, std::string(addr.status().message()));
  }
  std::string_view len_text = text.substr(slash + 1);
  std::string why;
  int length = ParseSmallDecimal(len_text, &why, "prefix length");
  if (length < 0) {
    if (!len_text.empty() && std::all_of(len_text.begin(), len_text.end(), IsDigit) &&
        len_text[0] != '0') {
      return BadCidr(text, absl::StrCat("prefix length ", AV(len_text), " is out of range 0..32"));
    }
    return BadCidr(text, why);
  }
  if (length > 32) {
    return BadCidr(text, absl::StrCat("prefix length ", length, " is out of range 0..32"));
  }
  if ((addr->value() & HostMask(length)) != 0) {
    Ipv4Cidr fixed = Containing(*addr, length);
    return BadCidr(text, absl::StrCat(AV(text), " is not a network address (host bits set); did you mean ",
                                      fixed.ToString(), "?"));
  }
  return Ipv4Cidr(*addr, length);
}

absl::StatusOr<Ipv4Cidr> Ipv4Cidr::Create(Ipv4Address address, int length) {
  if (length < 0 || length > 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("prefix length ", length, " is out of range 0..32"));
  }
  if ((address.value() & HostMask(length)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        address.ToString(), "/", length, " is not a network address (host bits set); did you mean ",
        Containing(address, length).ToString(), "?"));
  }
  return Ipv4Cidr(address, length);
}

Ipv4Cidr Ipv4Cidr::Containing(Ipv4Address address, int length) {
  return Ipv4Cidr(Ipv4Address(address.value() & ~HostMask(length)), length);
}

absl::StatusOr<std::vector<Ipv4Cidr>> Ipv4Cidr::Split(int bits) const {
  if (bits < 0) return absl::InvalidArgumentError(absl::StrCat("split bits ", bits, " < 0"));
  if (length_ + bits > 32) {
    return absl::InvalidArgumentError(absl::StrCat("cannot split ", ToString(), " into 2^", bits,
                                                   " children: ", 32 - length_,
                                                   " host bits available"));
  }
  if (bits > 24) {
    return absl::InvalidArgumentError(
        absl::StrCat("split of ", ToString(), " into 2^", bits, " children is too large"));
  }
  std::vector<Ipv4Cidr> out;
  out.reserve(size_t{1} << bits);
  for (Ipv4Cidr c : Subnets(length_ + bits)) out.push_back(c);
  return out;
}

Ipv4Cidr Ipv4Cidr::Child(int bits, uint64_t index) const {
  int child_len = length_ + bits;
  uint64_t step = uint64_t{1} << (32 - child_len);
  return Ipv4Cidr(Ipv4Address(static_cast<uint32_t>(address_.value() + index * step)), child_len);
}

Ipv4SubnetRange Ipv4Cidr::Subnets(int new_length) const { return Ipv4SubnetRange(*this, new_length); }

std::string Ipv4Cidr::ToString() const { return absl::StrCat(address_.ToString(), "/", length_); }

std::ostream& operator<<(std::ostream& os, const Ipv4Cidr& c) { return os << c.ToString(); }

absl::StatusOr<Ipv4Cidr> ParseCidrOrAddress(std::string_view text) {
  if (text.find('/') == std::string_view::npos) {
    absl::StatusOr<Ipv4Address> a = Ipv4Address::Parse(text);
    if (!a.ok()) return a.status();
    return Ipv4Cidr::Containing(*a, 32);
  }
  return Ipv4Cidr::Parse(text);
}

std::vector<Ipv4Cidr> RangeToCidrs(Ipv4Address first, Ipv4Address last) {
  std::vector<Ipv4Cidr> out;
  uint64_t lo = first.value();
  const uint64_t hi = last.value();
  while (lo <= hi) {
    // Largest block aligned at lo...
    int host_bits = lo == 0 ? 32 : std::countr_zero(lo);
    // ...that does not pass hi.
    while (host_bits > 0 && lo + (uint64_t{1} << host_bits) - 1 > hi) --host_bits;
    out.push_back(Ipv4Cidr::Containing(Ipv4Address(static_cast<uint32_t>(lo)), 32 - host_bits));
    lo += uint64_t{1} << host_bits;
  }
  return out;
}

std::vector<Ipv4Range> MergeRanges(std::vector<Ipv4Range> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<Ipv4Range> out;
  for (const Ipv4Range& r : ranges) {
    if (!out.empty() && uint64_t{r.first.value()} <= uint64_t{out.back().last.value()} + 1) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<Ipv4Cidr> Summarize(std::vector<Ipv4Cidr> prefixes) {
  std::vector<Ipv4Range> ranges;
  ranges.reserve(prefixes.size());
  for (const Ipv4Cidr& c : prefixes) ranges.push_back(c.range());
  std::vector<Ipv4Cidr> out;
  for (const Ipv4Range& r : MergeRanges(std::move(ranges))) {
    std::vector<Ipv4Cidr> part = RangeToCidrs(r.first, r.last);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::vector<Ipv4Cidr> Subtract(const Ipv4Cidr& base, std::vector<Ipv4Cidr> remove) {
  std::vector<Ipv4Range> holes;
  for (const Ipv4Cidr& c : remove) {
    if (c.Overlaps(base)) {
      // Clip to base (one contains the other).
      holes.push_back(base.Contains(c) ? c.range() : base.range());
    }
  }
  std::vector<Ipv4Cidr> out;
  uint64_t cursor = base.first().value();
  const uint64_t end = base.last().value();
  for (const Ipv4Range& h : MergeRanges(std::move(holes))) {
    if (h.first.value() > cursor) {
      std::vector<Ipv4Cidr> part = RangeToCidrs(Ipv4Address(static_cast<uint32_t>(cursor)),
                                                Ipv4Address(h.first.value() - 1));
      out.insert(out.end(), part.begin(), part.end());
    }
    cursor = uint64_t{h.last.value()} + 1;
  }
  if (cursor <= end) {
    std::vector<Ipv4Cidr> part =
        RangeToCidrs(Ipv4Address(static_cast<uint32_t>(cursor)), Ipv4Address(static_cast<uint32_t>(end)));
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

int BitLength(uint64_t n) { return n == 0 ? 0 : 64 - std::countl_zero(n); }

}  // namespace romana::net
