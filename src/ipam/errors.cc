#include "ipam/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace romana::ipam {

absl::Status FieldError(absl::StatusCode code, absl::string_view p, absl::string_view w) {
  absl::Status s(code, p.empty() ? std::string(w) : absl::StrCat(p, ": ", w));
  if (!p.empty()) s.SetPayload(kFieldPayloadUrl, absl::Cord(p));
  return s;
}

std::optional<std::string> ErrorField(const absl::Status& status) {
  absl::optional<absl::Cord> c = status.GetPayload(kFieldPayloadUrl);
  if (!c.has_value()) return std::nullopt;
  return std::string(*c);
}

}  // namespace romana::ipam
