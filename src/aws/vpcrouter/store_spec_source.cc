#include "aws/vpcrouter/store_spec_source.h"

#include "absl/strings/str_cat.h"

namespace romana::vpcrouter {
namespace {

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RangeRead(store::Store& store,
                                                                          const std::string& prefix,
                                                                          const std::string& description) {
  absl::StatusOr<store::RangeResult> r = store.Range({.prefix = prefix});
  if (!r.ok()) return absl::Status(r.status().code(), absl::StrCat(description, ": ", r.status().message()));
  std::vector<std::pair<std::string, std::string>> kvs;
  kvs.reserve(r->kvs.size());
  for (const auto& kv : r->kvs) kvs.emplace_back(kv.key, kv.value);
  return kvs;
}

}  // namespace

absl::StatusOr<RouteSpec> StoreRouteSpecSource::Fetch() {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> groups =
      RangeRead(*store_, prefix_ + "/groups/", description_);
  if (!groups.ok()) return groups.status();
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> networks =
      RangeRead(*store_, prefix_ + "/networks/", description_);
  if (!networks.ok()) return networks.status();
  absl::StatusOr<std::vector<std::string>> cidrs = NetworkCidrsFromRecords(*networks);
  if (!cidrs.ok()) return cidrs.status();
  absl::StatusOr<RouteSpec> spec = RouteSpecFromGroupRecords(*groups);
  if (spec.ok()) networks_ = *std::move(cidrs);
  return spec;
}

}  // namespace romana::vpcrouter
