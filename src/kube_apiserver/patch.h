// patch.h: the PATCH bodies the lab's Kubernetes API accepts. Pure; thread-compatible.
//
//   application/merge-patch+json           RFC 7386 JSON merge patch.
//   application/json-patch+json            RFC 6902 JSON patch (add, remove, replace, move, copy, test).
//   application/strategic-merge-patch+json A subset of Kubernetes' strategic merge patch: a merge
//       patch where lists of objects with a known merge key (containers/volumes/env/... by name,
//       ports by containerPort or port, conditions/addresses by type, ...) merge element-wise,
//       elements may carry "$patch": "delete"/"replace", maps may carry "$patch" and
//       "$retainKeys", "$setElementOrder/..." is accepted and ignored (order stays as merged), and
//       "$deleteFromPrimitiveList/<field>" removes values; other lists are replaced (as
//       Kubernetes does for lists without a patch strategy). Enough for kubectl apply, label,
//       annotate and edit of the served kinds.
// Server-side apply (application/apply-patch+yaml) is not served.
#ifndef ROMANA_KUBE_APISERVER_PATCH_H_
#define ROMANA_KUBE_APISERVER_PATCH_H_

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::kube_apiserver {

enum class PatchType { kMerge, kStrategicMerge, kJson };

// The patch type of a Content-Type header value (parameters ignored); nullopt for others.
std::optional<PatchType> PatchTypeOf(std::string_view content_type);

// Returns `target` patched. InvalidArgument when the patch is not of the type's shape (a JSON
// patch that is not an array of operations, an operation on a missing path, a failed "test").
absl::StatusOr<nlohmann::json> ApplyPatch(PatchType type, nlohmann::json target, const nlohmann::json& patch);

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_PATCH_H_
