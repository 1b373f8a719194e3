#include "aws/ec2_types.h"

#include <algorithm>

namespace romana::aws {

bool NetworkInterface::HasIp(const std::string& ip) const {
  if (ip == private_ip) return true;
  return std::any_of(private_ips.begin(), private_ips.end(),
                     [&](const PrivateIpAddress& p) { return p.address == ip; });
}

const NetworkInterface* Instance::PrimaryInterface() const {
  for (const auto& eni : interfaces) {
    if (eni.device_index == 0) return &eni;
  }
  for (const auto& eni : interfaces) {
    if (!private_ip.empty() && eni.private_ip == private_ip) return &eni;
  }
  return interfaces.size() == 1 ? &interfaces[0] : nullptr;
}

const NetworkInterface* Instance::InterfaceWithIp(const std::string& ip) const {
  for (const auto& eni : interfaces) {
    if (eni.HasIp(ip)) return &eni;
  }
  return nullptr;
}

bool RouteTable::IsMain() const {
  return std::any_of(associations.begin(), associations.end(),
                     [](const RouteTableAssociation& a) { return a.main; });
}

}  // namespace romana::aws
