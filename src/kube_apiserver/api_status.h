// api_status.h: errors of the lab's Kubernetes API as absl::Status values that carry their
// Kubernetes reason and HTTP code, and their rendering as a Kubernetes `Status` object
// ({"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404, ...}), which is
// what kubectl and client-go read. Pure; thread-safe.
#ifndef ROMANA_KUBE_APISERVER_API_STATUS_H_
#define ROMANA_KUBE_APISERVER_API_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "kube_apiserver/resources.h"
#include "nlohmann/json.hpp"

namespace romana::kube_apiserver {

// 404 NotFound: `pods "web" not found`.
absl::Status NotFoundError(const ResourceInfo& r, const std::string& name);
// 409 AlreadyExists: `pods "web" already exists`.
absl::Status AlreadyExistsError(const ResourceInfo& r, const std::string& name);
// 409 Conflict: the object's resourceVersion (or uid) precondition does not hold.
absl::Status ConflictError(const ResourceInfo& r, const std::string& name, const std::string& why);
// 422 Invalid: the object is not acceptable (field and reason in `message`).
absl::Status InvalidError(const ResourceInfo& r, const std::string& name, const std::string& message);
// 400 BadRequest.
absl::Status BadRequestError(const std::string& message);
// 410 Expired: a watch or continue token from before the window of kept events.
absl::Status ExpiredError(const std::string& message);
// 415 UnsupportedMediaType.
absl::Status UnsupportedMediaTypeError(const std::string& message);
// 401 Unauthorized.
absl::Status UnauthorizedError();
// 405 MethodNotAllowed.
absl::Status MethodNotAllowedError(const std::string& message);

// The HTTP code of `status` (its carried code, or one derived from its absl code; 200 for OK).
int HttpCodeOf(const absl::Status& status);
// The Kubernetes Status object for an error.
nlohmann::json StatusObject(const absl::Status& status);
// The Status a successful DELETE answers with: {"status": "Success", "details": {...}}.
nlohmann::json DeletedStatus(const ResourceInfo& r, const std::string& name, const std::string& uid);

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_API_STATUS_H_
