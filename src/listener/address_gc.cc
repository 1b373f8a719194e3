#include "listener/address_gc.h"

namespace romana::listener {

std::vector<std::string> AddressGc::Collect(const std::vector<api::Address>& addresses,
                                            const std::set<std::string>& pod_ips,
                                            std::chrono::steady_clock::time_point now) {
  std::map<std::string, std::chrono::steady_clock::time_point> still;
  std::vector<std::string> release;
  for (const api::Address& a : addresses) {
    if (pod_ips.count(a.ip)) continue;
    auto it = orphan_since_.find(a.name);
    const auto since = it == orphan_since_.end() ? now : it->second;
    if (now - since >= grace_) {
      release.push_back(a.name);
    } else {
      still[a.name] = since;
    }
  }
  orphan_since_ = std::move(still);
  return release;
}

}  // namespace romana::listener
