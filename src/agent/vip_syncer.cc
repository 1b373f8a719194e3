#include "agent/vip_syncer.h"

#include <vector>

#include "spdlog/spdlog.h"

namespace romana::agent {

absl::Status VipSyncer::Sync(const std::set<std::string>& desired) {
  last_writes_ = 0;
  if (!cache_valid_ || clock_.Now() - last_read_ >= resync_interval_) {
    absl::StatusOr<std::set<std::string>> owned = programmer_.ListOwned();
    if (!owned.ok()) return owned.status();
    actual_ = *std::move(owned);
    conflicts_.clear();
    last_read_ = clock_.Now();
    cache_valid_ = true;
  }
  std::vector<std::string> remove, add;
  for (const std::string& ip : actual_) {
    if (!desired.contains(ip)) remove.push_back(ip);
  }
  for (const std::string& ip : desired) {
    if (!actual_.contains(ip) && !conflicts_.contains(ip)) add.push_back(ip);
  }
  for (const std::string& ip : remove) {
    if (absl::Status s = programmer_.Remove(ip); !s.ok()) {
      cache_valid_ = false;
      return s;
    }
    ++last_writes_;
    actual_.erase(ip);
    spdlog::info("vip: removed {}/32", ip);
  }
  for (const std::string& ip : add) {
    absl::Status s = programmer_.Add(ip);
    if (absl::IsAlreadyExists(s)) {
      spdlog::warn("vip: {} is already on the link without the {} label (not ours): not taking it over", ip,
                   kVipLabel);
      conflicts_.insert(ip);
      continue;
    }
    if (!s.ok()) {
      cache_valid_ = false;
      return s;
    }
    ++last_writes_;
    actual_.insert(ip);
    spdlog::info("vip: added {}/32", ip);
  }
  return absl::OkStatus();
}

absl::Status VipSyncer::RemoveAll() {
  cache_valid_ = false;
  return Sync({});
}

}  // namespace romana::agent
