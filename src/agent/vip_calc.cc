#include "agent/vip_calc.h"

#include "absl/strings/str_cat.h"

namespace romana::agent {

VipCalcResult ComputeVips(const std::map<std::string, api::Vip>& vips, const std::string& node) {
  VipCalcResult out;
  for (const auto& [key, vip] : vips) {
    if (node.empty() || vip.node != node) continue;
    if (absl::Status s = api::CheckVipAddress(vip.ip, "ip"); !s.ok()) {
      out.errors.push_back(absl::StrCat(vip.namespace_name, "/", vip.name, ": ", s.message()));
      continue;
    }
    out.addresses.insert(vip.ip);
  }
  return out;
}

}  // namespace romana::agent
