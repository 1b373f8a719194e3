#include "aws/vpcrouter/store_spec_source.h"

#include "absl/strings/str_cat.h"

namespace romana::vpcrouter {

absl::StatusOr<RouteSpec> StoreRouteSpecSource::Fetch() {
  absl::StatusOr<store::RangeResult> r = store_->Range({.prefix = prefix_ + "/groups/"});
  if (!r.ok()) return absl::Status(r.status().code(), absl::StrCat(description_, ": ", r.status().message()));
  std::vector<std::pair<std::string, std::string>> kvs;
  kvs.reserve(r->kvs.size());
  for (const auto& kv : r->kvs) kvs.emplace_back(kv.key, kv.value);
  return RouteSpecFromGroupRecords(kvs);
}

}  // namespace romana::vpcrouter
