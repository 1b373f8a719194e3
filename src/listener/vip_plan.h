// vip_plan.h: Services with the `romanavip` annotation -> Romana VIP records (the listener's
// calculation layer for VIPs; docs/listener.md, "Service VIPs"). Pure: no I/O, no clock;
// thread-compatible values.
//
// The annotation (reference §8.4), on a Service:
//   romanavip: '{"ip": "192.168.99.101"}'      the address to serve ("auto": false may be given)
//   romanavip: '192.168.99.101'                the same, as a bare address
//   romanavip: '{"auto": true}'                an address from the listener's --vip-cidr pool
// Anything else (bad JSON, unknown keys, an address that is not a unicast IPv4 address, "auto"
// without a pool, an address another Service already has) is an error for that Service only: it
// gets no VIP and the reason is reported (PlanVips' errors); the others are unaffected.
//
// Which node serves a VIP (the node whose agent adds the address):
//   1. the node that serves it now, while it still runs a ready endpoint of the Service
//      (a VIP does not move because another pod became ready elsewhere);
//   2. otherwise the node with the most ready endpoint addresses of the Service, ties broken by
//      the smaller node name;
//   3. no ready endpoint: no node ("" in the record; the address is on no node).
// Only nodes that are Romana hosts count (VipInputs::hosts).
// Ready endpoint addresses are those in `subsets[].addresses` of the Service's Endpoints object
// (not `notReadyAddresses`) that name a node (`nodeName`).
#ifndef ROMANA_LISTENER_VIP_PLAN_H_
#define ROMANA_LISTENER_VIP_PLAN_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/vip.h"
#include "nlohmann/json.hpp"

namespace romana::listener {

inline constexpr char kVipAnnotation[] = "romanavip";

struct VipAnnotation {
  bool auto_ip = false;
  std::string ip;  // set when !auto_ip
};

// Parses the annotation's value. InvalidArgument naming the field ("romanavip.ip", ...).
absl::StatusOr<VipAnnotation> ParseVipAnnotation(const std::string& value);

// A Service reduced to what VIPs need (ReduceVipService), and its ready endpoints' nodes.
struct VipService {
  std::string namespace_name;
  std::string name;
  std::optional<std::string> annotation;  // the romanavip value; nullopt = no annotation
  std::vector<api::VipPort> ports;
  bool operator==(const VipService&) const = default;
};

// Kubernetes objects -> the reduced forms the informers cache (what PlanVips reads).
// Service: {"metadata": {namespace, name, uid, resourceVersion, annotations: {romanavip,
// romana.io/vip-external-ip}}, "ports": [...], "externalIPs": [...]}.
nlohmann::json ReduceVipService(const nlohmann::json& service);
// Endpoints: {"metadata": {namespace, name, resourceVersion}, "nodes": [nodeName of each ready address]}.
nlohmann::json ReduceVipEndpoints(const nlohmann::json& endpoints);
// A reduced Service (or a full one) as a VipService.
VipService VipServiceOf(const nlohmann::json& reduced);
// The node names of a reduced (or full) Endpoints object's ready addresses, one per address.
std::vector<std::string> ReadyNodesOf(const nlohmann::json& reduced);

struct VipInputs {
  std::vector<VipService> services;                              // every Service (any annotation)
  std::map<std::string, std::vector<std::string>> ready_nodes;   // "namespace/name" -> ReadyNodesOf
  std::map<std::string, api::Vip> current;                       // romanad's records, "namespace/name" ->
  std::string pool;  // --vip-cidr ("" = "auto" is an error); REQUIRES: "" or a valid IPv4 CIDR
  // romanad's hosts: a ready endpoint on a node that is not one counts as none (romanad refuses a
  // VIP on an unknown node). nullopt = every node counts.
  std::optional<std::set<std::string>> hosts;
};

struct VipPlan {
  std::map<std::string, api::Vip> vips;        // "namespace/name" -> the record romanad should hold
  std::map<std::string, std::string> errors;   // "namespace/name" -> why that Service has no VIP
};

// The records romanad should hold. Explicit addresses are served first (in key order; the
// second Service naming an address gets an error), then "auto" Services keep the pool address
// their current record has, and the others get the lowest free pool address (not the pool's
// network or broadcast address).
VipPlan PlanVips(const VipInputs& in);

// The node rule above. `current_node` = the record's node now ("" if none).
std::string ChooseVipNode(const std::vector<std::string>& ready_nodes, const std::string& current_node);

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_VIP_PLAN_H_
