// protobuf_body.h: the one Kubernetes protobuf request body the lab's API accepts: a Namespace
// (what `kubectl create namespace` sends; kubectl's typed clients encode bodies as
// application/vnd.kubernetes.protobuf). Decodes the "k8s\0" envelope (runtime.Unknown) and the
// object's metadata (name, generateName, labels, annotations); a Namespace's spec and status
// are defaulted by the store. Every other kind must come as JSON (kubectl create -f / apply -f
// send JSON). Pure; thread-safe.
#ifndef ROMANA_KUBE_APISERVER_PROTOBUF_BODY_H_
#define ROMANA_KUBE_APISERVER_PROTOBUF_BODY_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::kube_apiserver {

inline constexpr std::string_view kProtobufContentType = "application/vnd.kubernetes.protobuf";

// The JSON form of a protobuf-encoded Namespace. InvalidArgument for a malformed body or
// another kind (the message names the kind and says to send JSON).
absl::StatusOr<nlohmann::json> DecodeProtobufNamespace(std::string_view body);

}  // namespace romana::kube_apiserver

#endif  // ROMANA_KUBE_APISERVER_PROTOBUF_BODY_H_
