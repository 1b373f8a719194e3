// http_error.h: how romanad turns an absl::Status into an HTTP status and the error body
// {"error": {"code", "message", "field"?, ...details}} of docs/api.md. Pure; thread-safe.
#ifndef ROMANA_DAEMON_HTTP_ERROR_H_
#define ROMANA_DAEMON_HTTP_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace romana::daemon {

struct HttpError {
  int status = 500;
  nlohmann::json body;
  int retry_after_seconds = 0;  // > 0: send "Retry-After: N" (every 503: the request may be retried)
};

// Mapping (the "code" is the api::ErrorCodeOf payload when present, else derived):
//   InvalidArgument 400 invalid_argument   Unauthenticated 401 unauthenticated
//   PermissionDenied 403   NotFound 404 not_found   AlreadyExists 409 already_exists
//   FailedPrecondition 409 conflict (+ "conflicts": [...] from IPAM)
//   Aborted 503 retry (a write lost a race with another writer and changed nothing: retrying is
//   safe and normally succeeds)   OutOfRange 410 compacted   ResourceExhausted 507 exhausted
//   Unavailable / DeadlineExceeded 503 unavailable   everything else 500 internal.
// Every 503 carries retry_after_seconds = 1.
// The field comes from api::FieldOf or the IPAM payload (ipam::ErrorField); details added with
// api::WithDetail become extra members ("leader", "compact_revision").
HttpError ToHttpError(const absl::Status& status);

// An error body built directly.
nlohmann::json ErrorBody(const std::string& code, const std::string& message,
                         const std::string& field = "");

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_HTTP_ERROR_H_
