// ipv4.h: IPv4 addresses, CIDR prefixes and address ranges, with strict parsing and the prefix
// arithmetic Romana's IPAM, routing and policy code need (contains, overlaps, split into 2^k
// children, summarise a set of prefixes into the fewest exactly-covering prefixes, subtract,
// iterate addresses and subnets).
//
// All types are small value types (a uint32 or two), trivially copyable, ordered, hashable
// (absl::Hash and std::hash) and thread-compatible: const access from many threads is safe.
//
// Parsing is strict on purpose: user input (topology files, flags, policies) that is ambiguous
// is rejected with an InvalidArgument status whose message says what is wrong, e.g.
//   "10.0.0.5/24": "10.0.0.5/24 is not a network address (host bits set); did you mean 10.0.0.0/24?"
//   "10.0.0.0/33": "prefix length 33 is out of range 0..32"
//   "10.0.256.1":  "octet 3 (256) is greater than 255"
//   "010.0.0.1":   "octet 1 (010) has a leading zero"
#ifndef ROMANA_NET_IPV4_H_
#define ROMANA_NET_IPV4_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace romana::net {

// An IPv4 address held as a host-order uint32 (10.0.0.1 == 0x0A000001).
class Ipv4Address {
 public:
  constexpr Ipv4Address() = default;
  constexpr explicit Ipv4Address(uint32_t value) : value_(value) {}
  static constexpr Ipv4Address FromOctets(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return Ipv4Address((uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d);
  }

  // Parses dotted-quad text: exactly four decimal octets 0..255 without leading zeros, signs or
  // whitespace. InvalidArgument (message names the offending part) otherwise.
  static absl::StatusOr<Ipv4Address> Parse(std::string_view text);

  constexpr uint32_t value() const { return value_; }
  std::string ToString() const;

  // Saturating neighbours are not provided: callers check bounds with value().
  friend constexpr auto operator<=>(Ipv4Address, Ipv4Address) = default;
  template <typename H>
  friend H AbslHashValue(H h, Ipv4Address a) {
    return H::combine(std::move(h), a.value_);
  }

 private:
  uint32_t value_ = 0;
};

std::ostream& operator<<(std::ostream& os, Ipv4Address a);

// An inclusive range [first, last] of addresses (first <= last). Used for free lists,
// summarisation and iteration.
struct Ipv4Range {
  Ipv4Address first;
  Ipv4Address last;

  uint64_t size() const { return uint64_t{last.value()} - first.value() + 1; }
  bool Contains(Ipv4Address a) const { return first <= a && a <= last; }
  friend constexpr auto operator<=>(const Ipv4Range&, const Ipv4Range&) = default;
  std::string ToString() const;  // "10.0.0.1-10.0.0.9"
};

// Iterates every address of an Ipv4Range in ascending order. Usable in range-for.
class Ipv4AddressRange {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Ipv4Address;
    using difference_type = std::ptrdiff_t;
    using pointer = const Ipv4Address*;
    using reference = Ipv4Address;
    Iterator() = default;
    explicit Iterator(uint64_t v) : v_(v) {}
    Ipv4Address operator*() const { return Ipv4Address(static_cast<uint32_t>(v_)); }
    Iterator& operator++() { ++v_; return *this; }
    Iterator operator++(int) { Iterator t = *this; ++v_; return t; }
    bool operator==(const Iterator&) const = default;

   private:
    uint64_t v_ = 0;  // 64 bits so that one past 255.255.255.255 is representable
  };
  explicit Ipv4AddressRange(Ipv4Range r) : range_(r) {}
  Iterator begin() const { return Iterator(range_.first.value()); }
  Iterator end() const { return Iterator(uint64_t{range_.last.value()} + 1); }
  uint64_t size() const { return range_.size(); }

 private:
  Ipv4Range range_;
};

class Ipv4SubnetRange;

// A CIDR prefix whose address is the network address (host bits zero): the invariant every
// constructor enforces. 0.0.0.0/0 .. a.b.c.d/32.
class Ipv4Cidr {
 public:
  // 0.0.0.0/0.
  constexpr Ipv4Cidr() = default;

  // Strict "a.b.c.d/n": n is 0..32 without a leading zero, and the address must be the network
  // address. InvalidArgument otherwise (the message says which part is wrong and, for host bits,
  // suggests the network address).
  static absl::StatusOr<Ipv4Cidr> Parse(std::string_view text);
  // Strict construction: InvalidArgument when `length` > 32 or `address` has host bits set.
  static absl::StatusOr<Ipv4Cidr> Create(Ipv4Address address, int length);
  // The prefix of `length` (REQUIRES: 0..32) containing `address` (host bits are cleared).
  static Ipv4Cidr Containing(Ipv4Address address, int length);

  Ipv4Address network() const { return address_; }
  Ipv4Address broadcast() const { return Ipv4Address(address_.value() | HostMask(length_)); }
  Ipv4Address first() const { return network(); }
  Ipv4Address last() const { return broadcast(); }
  int length() const { return length_; }
  uint64_t size() const { return uint64_t{1} << (32 - length_); }
  Ipv4Range range() const { return {first(), last()}; }
  // Netmask as an address, e.g. 255.255.255.0 for /24.
  Ipv4Address netmask() const { return Ipv4Address(~HostMask(length_)); }

