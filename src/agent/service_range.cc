#include "agent/service_range.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "net/ipv4.h"

namespace romana::agent {
namespace {

constexpr char kOverlapPayload[] = "romana.io/agent/service-range-overlap";

}  // namespace

absl::StatusOr<std::string> ResolveServiceRange(const std::string& flag,
                                                const std::string& service_host) {
  if (!flag.empty()) {
    absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(flag);
    if (!c.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--service-cluster-ip-range: ", c.status().message()));
    }
    return c->ToString();
  }
  if (service_host.empty()) return std::string();
  if (service_host == "100.64.0.1") return std::string("100.64.0.0/13");
  if (service_host == "10.96.0.1") return std::string("10.96.0.0/12");
  return absl::InvalidArgumentError(absl::StrCat(
      "--service-cluster-ip-range: cannot guess the service range from the Kubernetes service IP ",
      service_host, " (known: 100.64.0.1 for kops, 10.96.0.1 for kubeadm); set the flag"));
}

absl::Status CheckServiceRange(const std::string& service_range,
                               const std::vector<std::string>& networks) {
  if (service_range.empty()) return absl::OkStatus();
  absl::StatusOr<net::Ipv4Cidr> range = net::Ipv4Cidr::Parse(service_range);
  if (!range.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--service-cluster-ip-range: ", range.status().message()));
  }
  for (const std::string& n : networks) {
    absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(n);
    if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat("network ", n, ": ", c.status().message()));
    if (c->Overlaps(*range)) {
      absl::Status overlap = absl::FailedPreconditionError(absl::StrCat(
          "Romana network ", n, " overlaps the service cluster IP range ", service_range,
          "; change the network (romanad --network-cidr-overrides) or --service-cluster-ip-range"));
      overlap.SetPayload(kOverlapPayload, absl::Cord(n));
      return overlap;
    }
  }
  return absl::OkStatus();
}

bool IsServiceRangeOverlap(const absl::Status& status) {
  return status.GetPayload(kOverlapPayload).has_value();
}

}  // namespace romana::agent
