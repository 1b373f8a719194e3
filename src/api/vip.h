// vip.h: a Romana VIP (reference §6.5, §8.4): an IPv4 address that the agent of one node adds
// to its primary link as a /32, so that the address answers on the node's L2 segment. The
// listener keeps one per Kubernetes Service that carries the `romanavip` annotation
// (docs/listener.md, "Service VIPs"); romanad stores it at /vips/{namespace}/{service}
// (docs/api.md, "VIPs"); the agent adds the VIPs whose node is its own (docs/agent.md, "VIPs").
//
// JSON: {"namespace": "default", "name": "web", "ip": "192.168.99.101", "node": "node-1",
//        "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}
// "node" empty = no node serves it now (the Service has no ready endpoint): no agent adds it.
// Pure; thread-safe.
#ifndef ROMANA_API_VIP_H_
#define ROMANA_API_VIP_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::api {

// A port of the Service, recorded for operators (the agent adds the address, whatever the port).
struct VipPort {
  std::string name;               // "" or an RFC 1123 label (a Service port name)
  int port = 0;                   // 1..65535
  std::string protocol = "TCP";   // "TCP" | "UDP" | "SCTP"
  bool operator==(const VipPort&) const = default;
};

struct Vip {
  std::string namespace_name;  // JSON "namespace"
  std::string name;            // the Service's name
  std::string ip;              // a unicast IPv4 address (CheckVipAddress)
  std::string node;            // the Romana host whose agent adds it; "" = none
  std::vector<VipPort> ports;
  bool operator==(const Vip&) const = default;
};

// OK when `ip` is dotted-quad IPv4 usable as a VIP: not 0.0.0.0/8, loopback (127/8), link-local
// (169.254/16), multicast or reserved (224/3 and above, so also 255.255.255.255). Otherwise a
// FieldError naming `field` with the reason.
absl::Status CheckVipAddress(const std::string& ip, const std::string& field);

nlohmann::json ToJson(const Vip& x);

// Strict (request bodies): unknown keys, wrong types and bad values are InvalidArgument naming
// the field ("ip", "ports[1].protocol"). `path_namespace`/`path_name` come from the URL; the
// body's values, when present, must equal them. Namespace and name must be valid object names
// (IsValidName), node empty or a valid name; port names unique.
absl::StatusOr<Vip> ParseVipRequest(const nlohmann::json& j, const std::string& path_namespace = "",
                                    const std::string& path_name = "");
// Lenient (objects a client receives): unknown keys ignored; the rest as above.
absl::StatusOr<Vip> ParseVip(const nlohmann::json& j);

}  // namespace romana::api

#endif  // ROMANA_API_VIP_H_
