// free_list.h: the free addresses of one block as a sorted list of disjoint, non-adjacent
// ranges (the original's IDRing, with its reclaim bug fixed: releasing an address below or
// between free ranges inserts and merges correctly and never drops a range).
//
// Value type; thread-compatible.
#ifndef ROMANA_IPAM_FREE_LIST_H_
#define ROMANA_IPAM_FREE_LIST_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "net/ipv4.h"

namespace romana::ipam {

class FreeList {
 public:
  FreeList() = default;
  // Every address of `bounds` free.
  static FreeList AllFree(net::Ipv4Range bounds);
  // Rebuilds a list from stored ranges. InvalidArgument unless the ranges are sorted, disjoint,
  // non-adjacent and inside `bounds`.
  static absl::StatusOr<FreeList> FromRanges(net::Ipv4Range bounds, std::vector<net::Ipv4Range> free);

  // Takes and returns the lowest free address that is not inside `reserved` (sorted, merged
  // ranges, e.g. from net::MergeRanges); nullopt if there is none. Nothing changes then.
  std::optional<net::Ipv4Address> TakeLowest(const std::vector<net::Ipv4Range>& reserved = {});
  // Takes `a` if it is free; false (no change) otherwise.
  bool Take(net::Ipv4Address a);
  // Returns `a` to the list; false (no change) if it is outside the bounds or already free.
  bool Release(net::Ipv4Address a);

  bool IsFree(net::Ipv4Address a) const;
  uint64_t free_count() const;
  uint64_t allocated_count() const { return bounds_.size() - free_count(); }
  // Free addresses that are not in `reserved` (sorted, merged).
  uint64_t AllocatableCount(const std::vector<net::Ipv4Range>& reserved) const;
  bool all_free() const { return ranges_.size() == 1 && ranges_[0] == bounds_; }
  const std::vector<net::Ipv4Range>& ranges() const { return ranges_; }
  net::Ipv4Range bounds() const { return bounds_; }

  bool operator==(const FreeList&) const = default;

 private:
  net::Ipv4Range bounds_;
  std::vector<net::Ipv4Range> ranges_;
};

// Number of addresses of `r` inside `reserved` (sorted, merged).
uint64_t ReservedCount(net::Ipv4Range r, const std::vector<net::Ipv4Range>& reserved);

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_FREE_LIST_H_
