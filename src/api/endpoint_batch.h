// endpoint_batch.h: the body of POST /endpoints:batch (docs/api.md, "Endpoint batches"): many
// endpoint writes in one request, for the listener's start-up sync and bursts of pod changes.
//
//   {"put": [Endpoint, ...], "delete": [{"namespace": "ns", "name": "pod"}, ...]}
//
// Every put item is checked exactly as PUT /endpoints/{namespace}/{name} checks its body
// (ParseEndpoint; here "namespace" and "name" are required); errors name the item and the field
// ("put[3].ports[0].name", "delete[1].namespace"). One endpoint may appear only once in a batch
// (as a put or a delete), so the order of the items never matters.
//
// Pure: no I/O. Thread-safe.
#ifndef ROMANA_API_ENDPOINT_BATCH_H_
#define ROMANA_API_ENDPOINT_BATCH_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "nlohmann/json.hpp"

namespace romana::api {

// At most this many items (puts + deletes) in one request; the request body is also bound by
// romanad's --max-body-bytes (1 MiB by default). Client::WriteEndpoints splits longer lists.
inline constexpr size_t kMaxEndpointBatchItems = 10000;

struct EndpointKey {
  std::string namespace_name;  // JSON "namespace"
  std::string name;
  bool operator==(const EndpointKey&) const = default;
};

struct EndpointBatch {
  std::vector<Endpoint> put;
  std::vector<EndpointKey> remove;  // JSON "delete"
  size_t size() const { return put.size() + remove.size(); }
};

// What romanad answers: how many items of each list it applied (a delete of an endpoint that
// does not exist is applied as a no-op).
struct EndpointBatchResult {
  size_t put = 0;
  size_t deleted = 0;
};

nlohmann::json ToJson(const EndpointBatch& x);
nlohmann::json ToJson(const EndpointKey& x);
// Strict (server side): InvalidArgument naming the item and field; an empty batch is valid.
absl::StatusOr<EndpointBatch> ParseEndpointBatch(const nlohmann::json& j);

}  // namespace romana::api

#endif  // ROMANA_API_ENDPOINT_BATCH_H_
