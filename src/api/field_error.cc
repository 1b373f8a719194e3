#include "api/field_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace romana::api {
namespace {

constexpr absl::string_view kFieldUrl = "romana.io/field";
constexpr absl::string_view kCodeUrl = "romana.io/code";

std::string DetailUrl(absl::string_view name) { return absl::StrCat("romana.io/detail/", name); }

std::optional<std::string> Payload(const absl::Status& status, absl::string_view url) {
  auto p = status.GetPayload(url);
  if (!p.has_value()) return std::nullopt;
  return std::string(*p);
}

}  // namespace

absl::Status FieldError(absl::string_view field, absl::string_view message) {
  absl::Status s = absl::InvalidArgumentError(
      field.empty() ? std::string(message) : absl::StrCat(field, ": ", message));
  if (!field.empty()) s.SetPayload(kFieldUrl, absl::Cord(field));
  return s;
}

absl::Status PrefixField(const absl::Status& status, absl::string_view prefix) {
  if (status.ok() || prefix.empty()) return status;
  std::optional<std::string> field = FieldOf(status);
  std::string joined;
  std::string message(status.message());
  if (field.has_value()) {
    joined = (!field->empty() && (*field)[0] == '[') ? absl::StrCat(prefix, *field)
                                                     : absl::StrCat(prefix, ".", *field);
    // Messages built by FieldError start with the old field; rewrite that part.
    if (message.rfind(*field + ": ", 0) == 0) {
      message = absl::StrCat(joined, message.substr(field->size()));
    } else {
      message = absl::StrCat(prefix, ": ", message);
    }
  } else {
    joined = std::string(prefix);
    message = absl::StrCat(prefix, ": ", message);
  }
  absl::Status out(status.code(), message);
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    out.SetPayload(url, value);
  });
  out.SetPayload(kFieldUrl, absl::Cord(joined));
  return out;
}

std::optional<std::string> FieldOf(const absl::Status& status) { return Payload(status, kFieldUrl); }

absl::Status WithField(absl::Status status, absl::string_view field) {
  if (!status.ok() && !field.empty()) status.SetPayload(kFieldUrl, absl::Cord(field));
  return status;
}

absl::Status WithErrorCode(absl::Status status, absl::string_view code) {
  if (!status.ok()) status.SetPayload(kCodeUrl, absl::Cord(code));
  return status;
}

std::optional<std::string> ErrorCodeOf(const absl::Status& status) {
  return Payload(status, kCodeUrl);
}

absl::Status WithDetail(absl::Status status, absl::string_view name, absl::string_view value) {
  if (!status.ok()) status.SetPayload(DetailUrl(name), absl::Cord(value));
  return status;
}

std::optional<std::string> DetailOf(const absl::Status& status, absl::string_view name) {
  return Payload(status, DetailUrl(name));
}

}  // namespace romana::api
