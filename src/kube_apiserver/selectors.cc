#include "kube_apiserver/selectors.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace romana::kube_apiserver {
namespace {

bool IsKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/'; }
bool IsValueChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

absl::Status Invalid(std::string_view selector, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("unable to parse requirement \"", std::string(selector), "\": ", std::string(why)));
}

// A cursor over a label selector's text.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ >= s_.size();
  }
  bool Consume(std::string_view token) {
    SkipSpace();
    if (s_.substr(i_, token.size()) != token) return false;
    i_ += token.size();
    return true;
  }
  // A word of key characters (may be empty).
  std::string Word(bool key) {
    SkipSpace();
    size_t start = i_;
    while (i_ < s_.size() && (key ? IsKeyChar(s_[i_]) : IsValueChar(s_[i_]))) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  // True when the next word is `kw` followed by a space or '(' (so "in" is not a key "inx").
  bool Keyword(std::string_view kw) {
    SkipSpace();
    if (s_.substr(i_, kw.size()) != kw) return false;
    size_t after = i_ + kw.size();
    if (after < s_.size() && (std::isspace(static_cast<unsigned char>(s_[after])) || s_[after] == '(')) {
      i_ = after;
      return true;
    }
    return false;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

absl::StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector out;
  Scanner sc(text);
  if (sc.AtEnd()) return out;
  while (true) {
    Requirement r;
    if (sc.Consume("!")) {
      r.key = sc.Word(true);
      if (r.key.empty()) return Invalid(text, "'!' must be followed by a label key");
      r.op = Op::kNotExists;
    } else {
      r.key = sc.Word(true);
      if (r.key.empty()) return Invalid(text, "expected a label key");
      if (sc.Consume("==") || sc.Consume("=")) {
        r.op = Op::kEquals;
        r.values.push_back(sc.Word(false));
      } else if (sc.Consume("!=")) {
        r.op = Op::kNotEquals;
        r.values.push_back(sc.Word(false));
      } else if (sc.Consume(">")) {
        r.op = Op::kGreater;
      } else if (sc.Consume("<")) {
        r.op = Op::kLess;
      } else if (sc.Keyword("notin")) {
        r.op = Op::kNotIn;
      } else if (sc.Keyword("in")) {
        r.op = Op::kIn;
      } else {
        r.op = Op::kExists;
      }
      if (r.op == Op::kGreater || r.op == Op::kLess) {
        std::string v = sc.Word(false);
        int64_t n = 0;
        if (!absl::SimpleAtoi(v, &n)) return Invalid(text, "'>' and '<' need an integer value");
        r.values.push_back(v);
      } else if (r.op == Op::kIn || r.op == Op::kNotIn) {
        if (!sc.Consume("(")) return Invalid(text, "'in' and 'notin' need a list of values in parentheses");
        while (true) {
          r.values.push_back(sc.Word(false));
          if (sc.Consume(")")) break;
          if (!sc.Consume(",")) return Invalid(text, "expected ',' or ')' in a set of values");
        }
      }
    }
    out.requirements_.push_back(std::move(r));
    if (sc.AtEnd()) break;
    if (!sc.Consume(",")) return Invalid(text, "expected ',' between requirements");
  }
  return out;
}

bool LabelSelector::Matches(const Labels& labels) const {
  for (const Requirement& r : requirements_) {
    auto it = labels.find(r.key);
    const bool has = it != labels.end();
    switch (r.op) {
      case Op::kExists:
        if (!has) return false;
        break;
      case Op::kNotExists:
        if (has) return false;
        break;
      case Op::kEquals:
      case Op::kIn:
        if (!has || std::find(r.values.begin(), r.values.end(), it->second) == r.values.end()) return false;
        break;
      case Op::kNotEquals:
      case Op::kNotIn:
        if (has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end()) return false;
        break;
      case Op::kGreater:
      case Op::kLess: {
        int64_t have = 0, want = 0;
        if (!has || !absl::SimpleAtoi(it->second, &have) || !absl::SimpleAtoi(r.values[0], &want)) return false;
        if (r.op == Op::kGreater ? !(have > want) : !(have < want)) return false;
        break;
      }
    }
  }
  return true;
}

absl::StatusOr<FieldSelector> FieldSelector::Parse(std::string_view text, const std::vector<std::string>& supported) {
  FieldSelector out;
  // Split on unescaped ',', then each term on its first unescaped '=' / '==' / '!='.
  std::vector<std::string> terms(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      terms.back() += text.substr(i, 2);
      ++i;
    } else if (text[i] == ',') {
      terms.emplace_back();
    } else {
      terms.back() += text[i];
    }
  }
  for (const std::string& raw : terms) {
    const std::string term(absl::StripAsciiWhitespace(raw));
    if (term.empty()) {
      if (terms.size() == 1) break;
      return absl::InvalidArgumentError(absl::StrCat("invalid field selector \"", std::string(text), "\": empty term"));
    }
    Requirement r;
    size_t i = 0;
    std::string field;
    while (i < term.size() && term[i] != '=' && term[i] != '!' && term[i] != '\\') field += term[i++];
    if (term.substr(i, 2) == "!=") {
      r.equals = false;
      i += 2;
    } else if (term.substr(i, 2) == "==") {
      i += 2;
    } else if (term.substr(i, 1) == "=") {
      i += 1;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("invalid field selector \"", std::string(text), "\": \"", std::string(term),
                                                     "\" is not field=value, field==value or field!=value"));
    }
    for (; i < term.size(); ++i) {
      if (term[i] == '\\' && i + 1 < term.size()) ++i;
      r.value += term[i];
    }
    r.field = std::string(absl::StripAsciiWhitespace(field));
    if (r.field != "metadata.name" && r.field != "metadata.namespace" &&
        std::find(supported.begin(), supported.end(), r.field) == supported.end()) {
      return absl::InvalidArgumentError(absl::StrCat("field label not supported: ", r.field));
    }
    out.requirements_.push_back(std::move(r));
  }
  return out;
}

bool FieldSelector::Matches(const Fields& fields) const {
  for (const Requirement& r : requirements_) {
    std::string have;
    for (const auto& [f, v] : fields) {
      if (f == r.field) {
        have = v;
        break;
      }
    }
    if ((have == r.value) != r.equals) return false;
  }
  return true;
}

}  // namespace romana::kube_apiserver
