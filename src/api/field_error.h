// field_error.h: absl::Status values that remember which input field was at fault.
//
// The daemon turns a status into the REST error body {"error": {"code", "message", "field"}}; the
// field travels as a status payload so that pure validators (policy, request parsing) can name
// it without knowing about HTTP. The API client restores the same payloads from error bodies, so
// callers of the client see the field too. Thread-safe (pure functions).
#ifndef ROMANA_API_FIELD_ERROR_H_
#define ROMANA_API_FIELD_ERROR_H_

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace romana::api {

// InvalidArgument "<field>: <message>" carrying `field` (a JSON path such as
// "applied_to[0].peer") as a payload.
absl::Status FieldError(absl::string_view field, absl::string_view message);

// Same status code and payloads as `status`, but with `prefix` prepended to the field path
// ("ingress[0]" + "peers[1].cidr" -> "ingress[0].peers[1].cidr") and to the message.
absl::Status PrefixField(const absl::Status& status, absl::string_view prefix);

// The field recorded by FieldError (or WithField), if any.
std::optional<std::string> FieldOf(const absl::Status& status);

// Returns `status` with `field` recorded (message unchanged).
absl::Status WithField(absl::Status status, absl::string_view field);

// A short machine-readable error code (e.g. "not_leader", "compacted", "already_exists")
// carried next to the absl code; the daemon puts it into the error body's "code".
absl::Status WithErrorCode(absl::Status status, absl::string_view code);
std::optional<std::string> ErrorCodeOf(const absl::Status& status);

// Arbitrary string payloads under romana's namespace ("leader", "compact_revision", "conflicts").
absl::Status WithDetail(absl::Status status, absl::string_view name, absl::string_view value);
std::optional<std::string> DetailOf(const absl::Status& status, absl::string_view name);

}  // namespace romana::api

#endif  // ROMANA_API_FIELD_ERROR_H_
