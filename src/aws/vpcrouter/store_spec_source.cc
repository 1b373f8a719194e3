#include "aws/vpcrouter/store_spec_source.h"

#include "absl/strings/str_cat.h"

namespace romana::vpcrouter {
namespace {

// Every key under `prefix` as of `revision` (0 = latest, then set to the revision read).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RangeRead(store::Store& store,
                                                                          const std::string& prefix,
                                                                          const std::string& description,
                                                                          store::Revision& revision) {
  absl::StatusOr<store::RangeResult> r = store.Range({.prefix = prefix, .revision = revision});
  if (!r.ok()) return absl::Status(r.status().code(), absl::StrCat(description, ": ", r.status().message()));
  revision = r->revision;
  std::vector<std::pair<std::string, std::string>> kvs;
  kvs.reserve(r->kvs.size());
  for (const auto& kv : r->kvs) kvs.emplace_back(kv.key, kv.value);
  return kvs;
}

}  // namespace

absl::StatusOr<RouteSpec> StoreRouteSpecSource::Fetch() {
  // Groups and hosts (group membership is in the host records) at one revision.
  store::Revision at = 0;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> groups =
      RangeRead(*store_, prefix_ + "/groups/", description_, at);
  if (!groups.ok()) return groups.status();
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> hosts =
      RangeRead(*store_, prefix_ + "/hosts/", description_, at);
  if (!hosts.ok()) return hosts.status();
  store::Revision latest = 0;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> networks =
      RangeRead(*store_, prefix_ + "/networks/", description_, latest);
  if (!networks.ok()) return networks.status();
  absl::StatusOr<std::vector<std::string>> cidrs = NetworkCidrsFromRecords(*networks);
  if (!cidrs.ok()) return cidrs.status();
  absl::StatusOr<RouteSpec> spec = RouteSpecFromStoreRecords(*groups, *hosts);
  if (spec.ok()) networks_ = *std::move(cidrs);
  return spec;
}

}  // namespace romana::vpcrouter
