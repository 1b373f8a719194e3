#include "daemon/http_error.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"

namespace romana::daemon {
namespace {

// IPAM stores its field under its own payload URL (ipam/errors.h); read it without depending
// on the ipam library.
constexpr char kIpamFieldUrl[] = "type.romana.io/field";
constexpr char kIpamConflictsUrl[] = "type.romana.io/conflicts";

}  // namespace

nlohmann::json ErrorBody(const std::string& code, const std::string& message, const std::string& field) {
  nlohmann::json e = {{"code", code}, {"message", message}};
  if (!field.empty()) e["field"] = field;
  return {{"error", e}};
}

HttpError ToHttpError(const absl::Status& status) {
  HttpError out;
  std::string code;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: out.status = 400; code = "invalid_argument"; break;
    case absl::StatusCode::kUnauthenticated: out.status = 401; code = "unauthenticated"; break;
    case absl::StatusCode::kPermissionDenied: out.status = 403; code = "permission_denied"; break;
    case absl::StatusCode::kNotFound: out.status = 404; code = "not_found"; break;
    case absl::StatusCode::kAlreadyExists: out.status = 409; code = "already_exists"; break;
    case absl::StatusCode::kFailedPrecondition: out.status = 409; code = "conflict"; break;
    case absl::StatusCode::kAborted: out.status = 503; code = "retry"; break;
    case absl::StatusCode::kOutOfRange: out.status = 410; code = "compacted"; break;
    case absl::StatusCode::kResourceExhausted: out.status = 507; code = "exhausted"; break;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded: out.status = 503; code = "unavailable"; break;
    default: out.status = 500; code = "internal"; break;
  }
  if (out.status == 503) out.retry_after_seconds = 1;
  if (std::optional<std::string> c = api::ErrorCodeOf(status)) code = *c;
  std::string field = api::FieldOf(status).value_or("");
  if (field.empty()) {
    auto p = status.GetPayload(kIpamFieldUrl);
    if (p.has_value()) field = std::string(*p);
  }
  out.body = ErrorBody(code, std::string(status.message()), field);
  nlohmann::json& e = out.body["error"];
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    constexpr absl::string_view kDetail = "romana.io/detail/";
    std::string v(value);
    if (url.substr(0, kDetail.size()) == kDetail) {
      std::string name(url.substr(kDetail.size()));
      int64_t n = 0;
      nlohmann::json parsed = nlohmann::json::parse(v, nullptr, false);
      if (absl::SimpleAtoi(v, &n)) e[name] = n;
      else if (!parsed.is_discarded() && (parsed.is_array() || parsed.is_object())) e[name] = parsed;
      else e[name] = v;
    } else if (url == kIpamConflictsUrl) {
      nlohmann::json lines = nlohmann::json::array();  // one conflict per line (ipam::ErrorConflicts)
      for (absl::string_view line : absl::StrSplit(v, '\n', absl::SkipEmpty())) lines.push_back(std::string(line));
      e["conflicts"] = lines;
    }
  });
  return out;
}

}  // namespace romana::daemon
