// truth_table.h: a reachability matrix between named pods ("x/a"), as upstream Kubernetes'
// NetworkPolicy e2e suite prints it (test/e2e/network/netpol/truthtable.go): rows are the
// sources, columns the destinations, "." allowed, "X" blocked, "-" not compared (loopback, or
// `ignore` in an expectation). Also the comparison of an expectation with an observation.
// Pure; thread-compatible.
#ifndef ROMANA_LAB_TRUTH_TABLE_H_
#define ROMANA_LAB_TRUTH_TABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace romana::lab {

enum class Reachability { kIgnore, kAllowed, kBlocked };

class TruthTable {
 public:
  TruthTable() = default;
  // Every ordered pair set to `value`, the loopback pairs to kIgnore.
  TruthTable(std::vector<std::string> pods, Reachability value);

  const std::vector<std::string>& pods() const { return pods_; }
  // InvalidArgument naming the pod when it is not in the table.
  absl::StatusOr<Reachability> Get(const std::string& from, const std::string& to) const;
  absl::Status Set(const std::string& from, const std::string& to, Reachability value);
  Reachability at(size_t from, size_t to) const { return cells_[from][to]; }
  void set(size_t from, size_t to, Reachability value) { cells_[from][to] = value; }
  // Pairs that are not kIgnore.
  int CountCompared() const;

  bool operator==(const TruthTable&) const = default;

 private:
  std::vector<std::string> pods_;
  std::vector<std::vector<Reachability>> cells_;  // [from][to]
};

// The printed form (fixed-width columns; "-" in the corner):
//   -    x/a  x/b
//   x/a  -    X
//   x/b  .    -
std::string FormatTable(const TruthTable& t);
// Reads FormatTable's output (extra blank lines and '#' comment lines are skipped; columns are
// separated by any whitespace; "?" is read as "-"). InvalidArgument naming the line and reason.
absl::StatusOr<TruthTable> ParseTable(const std::string& text);

struct Mismatch {
  std::string from, to;
  Reachability expected = Reachability::kIgnore;
  Reachability observed = Reachability::kIgnore;
};
// The pairs (in row order) where `expected` says allowed/blocked and `observed` says the
// opposite or has no value (a pod missing from `observed` counts as kIgnore there, so a
// mismatch).
std::vector<Mismatch> Compare(const TruthTable& expected, const TruthTable& observed);
// Upstream's comparison table ("." = as expected, "X" = differs, "-" = not compared), then one
// line per mismatch: "x/a -> y/b: expected blocked, observed allowed". Empty when none.
std::string FormatMismatches(const TruthTable& expected, const std::vector<Mismatch>& mismatches);

}  // namespace romana::lab

#endif  // ROMANA_LAB_TRUTH_TABLE_H_
