#include "lab/truth_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace romana::lab {
namespace {

const char* Mark(Reachability r) {
  switch (r) {
    case Reachability::kAllowed: return ".";
    case Reachability::kBlocked: return "X";
    case Reachability::kIgnore: break;
  }
  return "-";
}

const char* Word(Reachability r) {
  switch (r) {
    case Reachability::kAllowed: return "allowed";
    case Reachability::kBlocked: return "blocked";
    case Reachability::kIgnore: break;
  }
  return "not probed";
}

int IndexOf(const std::vector<std::string>& pods, const std::string& pod) {
  auto it = std::find(pods.begin(), pods.end(), pod);
  return it == pods.end() ? -1 : static_cast<int>(it - pods.begin());
}

// Rows of marks under a header of pod names, every column as wide as the widest name.
std::string Grid(const std::vector<std::string>& pods, const std::vector<std::vector<std::string>>& marks) {
  size_t w = 1;
  for (const std::string& p : pods) w = std::max(w, p.size());
  auto cell = [&](const std::string& s) { return s + std::string(w + 2 - s.size(), ' '); };
  std::string out = cell("-");
  for (const std::string& p : pods) out += cell(p);
  out = std::string(absl::StripTrailingAsciiWhitespace(out)) + "\n";
  for (size_t i = 0; i < pods.size(); ++i) {
    std::string line = cell(pods[i]);
    for (const std::string& m : marks[i]) line += cell(m);
    absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  }
  return out;
}

}  // namespace

TruthTable::TruthTable(std::vector<std::string> pods, Reachability value) : pods_(std::move(pods)) {
  cells_.assign(pods_.size(), std::vector<Reachability>(pods_.size(), value));
  for (size_t i = 0; i < pods_.size(); ++i) cells_[i][i] = Reachability::kIgnore;
}

absl::StatusOr<Reachability> TruthTable::Get(const std::string& from, const std::string& to) const {
  int f = IndexOf(pods_, from), t = IndexOf(pods_, to);
  if (f < 0) return absl::InvalidArgumentError(absl::StrCat("pod ", from, " is not in the table"));
  if (t < 0) return absl::InvalidArgumentError(absl::StrCat("pod ", to, " is not in the table"));
  return cells_[f][t];
}

absl::Status TruthTable::Set(const std::string& from, const std::string& to, Reachability value) {
  int f = IndexOf(pods_, from), t = IndexOf(pods_, to);
  if (f < 0) return absl::InvalidArgumentError(absl::StrCat("pod ", from, " is not in the table"));
  if (t < 0) return absl::InvalidArgumentError(absl::StrCat("pod ", to, " is not in the table"));
  cells_[f][t] = value;
  return absl::OkStatus();
}

int TruthTable::CountCompared() const {
  int n = 0;
  for (const auto& row : cells_) n += std::count_if(row.begin(), row.end(), [](Reachability r) { return r != Reachability::kIgnore; });
  return n;
}

std::string FormatTable(const TruthTable& t) {
  std::vector<std::vector<std::string>> marks(t.pods().size());
  for (size_t i = 0; i < t.pods().size(); ++i) {
    for (size_t j = 0; j < t.pods().size(); ++j) marks[i].push_back(Mark(t.at(i, j)));
  }
  return Grid(t.pods(), marks);
}

absl::StatusOr<TruthTable> ParseTable(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<int> line_numbers;
  int n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++n;
    absl::string_view s = absl::StripAsciiWhitespace(line);
    if (s.empty() || s.front() == '#') continue;
    rows.push_back(absl::StrSplit(s, absl::ByAnyChar(" \t"), absl::SkipEmpty()));
    line_numbers.push_back(n);
  }
  if (rows.empty()) return absl::InvalidArgumentError("truth table: no header line");
  std::vector<std::string> header = rows[0];
  if (header.empty() || header[0] != "-") {
    return absl::InvalidArgumentError(absl::StrCat("truth table line ", line_numbers[0], ": the header must start with \"-\""));
  }
  std::vector<std::string> pods(header.begin() + 1, header.end());
  if (rows.size() - 1 != pods.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("truth table: ", pods.size(), " columns but ", rows.size() - 1, " rows"));
  }
  TruthTable t(pods, Reachability::kIgnore);
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string>& r = rows[i];
    const std::string where = absl::StrCat("truth table line ", line_numbers[i], ": ");
    if (r[0] != pods[i - 1]) {
      return absl::InvalidArgumentError(absl::StrCat(where, "row \"", r[0], "\" where \"", pods[i - 1], "\" was expected (rows in the header's order)"));
    }
    if (r.size() != pods.size() + 1) {
      return absl::InvalidArgumentError(absl::StrCat(where, r.size() - 1, " cells, want ", pods.size()));
    }
    for (size_t j = 0; j < pods.size(); ++j) {
      const std::string& m = r[j + 1];
      Reachability v;
      if (m == ".") v = Reachability::kAllowed;
      else if (m == "X" || m == "x") v = Reachability::kBlocked;
      else if (m == "-" || m == "?") v = Reachability::kIgnore;
      else return absl::InvalidArgumentError(absl::StrCat(where, "cell \"", m, "\" for ", pods[j], " is not one of . X - ?"));
      t.set(i - 1, j, v);
    }
  }
  return t;
}

std::vector<Mismatch> Compare(const TruthTable& expected, const TruthTable& observed) {
  std::vector<Mismatch> out;
  const std::vector<std::string>& pods = expected.pods();
  for (size_t i = 0; i < pods.size(); ++i) {
    for (size_t j = 0; j < pods.size(); ++j) {
      Reachability want = expected.at(i, j);
      if (want == Reachability::kIgnore) continue;
      Reachability have = observed.Get(pods[i], pods[j]).value_or(Reachability::kIgnore);
      if (have != want) out.push_back({pods[i], pods[j], want, have});
    }
  }
  return out;
}

std::string FormatMismatches(const TruthTable& expected, const std::vector<Mismatch>& mismatches) {
  if (mismatches.empty()) return "";
  const std::vector<std::string>& pods = expected.pods();
  std::vector<std::vector<std::string>> marks(pods.size());
  for (size_t i = 0; i < pods.size(); ++i) {
    for (size_t j = 0; j < pods.size(); ++j) {
      bool bad = std::any_of(mismatches.begin(), mismatches.end(),
                             [&](const Mismatch& m) { return m.from == pods[i] && m.to == pods[j]; });
      marks[i].push_back(expected.at(i, j) == Reachability::kIgnore ? "-" : bad ? "X" : ".");
    }
  }
  std::string out = absl::StrCat("comparison (. as expected, X differs, - not compared):\n", Grid(pods, marks));
  for (const Mismatch& m : mismatches) {
    absl::StrAppend(&out, m.from, " -> ", m.to, ": expected ", Word(m.expected), ", observed ", Word(m.observed), "\n");
  }
  return out;
}

}  // namespace romana::lab
