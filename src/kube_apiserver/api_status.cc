#include "kube_apiserver/api_status.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

constexpr char kReasonUrl[] = "romana.io/kube-reason";
constexpr char kCodeUrl[] = "romana.io/kube-code";
constexpr char kDetailsUrl[] = "romana.io/kube-details";

absl::Status Make(absl::StatusCode code, int http, const std::string& reason, const std::string& message,
                  const json& details = nullptr) {
  absl::Status s(code, message);
  s.SetPayload(kReasonUrl, absl::Cord(reason));
  s.SetPayload(kCodeUrl, absl::Cord(absl::StrCat(http)));
  if (!details.is_null()) s.SetPayload(kDetailsUrl, absl::Cord(details.dump()));
  return s;
}

json Details(const ResourceInfo& r, const std::string& name) {
  json d = {{"name", name}, {"kind", r.plural}};
  if (!r.group.empty()) d["group"] = r.group;
  return d;
}

std::string Quoted(const ResourceInfo& r, const std::string& name) { return absl::StrCat(r.qualified(), " \"", name, "\""); }

}  // namespace

absl::Status NotFoundError(const ResourceInfo& r, const std::string& name) {
  return Make(absl::StatusCode::kNotFound, 404, "NotFound", Quoted(r, name) + " not found", Details(r, name));
}
absl::Status AlreadyExistsError(const ResourceInfo& r, const std::string& name) {
  return Make(absl::StatusCode::kAlreadyExists, 409, "AlreadyExists", Quoted(r, name) + " already exists",
              Details(r, name));
}
absl::Status ConflictError(const ResourceInfo& r, const std::string& name, const std::string& why) {
  return Make(absl::StatusCode::kAborted, 409, "Conflict",
              absl::StrCat("Operation cannot be fulfilled on ", Quoted(r, name), ": ", why), Details(r, name));
}
absl::Status InvalidError(const ResourceInfo& r, const std::string& name, const std::string& message) {
  json d = Details(r, name);
  d["kind"] = r.kind;
  return Make(absl::StatusCode::kInvalidArgument, 422, "Invalid",
              absl::StrCat(r.kind, " \"", name, "\" is invalid: ", message), d);
}
absl::Status BadRequestError(const std::string& message) {
  return Make(absl::StatusCode::kInvalidArgument, 400, "BadRequest", message);
}
absl::Status ExpiredError(const std::string& message) {
  return Make(absl::StatusCode::kOutOfRange, 410, "Expired", message);
}
absl::Status UnsupportedMediaTypeError(const std::string& message) {
  return Make(absl::StatusCode::kInvalidArgument, 415, "UnsupportedMediaType", message);
}
absl::Status UnauthorizedError() {
  return Make(absl::StatusCode::kUnauthenticated, 401, "Unauthorized", "Unauthorized");
}
absl::Status MethodNotAllowedError(const std::string& message) {
  return Make(absl::StatusCode::kUnimplemented, 405, "MethodNotAllowed", message);
}

int HttpCodeOf(const absl::Status& status) {
  if (status.ok()) return 200;
  if (absl::optional<absl::Cord> c = status.GetPayload(kCodeUrl)) {
    int code = 0;
    if (absl::SimpleAtoi(std::string(*c), &code)) return code;
  }
  switch (status.code()) {
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kOutOfRange: return 410;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kUnimplemented: return 405;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

json StatusObject(const absl::Status& status) {
  const int code = HttpCodeOf(status);
  std::string reason;
  if (absl::optional<absl::Cord> r = status.GetPayload(kReasonUrl)) {
    reason = std::string(*r);
  } else {
    switch (code) {
      case 400: reason = "BadRequest"; break;
      case 404: reason = "NotFound"; break;
      case 409: reason = "Conflict"; break;
      case 410: reason = "Expired"; break;
      case 503: reason = "ServiceUnavailable"; break;
      default: reason = "InternalError";
    }
  }
  json out = {{"kind", "Status"},         {"apiVersion", "v1"},         {"metadata", json::object()},
              {"status", "Failure"},      {"message", status.message()}, {"reason", reason},
              {"code", code}};
  if (absl::optional<absl::Cord> d = status.GetPayload(kDetailsUrl)) {
    json details = json::parse(std::string(*d), nullptr, false);
    if (!details.is_discarded()) out["details"] = details;
  }
  return out;
}

json DeletedStatus(const ResourceInfo& r, const std::string& name, const std::string& uid) {
  json d = Details(r, name);
  d["uid"] = uid;
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Success"}, {"details", d}};
}

}  // namespace romana::kube_apiserver
