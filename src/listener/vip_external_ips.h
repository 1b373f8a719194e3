// vip_external_ips.h: a Service's spec.externalIPs and its VIP (docs/listener.md, "Service
// VIPs"). The agent adds the VIP to a node, but kube-proxy forwards an address to the Service's
// pods only when it is one of the Service's externalIPs; the original listener set
// `spec.externalIPs = [vip]` (reference §8.4). Here the listener adds its VIP to the list and
// keeps every address the user put there. Pure: no I/O; thread-compatible values.
//
// Ownership: the address the listener added is recorded in the Service's annotation
// kVipExternalIpAnnotation, written in the same patch as the list, so the listener removes only
// what it added (when the VIP changes or goes away), never a user's address. A VIP the user
// already listed is left to the user (not recorded; never removed by the listener).
#ifndef ROMANA_LISTENER_VIP_EXTERNAL_IPS_H_
#define ROMANA_LISTENER_VIP_EXTERNAL_IPS_H_

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace romana::listener {

inline constexpr char kVipExternalIpAnnotation[] = "romana.io/vip-external-ip";

// What of a Service the computation reads (from the reduced form, ReduceVipService).
struct ServiceExternalIps {
  std::string resource_version;
  std::vector<std::string> external_ips;  // spec.externalIPs, in order
  std::string added;                      // kVipExternalIpAnnotation ("" = the listener added none)
};

// From a reduced (or full) Service object; fields of the wrong type read as absent.
ServiceExternalIps ServiceExternalIpsOf(const nlohmann::json& service);

// The JSON merge patch (RFC 7386) that makes the Service's externalIPs hold `vip` ("" = the
// Service has no VIP), or nullopt when nothing needs to change (so applying the result and
// computing again gives nullopt: no update loop). The patch sets:
//   metadata.resourceVersion  the version read: a precondition, so a concurrent edit of the
//                             list by the user is never overwritten (409; the next event retries)
//   metadata.annotations[kVipExternalIpAnnotation]  the address the listener added, or null
//   spec.externalIPs          the whole list (merge patches replace lists), or null when empty
// Rules: the address the listener added is removed when it is not `vip` (the VIP changed or is
// gone); `vip` is appended when missing and recorded as added; a `vip` already in the list that
// the listener did not add stays the user's.
std::optional<nlohmann::json> ExternalIpsPatch(const ServiceExternalIps& service, const std::string& vip);

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_VIP_EXTERNAL_IPS_H_
