// errors.h: statuses that name the offending input field.
//
// IPAM and topology errors about user input carry the JSON path of the bad value
// ("topologies[0].map[2].groups[1].assignment") both in the message ("<path>: <why>") and as a
// status payload, so romanad can put it into the error body's "field" without parsing text.
// Thread-safe (pure functions).
#ifndef ROMANA_IPAM_ERRORS_H_
#define ROMANA_IPAM_ERRORS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace romana::ipam {

// The payload type URL under which the field path is stored.
inline constexpr char kFieldPayloadUrl[] = "type.romana.io/field";

// A status with `code`, message "<path>: <why>" and the path as payload.
absl::Status FieldError(absl::StatusCode code, absl::string_view path, absl::string_view why);
inline absl::Status InvalidField(absl::string_view path, absl::string_view why) {
  return FieldError(absl::StatusCode::kInvalidArgument, path, why);
}

// The field path attached by FieldError, if any.
std::optional<std::string> ErrorField(const absl::Status& status);

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_ERRORS_H_
