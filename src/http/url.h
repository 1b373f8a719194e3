// url.h: the project's one percent-encoder (RFC 3986) and its decoder, for URL paths and
// query strings built by every HTTP client (romanad API, Kubernetes, EC2 + SigV4).
// Pure functions, thread-safe.
#ifndef ROMANA_HTTP_URL_H_
#define ROMANA_HTTP_URL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romana::http {

// Escapes every byte except the unreserved characters A-Z a-z 0-9 - _ . ~ (and '/' when
// `keep_slash`) as %XX with upper-case hex. This is the encoding SigV4 requires and is valid
// for a path segment or a query name/value.
std::string PercentEncode(absl::string_view s, bool keep_slash = false);

// Decodes %XX escapes; '+' stays '+' unless `plus_is_space` (query components of a request
// target). Errors: InvalidArgument on a truncated or non-hex escape.
absl::StatusOr<std::string> PercentDecode(absl::string_view s, bool plus_is_space = false);

// "?k1=v1&k2=v2" with names and values percent-encoded, in the given order; pairs whose value
// is empty are left out; "" when nothing is left.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace romana::http

#endif  // ROMANA_HTTP_URL_H_
