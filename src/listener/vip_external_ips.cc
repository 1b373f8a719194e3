#include "listener/vip_external_ips.h"

#include <algorithm>

namespace romana::listener {

using nlohmann::json;

ServiceExternalIps ServiceExternalIpsOf(const json& service) {
  ServiceExternalIps out;
  if (!service.is_object()) return out;
  const json md = service.value("metadata", json::object());
  if (!md.is_object()) return out;
  if (auto rv = md.find("resourceVersion"); rv != md.end() && rv->is_string()) out.resource_version = *rv;
  if (auto an = md.find("annotations"); an != md.end() && an->is_object()) {
    if (auto a = an->find(kVipExternalIpAnnotation); a != an->end() && a->is_string()) out.added = *a;
  }
  // The reduced form keeps the list at the top level; a full Service has it under spec.
  const json* ips = nullptr;
  if (auto it = service.find("externalIPs"); it != service.end()) ips = &*it;
  if (auto spec = service.find("spec"); ips == nullptr && spec != service.end() && spec->is_object()) {
    if (auto it = spec->find("externalIPs"); it != spec->end()) ips = &*it;
  }
  if (ips != nullptr && ips->is_array()) {
    for (const json& ip : *ips) {
      if (ip.is_string()) out.external_ips.push_back(ip.get<std::string>());
    }
  }
  return out;
}

std::optional<json> ExternalIpsPatch(const ServiceExternalIps& service, const std::string& vip) {
  std::vector<std::string> ips = service.external_ips;
  std::string added = service.added;
  if (!added.empty() && added != vip) {
    // Ours and no longer the VIP: remove it (one occurrence: a copy the user added stays).
    if (auto it = std::find(ips.begin(), ips.end(), added); it != ips.end()) ips.erase(it);
    added.clear();
  }
  if (!vip.empty() && std::find(ips.begin(), ips.end(), vip) == ips.end()) {
    ips.push_back(vip);
    added = vip;
  }
  if (ips == service.external_ips && added == service.added) return std::nullopt;
  const json recorded = added.empty() ? json(nullptr) : json(added);  // null removes the annotation
  return json{{"metadata", {{"resourceVersion", service.resource_version},
                            {"annotations", {{kVipExternalIpAnnotation, recorded}}}}},
              {"spec", {{"externalIPs", ips.empty() ? json(nullptr) : json(ips)}}}};
}

}  // namespace romana::listener
