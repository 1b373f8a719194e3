#include "api/k8s_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"

namespace romana::api {
namespace {

using api::FieldError;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

bool IsDns1123LabelSyntax(absl::string_view v) {
  if (v.empty() || v.size() > 63) return false;
  if (!IsLowerAlnum(v.front()) || !IsLowerAlnum(v.back())) return false;
  for (char c : v) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsDns1123SubdomainSyntax(absl::string_view v) {
  if (v.empty() || v.size() > 253) return false;
  for (absl::string_view part : absl::StrSplit(v, '.')) {
    // Each part follows the label rule, without the 63-character limit.
    if (part.empty() || !IsLowerAlnum(part.front()) || !IsLowerAlnum(part.back())) return false;
    for (char c : part) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
  }
  return true;
}

// The name part of a qualified name, and a non-empty label value.
bool IsQualifiedNamePart(absl::string_view v) {
  if (v.empty() || v.size() > 63) return false;
  if (!IsAlnum(v.front()) || !IsAlnum(v.back())) return false;
  for (char c : v) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string Quoted(absl::string_view v) { return absl::StrCat("\"", v, "\""); }

}  // namespace

absl::Status CheckDns1123Label(absl::string_view value, absl::string_view field) {
  if (value.empty()) return FieldError(field, "is required");
  if (!IsDns1123LabelSyntax(value)) {
    return FieldError(field, absl::StrCat(Quoted(value),
                                          " must be an RFC 1123 label: at most 63 lowercase letters, "
                                          "digits or '-', starting and ending with a letter or digit"));
  }
  return absl::OkStatus();
}

absl::Status CheckDns1123Subdomain(absl::string_view value, absl::string_view field) {
  if (value.empty()) return FieldError(field, "is required");
  if (!IsDns1123SubdomainSyntax(value)) {
    return FieldError(field, absl::StrCat(Quoted(value),
                                          " must be an RFC 1123 subdomain: at most 253 lowercase "
                                          "letters, digits, '-' or '.', each part starting and "
                                          "ending with a letter or digit"));
  }
  return absl::OkStatus();
}

absl::Status CheckLabelKey(absl::string_view key, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(key, '/');
  if (parts.size() > 2) {
    return FieldError(field, absl::StrCat("label key ", Quoted(key), " has more than one '/'"));
  }
  absl::string_view name = parts.back();
  if (parts.size() == 2 && !IsDns1123SubdomainSyntax(parts[0])) {
    return FieldError(field, absl::StrCat("label key ", Quoted(key),
                                          ": the prefix must be an RFC 1123 subdomain (e.g. example.com)"));
  }
  if (!IsQualifiedNamePart(name)) {
    return FieldError(field, absl::StrCat("label key ", Quoted(key),
                                          ": the name must be 1..63 letters, digits, '-', '_' or '.', "
                                          "starting and ending with a letter or digit"));
  }
  return absl::OkStatus();
}

absl::Status CheckLabelValue(absl::string_view value, absl::string_view field) {
  if (value.empty() || IsQualifiedNamePart(value)) return absl::OkStatus();
  return FieldError(field, absl::StrCat("label value ", Quoted(value),
                                        " must be empty or 1..63 letters, digits, '-', '_' or '.', "
                                        "starting and ending with a letter or digit"));
}

absl::Status CheckPortName(absl::string_view name, absl::string_view field) {
  const std::string q = Quoted(name);
  if (name.empty() || name.size() > 15) {
    return FieldError(field, absl::StrCat("port name ", q, " must be 1..15 characters"));
  }
  bool letter = false;
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '-') {
      return FieldError(field, absl::StrCat("port name ", q, " may contain only lowercase letters, digits and '-'"));
    }
    letter = letter || (c >= 'a' && c <= 'z');
  }
  if (!letter) return FieldError(field, absl::StrCat("port name ", q, " must contain at least one letter"));
  if (name.front() == '-' || name.back() == '-') {
    return FieldError(field, absl::StrCat("port name ", q, " must not begin or end with '-'"));
  }
  if (name.find("--") != absl::string_view::npos) {
    return FieldError(field, absl::StrCat("port name ", q, " must not contain \"--\""));
  }
  return absl::OkStatus();
}

}  // namespace romana::api
