// ipam_service.h: what romanad's REST handlers need from IPAM on the leader: the mutations.
// (Reads are served from the store; every IPAM record is one key whose value is the API JSON.)
//
// The implementation (StoreIpamService) keeps the ipam::Ipam state in memory, plans each
// mutation, commits exactly the changed keys in one (fenced) transaction, shared with the
// mutations that arrived at the same time, and keeps in memory only what the store accepted. It
// reloads its state from the store whenever the leadership term changes, so a new leader starts
// from what the old one committed.
//
// Error codes as in ipam/ipam.h; Unavailable (code not_leader) on a follower.
// Thread-safety: every method may be called from any thread.
#ifndef ROMANA_DAEMON_IPAM_SERVICE_H_
#define ROMANA_DAEMON_IPAM_SERVICE_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/types.h"
#include "nlohmann/json.hpp"

namespace romana::daemon {

class IpamService {
 public:
  virtual ~IpamService() = default;

  // Loads the state from the store unless it was already loaded for the current leadership term
  // (every mutation does this first; romanad calls it at start-up to fail early).
  virtual absl::Status EnsureLoaded() = 0;

  // Each returns the JSON of the affected object as stored.
  virtual absl::StatusOr<nlohmann::json> SetTopology(const nlohmann::json& topology) = 0;
  virtual absl::StatusOr<nlohmann::json> AddHost(const api::HostRequest& host) = 0;
  virtual absl::StatusOr<nlohmann::json> RelabelHost(const std::string& name, const api::Labels& labels) = 0;
  virtual absl::StatusOr<nlohmann::json> RemoveHost(const std::string& name) = 0;
  // Second: true when created, false when `name` already had that address.
  virtual absl::StatusOr<std::pair<nlohmann::json, bool>> Allocate(const api::AddressRequest& request) = 0;
  virtual absl::StatusOr<nlohmann::json> Release(const std::string& name) = 0;
  virtual absl::StatusOr<nlohmann::json> ReleaseIp(const std::string& ip) = 0;
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_IPAM_SERVICE_H_
