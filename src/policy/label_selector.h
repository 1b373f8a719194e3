// label_selector.h: Kubernetes label selectors (metav1.LabelSelector): the type, its strict
// JSON decoding with Kubernetes' validation, matching, and a canonical text form. Pure,
// thread-safe.
//
// Semantics (Kubernetes): every matchLabels entry AND every matchExpressions requirement must
// hold; an empty selector matches everything. In: the key is present with one of the values.
// NotIn: the key is absent, or its value is none of the values. Exists / DoesNotExist: the key
// is present / absent.
#ifndef ROMANA_POLICY_LABEL_SELECTOR_H_
#define ROMANA_POLICY_LABEL_SELECTOR_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::policy {

using Labels = std::map<std::string, std::string>;

enum class SelectorOperator { kIn, kNotIn, kExists, kDoesNotExist };

struct LabelSelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;  // non-empty for In/NotIn, empty for Exists/DoesNotExist
  bool operator==(const LabelSelectorRequirement&) const = default;
};

struct LabelSelector {
  Labels match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
  bool operator==(const LabelSelector&) const = default;

  bool empty() const { return match_labels.empty() && match_expressions.empty(); }
};

// True when `labels` satisfy `selector` (see the header comment).
bool Matches(const LabelSelector& selector, const Labels& labels);

// A canonical text form: equal for selectors that are equal up to the order of expressions and
// values (and duplicate values). Used to derive stable names; "" for the empty selector.
std::string CanonicalSelector(const LabelSelector& selector);

// Decodes and validates the JSON object at `path` ({matchLabels, matchExpressions}): label keys
// and values per Kubernetes, operators In/NotIn/Exists/DoesNotExist, values non-empty for
// In/NotIn and absent or empty for Exists/DoesNotExist, no unknown fields. Errors:
// InvalidArgument (api/field_error.h) naming the JSON path, e.g.
// "spec.podSelector.matchExpressions[0].values".
absl::StatusOr<LabelSelector> ParseLabelSelector(const nlohmann::json& json, const std::string& path);

// Validates a label map (metadata.labels, matchLabels): keys and values per Kubernetes. The
// error names `path` and the offending key.
absl::Status CheckLabels(const Labels& labels, const std::string& path);

}  // namespace romana::policy

#endif  // ROMANA_POLICY_LABEL_SELECTOR_H_
