// selectors.h: Kubernetes label and field selectors (the labelSelector and fieldSelector
// query parameters of list and watch), parsed once per request and matched per object. Pure.
//
// Label selector grammar (as k8s.io/apimachinery/pkg/labels): requirements joined by ',':
//   key | !key | key=value | key==value | key!=value | key in (v1,v2) | key notin (v1,v2) |
//   key>N | key<N
// `!=` and `notin` also match objects without the label. An empty selector matches everything.
// Field selector grammar: field=value | field==value | field!=value, joined by ','; '\' escapes
// ',', '=' and '\' in values. Thread-safety: immutable values; safe from any thread.
#ifndef ROMANA_KUBE_APISERVER_SELECTORS_H_
#define ROMANA_KUBE_APISERVER_SELECTORS_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace romana::kube_apiserver {

using Labels = std::map<std::string, std::string>;
// Selectable field -> value ("metadata.name" -> "web-1").
using Fields = std::vector<std::pair<std::string, std::string>>;

class LabelSelector {
 public:
  enum class Op { kExists, kNotExists, kEquals, kNotEquals, kIn, kNotIn, kGreater, kLess };
  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;
  };

  // InvalidArgument naming the offending requirement for text that is not a selector.
  static absl::StatusOr<LabelSelector> Parse(std::string_view text);
  bool Matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  struct Requirement {
    std::string field;
    bool equals = true;  // false: !=
    std::string value;
  };

  // InvalidArgument for malformed text, or for a field not in `supported` ("field label not
  // supported: x", as the Kubernetes API answers).
  static absl::StatusOr<FieldSelector> Parse(std::string_view text, const std::vector<std::string>& supported);
  // A field missing from `fields` has the value "".
  bool Matches(const Fields& fields) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  std::vector<Requirement> requirements_;
};

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_SELECTORS_H_
