// sysctl.h: writes and verifies the kernel settings the node's dataplane needs.
//
// Paths are relative to a root directory (default /proc/sys) so tests can point it at a temp
// dir. /proc/sys/net reflects the network namespace of the calling process, so the agent sets
// these in the node's namespace simply by running there. Thread-compatible.
#ifndef ROMANA_AGENT_SYSCTL_H_
#define ROMANA_AGENT_SYSCTL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romana::agent {

// "net.ipv4.ip_forward" -> "<root>/net/ipv4/ip_forward". Only the dots become slashes.
std::string SysctlPath(const std::string& root, const std::string& key);

// Writes `value` to each key, then reads it back. Errors: InvalidArgument for a key with "..",
// "/" or empty parts; Internal naming the key when the write or the verification fails (earlier
// keys stay written; writing is idempotent, so callers simply retry).
absl::Status SetSysctls(const std::string& root,
                        const std::vector<std::pair<std::string, std::string>>& settings);

// The settings the Romana dataplane needs in the node's namespace: IPv4 forwarding, and
// proxy-ARP for newly created interfaces when `proxy_arp` is true (pods whose default route is a
// device route ARP for every destination and the host veth must answer).
std::vector<std::pair<std::string, std::string>> DataplaneSysctls(bool proxy_arp);

absl::StatusOr<std::string> ReadSysctl(const std::string& root, const std::string& key);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_SYSCTL_H_
