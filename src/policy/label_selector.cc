#include "policy/label_selector.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/field_error.h"
#include "api/json_reader.h"
#include "api/k8s_names.h"

namespace romana::policy {
namespace {

using api::FieldError;
using api::JoinPath;
using api::ObjectReader;

const char* OperatorName(SelectorOperator op) {
  switch (op) {
    case SelectorOperator::kIn: return "In";
    case SelectorOperator::kNotIn: return "NotIn";
    case SelectorOperator::kExists: return "Exists";
    case SelectorOperator::kDoesNotExist: return "DoesNotExist";
  }
  return "?";
}

bool RequirementHolds(const LabelSelectorRequirement& r, const Labels& labels) {
  auto it = labels.find(r.key);
  const bool present = it != labels.end();
  switch (r.op) {
    case SelectorOperator::kExists: return present;
    case SelectorOperator::kDoesNotExist: return !present;
    case SelectorOperator::kIn:
      return present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    case SelectorOperator::kNotIn:
      return !present || std::find(r.values.begin(), r.values.end(), it->second) == r.values.end();
  }
  return false;
}

absl::StatusOr<LabelSelectorRequirement> ParseRequirement(const nlohmann::json& j, const std::string& path) {
  ObjectReader r(j, path);
  LabelSelectorRequirement req;
  req.key = r.String("key", /*required=*/true);
  const std::string op = r.String("operator", /*required=*/true);
  const nlohmann::json* values = r.Array("values");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  if (absl::Status s = api::CheckLabelKey(req.key, JoinPath(path, "key")); !s.ok()) return s;
  if (op == "In") {
    req.op = SelectorOperator::kIn;
  } else if (op == "NotIn") {
    req.op = SelectorOperator::kNotIn;
  } else if (op == "Exists") {
    req.op = SelectorOperator::kExists;
  } else if (op == "DoesNotExist") {
    req.op = SelectorOperator::kDoesNotExist;
  } else {
    return FieldError(JoinPath(path, "operator"),
                      absl::StrCat("unsupported operator \"", op, "\"; use In, NotIn, Exists or DoesNotExist"));
  }
  const std::string values_path = JoinPath(path, "values");
  if (values != nullptr) {
    for (size_t i = 0; i < values->size(); ++i) {
      const std::string vpath = absl::StrCat(values_path, "[", i, "]");
      if (!(*values)[i].is_string()) return FieldError(vpath, "must be a string");
      req.values.push_back((*values)[i].get<std::string>());
      if (absl::Status s = api::CheckLabelValue(req.values.back(), vpath); !s.ok()) return s;
    }
  }
  const bool needs_values = req.op == SelectorOperator::kIn || req.op == SelectorOperator::kNotIn;
  if (needs_values && req.values.empty()) {
    return FieldError(values_path, absl::StrCat("must be non-empty when operator is ", op));
  }
  if (!needs_values && !req.values.empty()) {
    return FieldError(values_path, absl::StrCat("may not be specified when operator is ", op));
  }
  return req;
}

}  // namespace

bool Matches(const LabelSelector& selector, const Labels& labels) {
  for (const auto& [key, value] : selector.match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  for (const LabelSelectorRequirement& r : selector.match_expressions) {
    if (!RequirementHolds(r, labels)) return false;
  }
  return true;
}

std::string CanonicalSelector(const LabelSelector& selector) {
  // matchLabels k=v is the requirement "k In (v)"; writing both forms alike makes
  // {matchLabels:{a:b}} and {matchExpressions:[{a In [b]}]} share a name.
  std::set<std::string> terms;
  for (const auto& [key, value] : selector.match_labels) terms.insert(absl::StrCat(key, " In (", value, ")"));
  for (const LabelSelectorRequirement& r : selector.match_expressions) {
    std::set<std::string> values(r.values.begin(), r.values.end());
    terms.insert(absl::StrCat(r.key, " ", OperatorName(r.op), " (", absl::StrJoin(values, ","), ")"));
  }
  return absl::StrJoin(terms, ";");
}

absl::Status CheckLabels(const Labels& labels, const std::string& path) {
  for (const auto& [key, value] : labels) {
    if (absl::Status s = api::CheckLabelKey(key, path); !s.ok()) return s;
    if (absl::Status s = api::CheckLabelValue(value, JoinPath(path, key)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<LabelSelector> ParseLabelSelector(const nlohmann::json& json, const std::string& path) {
  ObjectReader r(json, path);
  LabelSelector selector;
  selector.match_labels = r.StringMap("matchLabels");
  const nlohmann::json* expressions = r.Array("matchExpressions");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  if (absl::Status s = CheckLabels(selector.match_labels, r.Path("matchLabels")); !s.ok()) return s;
  if (expressions != nullptr) {
    for (size_t i = 0; i < expressions->size(); ++i) {
      absl::StatusOr<LabelSelectorRequirement> req =
          ParseRequirement((*expressions)[i], absl::StrCat(r.Path("matchExpressions"), "[", i, "]"));
      if (!req.ok()) return req.status();
      selector.match_expressions.push_back(*std::move(req));
    }
  }
  return selector;
}

}  // namespace romana::policy
