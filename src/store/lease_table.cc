#include "store/lease_table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace romana::store {

absl::Status LeaseTable::ValidateTtl(std::chrono::seconds ttl) {
  if (ttl < std::chrono::seconds(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("lease.ttl: must be at least 1 second (got ", ttl.count(), "s)"));
  }
  return absl::OkStatus();
}

LeaseId LeaseTable::Grant(std::chrono::seconds ttl, LeaseId id) {
  if (id == 0) {
    while (leases_.count(next_id_) != 0) ++next_id_;
    id = next_id_++;
  }
  next_id_ = std::max(next_id_, id + 1);
  leases_[id] = Lease{ttl, clock_.Now() + ttl, {}};
  return id;
}

absl::Status LeaseTable::KeepAlive(LeaseId id) {
  auto it = leases_.find(id);
  if (it == leases_.end() || it->second.deadline <= clock_.Now()) {
    return absl::NotFoundError(absl::StrCat("lease ", id, ": not found or expired"));
  }
  it->second.deadline = clock_.Now() + it->second.ttl;
  return absl::OkStatus();
}

bool LeaseTable::Alive(LeaseId id) const {
  auto it = leases_.find(id);
  return it != leases_.end() && it->second.deadline > clock_.Now();
}

void LeaseTable::Attach(LeaseId id, const std::string& key) {
  auto it = leases_.find(id);
  if (it != leases_.end()) it->second.keys.insert(key);
}

void LeaseTable::Detach(LeaseId id, const std::string& key) {
  auto it = leases_.find(id);
  if (it != leases_.end()) it->second.keys.erase(key);
}

absl::StatusOr<std::set<std::string>> LeaseTable::Remove(LeaseId id) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return absl::NotFoundError(absl::StrCat("lease ", id, ": not found"));
  std::set<std::string> keys = std::move(it->second.keys);
  leases_.erase(it);
  return keys;
}

std::vector<LeaseId> LeaseTable::Expired() const {
  const auto now = clock_.Now();
  std::vector<std::pair<std::chrono::steady_clock::time_point, LeaseId>> expired;
  for (const auto& [id, lease] : leases_) {
    if (lease.deadline <= now) expired.emplace_back(lease.deadline, id);
  }
  std::sort(expired.begin(), expired.end());
  std::vector<LeaseId> ids;
  for (const auto& e : expired) ids.push_back(e.second);
  return ids;
}

std::map<LeaseId, std::chrono::seconds> LeaseTable::Ttls() const {
  std::map<LeaseId, std::chrono::seconds> ttls;
  for (const auto& [id, lease] : leases_) ttls[id] = lease.ttl;
  return ttls;
}

}  // namespace romana::store
