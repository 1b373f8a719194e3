// config.h: romana-agent's settings as its flags give them (docs/agent.md lists each flag), the
// checks of those flags, and the options of the agent's parts built from them. apps/romana-agent
// parses the flags into AgentConfig (AddAgentFlags), checks them (Validate) and wires the parts.
// Errors are InvalidArgument naming the flag. Thread-safe (no shared state).
#ifndef ROMANA_AGENT_CONFIG_H_
#define ROMANA_AGENT_CONFIG_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/agent.h"
#include "agent/cni_install.h"
#include "agent/netlink_vip_programmer.h"
#include "agent/route_programmer.h"
#include "agent/route_syncer.h"
#include "api/client_flags.h"
#include "base/flags.h"
#include "base/process_main.h"

namespace romana::agent {

// Exit codes of romana-agent (docs/agent.md); bad flags exit with base::kExitUsage (2), as in
// every Romana binary.
inline constexpr int kExitFailure = 1;                // a start-up failure, or the agent loop failed
inline constexpr int kExitServiceRangeOverlap = 3;    // a Romana network overlaps the service range

// One field per flag, with the flag's default.
struct AgentConfig {
  api::RomanadFlags romanad;
  std::string node_name = base::HostName();
  bool register_node = false;
  std::string node_ip, node_labels;
  int route_table = kDefaultRouteTable;
  int route_protocol = kDefaultRouteProtocol;
  int rule_priority = kDefaultRulePriority;
  int resync_seconds = 60;
  bool nat = true;
  bool enforce_policy = true;
  std::string nat_interface, service_range;
  bool sysctls = true, proxy_arp = false;
  std::string sysctl_root = "/proc/sys";
  bool install_cni = true, force_cni_config = false, cni_uninstall = false;
  std::string cni_plugin = base::SiblingBinaryPath("romana-cni");
  std::string cni_bin_dir = "/opt/cni/bin", cni_conf_dir = "/etc/cni/net.d", cni_host_conf_dir;
  std::string cni_conf_file = "10-romana.conflist", cni_network_name = "romana-k8s-network", cni_version = "1.0.0";
  std::string cni_romanad, cni_log_file;
  bool cni_portmap = true;
  int mtu = 1500;
  std::string metrics_listen = "0.0.0.0:9607";
  base::LoggingFlags logging;
  bool vips = true;
  std::string vip_interface;
  bool cleanup = false;
};

// Adds every flag of romana-agent to `app`, in --help order. `config` must outlive the parse.
void AddAgentFlags(CLI::App& app, AgentConfig& config);

// Checks every flag that needs no I/O and no environment: ranges, --node-labels, --node-ip with
// --register-node, --metrics-listen, --service-cluster-ip-range, the log flags.
absl::Status Validate(const AgentConfig& config);

// The options of the agent's parts. REQUIRES: Validate(config).ok().
RouteProgrammerOptions RouteProgrammerOptionsFrom(const AgentConfig& config);
RouteSyncerOptions RouteSyncerOptionsFrom(const AgentConfig& config);
// The plugin runs on the host: it gets its own copies of the token and CA, next to the config.
CniInstallOptions CniInstallOptionsFrom(const AgentConfig& config);
// `kubernetes_service_host` is $KUBERNETES_SERVICE_HOST ("" outside Kubernetes): without
// --service-cluster-ip-range the range is guessed from it. With --install-cni, before_ready
// writes the CNI config (WriteCniConfig; its errors start "cni config: "). Errors:
// InvalidArgument naming --service-cluster-ip-range when it cannot be guessed.
absl::StatusOr<AgentOptions> AgentOptionsFrom(const AgentConfig& config, const std::string& kubernetes_service_host);

// The VIP programmer of --vips on --vip-interface, or on the interface of the IPv4 default route
// (the original's -link-name) read through `netlink` when no interface is given; nullptr when
// --vips=false, or when there is no default route (logged as a warning: VIPs disabled). The
// result uses `netlink`, which must outlive it.
std::unique_ptr<NetlinkVipProgrammer> MakeVipProgrammer(const AgentConfig& config, netlink::Netlink& netlink);

// Sets the sysctls (--sysctls) and installs the CNI plugin, token and CA (--install-cni), in that
// order; the CNI config is written later, once the agent is ready (AgentOptions::before_ready).
// Errors: SetSysctls' and InstallCniPlugin's, the message starting "sysctls: " or "cni install: ".
absl::Status PrepareNode(const AgentConfig& config);

// What the agent does to the node when its loop has ended: with --cni-uninstall (and
// --install-cni) it removes its CNI config (RemoveCniConfig), so the node turns network-not-ready;
// otherwise nothing: the config stays, so a restarted or upgraded agent does not make the node
// NotReady. Errors: RemoveCniConfig's, the message starting "cni uninstall: ".
absl::Status LeaveNode(const AgentConfig& config);

// The exit code for the agent loop's error: kExitServiceRangeOverlap for IsServiceRangeOverlap,
// else kExitFailure.
int ExitCodeFor(const absl::Status& run_error);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_CONFIG_H_
