// store_spec_source.h: the route spec read straight from Romana's store (etcd in production):
// range reads of `<prefix>/groups/` and `<prefix>/hosts/` at one revision (docs/store-layout.md:
// group membership is in the host records) turned into a spec by RouteSpecFromStoreRecords, and
// the networks' CIDRs from `<prefix>/networks/`. Used from one thread.
#ifndef ROMANA_AWS_VPCROUTER_STORE_SPEC_SOURCE_H_
#define ROMANA_AWS_VPCROUTER_STORE_SPEC_SOURCE_H_

#include <memory>
#include <string>

#include "aws/vpcrouter/spec_source.h"
#include "store/store.h"

namespace romana::vpcrouter {

class StoreRouteSpecSource final : public RouteSpecSource {
 public:
  // `prefix` like "/romana" (no trailing slash). `description` names the store in logs.
  StoreRouteSpecSource(std::unique_ptr<store::Store> store, std::string prefix, std::string description)
      : store_(std::move(store)), prefix_(std::move(prefix)), description_(std::move(description)) {}
  // Range-reads `<prefix>/groups/` and `<prefix>/hosts/` (at one revision) and
  // `<prefix>/networks/` (a network changes rarely, and a group outside every network read is
  // still managed as a spec CIDR).
  absl::StatusOr<RouteSpec> Fetch() override;
  std::string Describe() const override { return description_; }
  std::vector<std::string> Networks() const override { return networks_; }

 private:
  std::unique_ptr<store::Store> store_;
  std::string prefix_;
  std::string description_;
  std::vector<std::string> networks_;
};

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_STORE_SPEC_SOURCE_H_
