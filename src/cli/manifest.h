// manifest.h: reads the objects of a Kubernetes-style manifest file, as `kubectl apply -f` does.
//
// The text is one or more YAML documents separated by "---" (JSON is YAML too). Each document
// is an object, or a list object ("kind: List" or any kind ending in "List") whose "items" are
// the objects; empty documents are skipped. Pure; thread-safe.
#ifndef ROMANA_CLI_MANIFEST_H_
#define ROMANA_CLI_MANIFEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::cli {

// The largest input romanactl -f reads (manifests are KiBs; a topology of thousands of hosts a
// few MiB).
inline constexpr size_t kMaxManifestBytes = size_t{16} << 20;

// The objects in document order. InvalidArgument naming the line (YAML syntax) or the document
// ("document 2: ...") when a document is not an object, a list's items are not objects, or a
// value has no JSON form, and for input over kMaxManifestBytes, nested deeper than
// kMaxYamlDepth or expanding (aliases) to more than kMaxYamlValues; nothing is returned then.
absl::StatusOr<std::vector<nlohmann::json>> ReadManifests(const std::string& text);

}  // namespace romana::cli

#endif  // ROMANA_CLI_MANIFEST_H_
