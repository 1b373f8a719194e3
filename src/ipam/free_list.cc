#include "ipam/free_list.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace romana::ipam {

using net::Ipv4Address;
using net::Ipv4Range;

FreeList FreeList::AllFree(Ipv4Range bounds) {
  FreeList f;
  f.bounds_ = bounds;
  f.ranges_ = {bounds};
  return f;
}

absl::StatusOr<FreeList> FreeList::FromRanges(Ipv4Range bounds, std::vector<Ipv4Range> free) {
  for (size_t i = 0; i < free.size(); ++i) {
    const Ipv4Range& r = free[i];
    if (r.first > r.last || r.first < bounds.first || r.last > bounds.last) {
      return absl::InvalidArgumentError(absl::StrCat("free range ", r.ToString(), " is outside block ",
                                                     bounds.ToString()));
    }
    if (i > 0 && uint64_t{free[i - 1].last.value()} + 1 >= r.first.value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("free ranges ", free[i - 1].ToString(), " and ", r.ToString(),
                       " are not sorted, disjoint and non-adjacent"));
    }
  }
  FreeList f;
  f.bounds_ = bounds;
  f.ranges_ = std::move(free);
  return f;
}

std::optional<Ipv4Address> FreeList::TakeLowest(const std::vector<Ipv4Range>& reserved) {
  auto res = reserved.begin();
  for (const Ipv4Range& r : ranges_) {
    uint64_t candidate = r.first.value();
    // Skip reserved ranges that end before the candidate, then hop over those containing it.
    while (res != reserved.end() && res->last.value() < candidate) ++res;
    // Reserved ranges are merged (non-adjacent), so one hop is enough; `res` stays, because the
    // same reserved range may also cover the start of the next free range.
    if (res != reserved.end() && res->first.value() <= candidate && candidate <= res->last.value()) {
      candidate = uint64_t{res->last.value()} + 1;
    }
    if (candidate <= r.last.value()) {
      Ipv4Address a(static_cast<uint32_t>(candidate));
      Take(a);
      return a;
    }
  }
  return std::nullopt;
}

bool FreeList::Take(Ipv4Address a) {
  // First range whose last >= a.
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), a,
                             [](const Ipv4Range& r, Ipv4Address x) { return r.last < x; });
  if (it == ranges_.end() || it->first > a) return false;
  if (it->first == a && it->last == a) {
    ranges_.erase(it);
  } else if (it->first == a) {
    it->first = Ipv4Address(a.value() + 1);
  } else if (it->last == a) {
    it->last = Ipv4Address(a.value() - 1);
  } else {
    Ipv4Range upper{Ipv4Address(a.value() + 1), it->last};
    it->last = Ipv4Address(a.value() - 1);
    ranges_.insert(it + 1, upper);
  }
  return true;
}

bool FreeList::Release(Ipv4Address a) {
  if (!bounds_.Contains(a) || IsFree(a)) return false;
  // First range starting after a.
  auto next = std::upper_bound(ranges_.begin(), ranges_.end(), a,
                               [](Ipv4Address x, const Ipv4Range& r) { return x < r.first; });
  bool join_prev = next != ranges_.begin() && uint64_t{std::prev(next)->last.value()} + 1 == a.value();
  bool join_next = next != ranges_.end() && uint64_t{a.value()} + 1 == next->first.value();
  if (join_prev && join_next) {
    std::prev(next)->last = next->last;
    ranges_.erase(next);
  } else if (join_prev) {
    std::prev(next)->last = a;
  } else if (join_next) {
    next->first = a;
  } else {
    ranges_.insert(next, Ipv4Range{a, a});
  }
  return true;
}

bool FreeList::IsFree(Ipv4Address a) const {
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), a,
                             [](const Ipv4Range& r, Ipv4Address x) { return r.last < x; });
  return it != ranges_.end() && it->first <= a;
}

uint64_t FreeList::free_count() const {
  uint64_t n = 0;
  for (const Ipv4Range& r : ranges_) n += r.size();
  return n;
}

uint64_t FreeList::AllocatableCount(const std::vector<Ipv4Range>& reserved) const {
  uint64_t n = 0;
  for (const Ipv4Range& r : ranges_) n += r.size() - ReservedCount(r, reserved);
  return n;
}

uint64_t ReservedCount(Ipv4Range r, const std::vector<Ipv4Range>& reserved) {
  uint64_t n = 0;
  for (const Ipv4Range& x : reserved) {
    uint64_t lo = std::max(r.first.value(), x.first.value());
    uint64_t hi = std::min(r.last.value(), x.last.value());
    if (lo <= hi) n += hi - lo + 1;
  }
  return n;
}

}  // namespace romana::ipam
