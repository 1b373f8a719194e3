// k8s_names.h: Kubernetes' syntax rules for names, label keys and values, and port names
// (k8s.io/apimachinery/pkg/util/validation), as the API server applies them: part of the wire
// format, so they live with the API types (romanad's request parsers and the policy library both
// use them). Pure, thread-safe.
//
// Each Check* returns OK or a FieldError (api/field_error.h) naming `field` and saying which rule
// the value breaks, in the API server's words where they are clear.
#ifndef ROMANA_API_K8S_NAMES_H_
#define ROMANA_API_K8S_NAMES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace romana::api {

// The label the Kubernetes API server puts on every namespace (immutable): its own name. romanad
// sets it the same way, and policy evaluation always adds it, so a namespaceSelector may select a
// namespace by name through it.
inline constexpr char kNamespaceNameLabel[] = "kubernetes.io/metadata.name";


// RFC 1123 label: 1..63 of [a-z0-9-], starting and ending alphanumeric (namespace names).
absl::Status CheckDns1123Label(absl::string_view value, absl::string_view field);

// RFC 1123 subdomain: 1..253 characters, dot-separated RFC 1123 labels (object names, prefixes).
absl::Status CheckDns1123Subdomain(absl::string_view value, absl::string_view field);

// Label key (qualified name): optional "<dns-subdomain>/" prefix, then a name of 1..63 of
// [A-Za-z0-9-_.] that starts and ends alphanumeric.
absl::Status CheckLabelKey(absl::string_view key, absl::string_view field);

// Label value: empty, or 1..63 of [A-Za-z0-9-_.] starting and ending alphanumeric.
absl::Status CheckLabelValue(absl::string_view value, absl::string_view field);

// IANA_SVC_NAME (a named container port): 1..15 of [a-z0-9-], at least one letter, no leading,
// trailing or doubled '-'.
absl::Status CheckPortName(absl::string_view name, absl::string_view field);

}  // namespace romana::api

#endif  // ROMANA_API_K8S_NAMES_H_
