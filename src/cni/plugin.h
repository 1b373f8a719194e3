// plugin.h: the romana CNI plugin's verbs (ADD, DEL, CHECK, GC, STATUS, VERSION) on top of
// romanad (IPAM) and romana::netlink (the pod's veth, address, routes, neighbour).
//
// Dataplane per attachment (docs/cni.md has the full picture):
//   pod netns:  <ifname> (veth, MTU from config) with <ip>/32; 169.254.1.1/32 dev <ifname> scope
//               link; default via 169.254.1.1 dev <ifname>; a permanent neighbour entry
//               169.254.1.1 -> the host veth's MAC (so no proxy-ARP is needed for egress);
//   host netns: romana<hash> (the peer), up, no address; <ip>/32 dev romana<hash> scope link
//               proto 82 (netlink::kProtoRomana) in the main table.
// ADD allocates the address from romanad by AddressName(container id, ifname) first; every
// later failure removes the veth (and with it the routes) and releases the address.
//
// Thread-compatible: a plugin invocation is one process running one verb.
#ifndef ROMANA_CNI_PLUGIN_H_
#define ROMANA_CNI_PLUGIN_H_

#include <map>
#include <optional>
#include <string>

#include "cni/config.h"
#include "cni/env.h"
#include "cni/spec.h"
#include "nlohmann/json.hpp"

namespace romana::cni {

// The link-local gateway every pod's default route points at.
inline constexpr char kPodGateway[] = "169.254.1.1";

// What one invocation prints: `output` on stdout and exit 0, or `error` (rendered with
// RenderError) on stdout and exit 1.
struct VerbOutcome {
  std::optional<nlohmann::json> output;
  std::optional<CniError> error;
  std::string version;  // the version to render errors in
};

// Runs one invocation: parses `env` (CNI_* variables) and `stdin_json`, runs the verb, and
// never throws. `hostname` is the default node name when the config has no node_name.
// Logging goes to the process's default spdlog logger (main sets it up from the config).
VerbOutcome RunPlugin(const std::map<std::string, std::string>& env, const std::string& stdin_json,
                      const std::string& hostname);

// The exit code and stdout text for an outcome (exit 0 with the output, or 1 with the error).
int RenderOutcome(const VerbOutcome& outcome, std::string* stdout_text);

}  // namespace romana::cni

#endif  // ROMANA_CNI_PLUGIN_H_
