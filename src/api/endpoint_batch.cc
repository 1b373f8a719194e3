#include "api/endpoint_batch.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/json_reader.h"

namespace romana::api {

nlohmann::json ToJson(const EndpointKey& x) { return {{"namespace", x.namespace_name}, {"name", x.name}}; }

nlohmann::json ToJson(const EndpointBatch& x) {
  nlohmann::json put = nlohmann::json::array(), remove = nlohmann::json::array();
  for (const Endpoint& e : x.put) put.push_back(ToJson(e));
  for (const EndpointKey& k : x.remove) remove.push_back(ToJson(k));
  return {{"put", std::move(put)}, {"delete", std::move(remove)}};
}

namespace {

absl::StatusOr<EndpointKey> ParseKey(const nlohmann::json& j, const std::string& path) {
  ObjectReader r(j, path);
  EndpointKey k;
  k.namespace_name = r.String("namespace", true);
  k.name = r.String("name", true);
  if (r.ok() && !IsValidName(k.namespace_name)) {
    r.Fail("namespace", absl::StrCat("\"", k.namespace_name, "\" is not a valid name (1..253 of [A-Za-z0-9._:-])"));
  }
  if (r.ok() && !IsValidName(k.name)) {
    r.Fail("name", absl::StrCat("\"", k.name, "\" is not a valid name (1..253 of [A-Za-z0-9._:-])"));
  }
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return k;
}

}  // namespace

absl::StatusOr<EndpointBatch> ParseEndpointBatch(const nlohmann::json& j) {
  ObjectReader r(j, "");
  const nlohmann::json* put = r.Array("put");
  const nlohmann::json* remove = r.Array("delete");
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  const size_t items = (put ? put->size() : 0) + (remove ? remove->size() : 0);
  if (items > kMaxEndpointBatchItems) {
    return FieldError(put ? "put" : "delete", absl::StrCat(items, " items; at most ", kMaxEndpointBatchItems,
                                                           " fit one batch (split it)"));
  }
  EndpointBatch batch;
  std::set<std::pair<std::string, std::string>> seen;
  auto once = [&](const std::string& path, const std::string& ns, const std::string& name) -> absl::Status {
    if (seen.emplace(ns, name).second) return absl::OkStatus();
    return FieldError(path, absl::StrCat("endpoint \"", ns, "/", name, "\" appears more than once in the batch"));
  };
  for (size_t i = 0; put && i < put->size(); ++i) {
    const std::string path = absl::StrCat("put[", i, "]");
    absl::StatusOr<Endpoint> e = ParseEndpoint((*put)[i]);
    if (!e.ok()) return PrefixField(e.status(), path);
    if (absl::Status s = once(path, e->namespace_name, e->name); !s.ok()) return s;
    batch.put.push_back(*std::move(e));
  }
  for (size_t i = 0; remove && i < remove->size(); ++i) {
    const std::string path = absl::StrCat("delete[", i, "]");
    absl::StatusOr<EndpointKey> k = ParseKey((*remove)[i], path);
    if (!k.ok()) return k.status();
    if (absl::Status s = once(path, k->namespace_name, k->name); !s.ok()) return s;
    batch.remove.push_back(*std::move(k));
  }
  return batch;
}

}  // namespace romana::api