  bool Contains(Ipv4Address a) const {
    return (a.value() & ~HostMask(length_)) == address_.value();
  }
  // True when every address of `other` is in this prefix (a prefix contains itself).
  bool Contains(const Ipv4Cidr& other) const {
    return other.length_ >= length_ && Contains(other.address_);
  }
  // True when the two prefixes share at least one address (one contains the other).
  bool Overlaps(const Ipv4Cidr& other) const {
    return Contains(other) || other.Contains(*this);
  }

  // The 2^bits equal children, in address order. InvalidArgument when bits < 0 or
  // length() + bits > 32. Also rejects results with more than 2^24 elements (use Subnets()).
  absl::StatusOr<std::vector<Ipv4Cidr>> Split(int bits) const;
  // Child `index` of a split into 2^bits (REQUIRES: 0 <= bits, length()+bits <= 32,
  // index < 2^bits).
  Ipv4Cidr Child(int bits, uint64_t index) const;
  // Lazily iterates the subnets of length `new_length` (REQUIRES: length() <= new_length <= 32).
  Ipv4SubnetRange Subnets(int new_length) const;
  // Lazily iterates every address.
  Ipv4AddressRange Addresses() const { return Ipv4AddressRange(range()); }
  // The parent prefix one bit shorter (REQUIRES: length() > 0).
  Ipv4Cidr Parent() const { return Containing(address_, length_ - 1); }

  std::string ToString() const;  // "10.0.0.0/24"

  friend constexpr auto operator<=>(const Ipv4Cidr&, const Ipv4Cidr&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const Ipv4Cidr& c) {
    return H::combine(std::move(h), c.address_, c.length_);
  }

  static constexpr uint32_t HostMask(int length) {
    return length >= 32 ? 0u : (length <= 0 ? 0xFFFFFFFFu : (0xFFFFFFFFu >> length));
  }

 private:
  constexpr Ipv4Cidr(Ipv4Address a, int length) : address_(a), length_(length) {}
  Ipv4Address address_;
  int length_ = 0;
};

std::ostream& operator<<(std::ostream& os, const Ipv4Cidr& c);

// Iterates the equal-size subnets of a prefix lazily, in address order.
class Ipv4SubnetRange {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Ipv4Cidr;
    using difference_type = std::ptrdiff_t;
    using pointer = const Ipv4Cidr*;
    using reference = Ipv4Cidr;
    Iterator() = default;
    Iterator(uint64_t v, int length) : v_(v), length_(length) {}
    Ipv4Cidr operator*() const {
      return Ipv4Cidr::Containing(Ipv4Address(static_cast<uint32_t>(v_)), length_);
    }
    Iterator& operator++() { v_ += uint64_t{1} << (32 - length_); return *this; }
    Iterator operator++(int) { Iterator t = *this; ++*this; return t; }
    bool operator==(const Iterator&) const = default;

   private:
    uint64_t v_ = 0;
    int length_ = 32;
  };
  Ipv4SubnetRange(Ipv4Cidr parent, int new_length) : parent_(parent), length_(new_length) {}
  Iterator begin() const { return Iterator(parent_.network().value(), length_); }
  Iterator end() const {
    return Iterator(uint64_t{parent_.network().value()} + parent_.size(), length_);
  }
  uint64_t size() const { return uint64_t{1} << (length_ - parent_.length()); }

 private:
  Ipv4Cidr parent_;
  int length_;
};

// Parses "a.b.c.d" as a /32 or "a.b.c.d/n" strictly (convenience for flags and policies).
absl::StatusOr<Ipv4Cidr> ParseCidrOrAddress(std::string_view text);

// The fewest prefixes that exactly cover [first, last], in address order. REQUIRES first <= last.
std::vector<Ipv4Cidr> RangeToCidrs(Ipv4Address first, Ipv4Address last);

// The fewest prefixes whose union is exactly the union of `prefixes` (no address added or
// lost), sorted by address. Duplicates and contained prefixes disappear; adjacent siblings
// merge. Any input order.
std::vector<Ipv4Cidr> Summarize(std::vector<Ipv4Cidr> prefixes);

// The union of `ranges` as sorted, disjoint, non-adjacent ranges.
std::vector<Ipv4Range> MergeRanges(std::vector<Ipv4Range> ranges);

// The addresses of `base` not in any of `remove`, as the fewest prefixes in address order
// (e.g. NetworkPolicy ipBlock cidr minus except).
std::vector<Ipv4Cidr> Subtract(const Ipv4Cidr& base, std::vector<Ipv4Cidr> remove);

// Number of bits needed to represent n (BitLength(0)=0, 1→1, 3→2, 7→3, 8→4): the topology split
// pads n children to 2^BitLength(n-1).
int BitLength(uint64_t n);

}  // namespace romana::net

template <>
struct std::hash<romana::net::Ipv4Address> {
  size_t operator()(romana::net::Ipv4Address a) const { return std::hash<uint32_t>()(a.value()); }
};
template <>
struct std::hash<romana::net::Ipv4Cidr> {
  size_t operator()(const romana::net::Ipv4Cidr& c) const {
    return std::hash<uint64_t>()((uint64_t{c.network().value()} << 6) | uint64_t(c.length()));
  }
};

#endif  // ROMANA_NET_IPV4_H_
