// service_range.h: the Kubernetes service cluster IP range check.
//
// Pod networks must not overlap the service range: kube-proxy DNATs service addresses, and a
// pod address inside the range would be unreachable. The range is given (--service-cluster-ip-range)
// or guessed from the Kubernetes service IP (KUBERNETES_SERVICE_HOST) the way Romana always did:
// 100.64.0.1 -> 100.64.0.0/13 (kops), 10.96.0.1 -> 10.96.0.0/12 (kubeadm). Pure; thread-safe.
#ifndef ROMANA_AGENT_SERVICE_RANGE_H_
#define ROMANA_AGENT_SERVICE_RANGE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romana::agent {

// Returns the canonical range: `flag` when set (validated), else the guess from `service_host`,
// else "" (no Kubernetes: no check). Errors: InvalidArgument naming --service-cluster-ip-range
// when the flag is not a network prefix, or when the service IP is neither known default.
absl::StatusOr<std::string> ResolveServiceRange(const std::string& flag,
                                                const std::string& service_host);

// OK when no network overlaps `service_range` (empty range: OK). FailedPrecondition naming the
// network and the range otherwise; InvalidArgument for an unparsable network.
absl::Status CheckServiceRange(const std::string& service_range,
                               const std::vector<std::string>& networks);

// True for CheckServiceRange's overlap error, however it was wrapped, as long as the status was
// passed on (the error carries a payload, so a caller can pick an exit code without reading the
// message).
bool IsServiceRangeOverlap(const absl::Status& status);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_SERVICE_RANGE_H_
