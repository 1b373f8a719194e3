#include "agent/config.h"

#include "absl/strings/str_cat.h"
#include "agent/lifecycle.h"
#include "agent/service_range.h"
#include "agent/sysctl.h"
#include "spdlog/spdlog.h"
#include "status_server/status_server.h"

namespace romana::agent {
namespace {

absl::Status CheckRange(const char* flag, int value, int min, int max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", value, " is not in ", min, "..", max));
}

}  // namespace

void AddAgentFlags(CLI::App& app, AgentConfig& c) {
  api::AddRomanadFlags(app, c.romanad);
  app.add_option("--node-name", c.node_name, "this node's name in Romana (= the Kubernetes node name)")
      ->capture_default_str();
  app.add_flag("--register-node", c.register_node,
               "register this node with romanad at start (outside Kubernetes; needs --node-ip)");
  app.add_option("--node-ip", c.node_ip, "this node's IP (with --register-node)");
  app.add_option("--node-labels", c.node_labels, "labels for --register-node: k=v[,k=v...]");
  app.add_option("--route-table", c.route_table, "id of the romana routing table")->capture_default_str()
      ->check(CLI::Range(1, 252));
  app.add_option("--route-protocol", c.route_protocol, "route protocol number marking the agent's routes")
      ->capture_default_str()->check(CLI::Range(5, 255));
  app.add_option("--rule-priority", c.rule_priority, "priority of the 'from all lookup <table>' rule")
      ->capture_default_str()->check(CLI::Range(1, 32765));
  app.add_option("--resync-interval", c.resync_seconds,
                 "seconds between full re-reads of the kernel state (repairs out-of-band changes)")
      ->capture_default_str()->check(CLI::Range(1, 86400));
  app.add_option("--nat", c.nat, "masquerade pod traffic leaving the Romana networks (true|false)")
      ->capture_default_str();
  app.add_option("--enforce-policy", c.enforce_policy,
                 "enforce Romana policies on this node's pods in nft table inet romana; false removes "
                 "the table (true|false)")->capture_default_str();
  app.add_option("--nat-interface", c.nat_interface, "only masquerade traffic leaving this interface (default: any)");
  app.add_option("--service-cluster-ip-range", c.service_range,
                 "Kubernetes service CIDR; default: guessed from KUBERNETES_SERVICE_HOST "
                 "(100.64.0.1 -> 100.64.0.0/13, 10.96.0.1 -> 10.96.0.0/12), none outside Kubernetes");
  app.add_option("--sysctls", c.sysctls, "set net.ipv4.ip_forward=1 (and proxy-ARP with --proxy-arp)")
      ->capture_default_str();
  app.add_flag("--proxy-arp", c.proxy_arp, "also set net.ipv4.conf.default.proxy_arp=1 (not needed by romana-cni)");
  app.add_option("--sysctl-root", c.sysctl_root, "where sysctls live (tests)")->capture_default_str();
  app.add_option("--install-cni", c.install_cni, "install the CNI plugin and conflist (true|false)")
      ->capture_default_str();
  app.add_option("--cni-plugin", c.cni_plugin, "the plugin binary to install")->capture_default_str();
  app.add_option("--cni-bin-dir", c.cni_bin_dir, "CNI plugin directory")->capture_default_str();
  app.add_option("--cni-conf-dir", c.cni_conf_dir, "CNI config directory")->capture_default_str();
  app.add_option("--cni-host-conf-dir", c.cni_host_conf_dir,
                 "--cni-conf-dir as the host (the container runtime running the plugin) sees it, e.g. /etc/cni/net.d "
                 "when the agent's container mounts it at /host/etc/cni/net.d; the conflist names the installed "
                 "token and CA by this path (default: --cni-conf-dir)");
  app.add_option("--cni-conf-file", c.cni_conf_file, "conflist file name")->capture_default_str();
  app.add_option("--cni-network-name", c.cni_network_name, "network name in the conflist")->capture_default_str();
  app.add_option("--cni-version", c.cni_version, "cniVersion of the conflist")->capture_default_str();
  app.add_option("--cni-romanad", c.cni_romanad, "romanad URL written into the CNI config (default: --romanad)");
  app.add_option("--cni-log-file", c.cni_log_file, "plugin log file written into the CNI config");
  app.add_option("--cni-portmap", c.cni_portmap, "chain the portmap plugin after romana (true|false)")
      ->capture_default_str();
  app.add_option("--mtu", c.mtu, "pod veth MTU written into the CNI config")->capture_default_str()
      ->check(CLI::Range(68, 65535));
  app.add_flag("--force-cni-config", c.force_cni_config, "overwrite a conflist that belongs to another network");
  app.add_option("--cni-uninstall", c.cni_uninstall,
                 "remove the conflist when the agent stops, turning the node network-not-ready (default: keep it, "
                 "so an agent restart or upgrade does not make the node NotReady) (true|false)")
      ->capture_default_str();
  app.add_option("--metrics-listen", c.metrics_listen, "host:port of /metrics, /healthz, /readyz; empty disables")
      ->capture_default_str();
  base::AddLoggingFlags(app, c.logging);
  app.add_option("--vips", c.vips,
                 "add the VIPs romanad assigns to this node (Services with the romanavip annotation) to "
                 "--vip-interface as /32 addresses labelled romana-vip (true|false)")->capture_default_str();
  app.add_option("--vip-interface", c.vip_interface,
                 "the primary link that carries VIPs (default: the interface of the IPv4 default route at start-up)");
  app.add_flag("--cleanup", c.cleanup, "remove the agent's routes, rule, NAT and policy tables and VIPs, then exit");
}

absl::Status Validate(const AgentConfig& c) {
  for (absl::Status s : {CheckRange("--route-table", c.route_table, 1, 252),
                         CheckRange("--route-protocol", c.route_protocol, 5, 255),
                         CheckRange("--rule-priority", c.rule_priority, 1, 32765),
                         CheckRange("--resync-interval", c.resync_seconds, 1, 86400),
                         CheckRange("--mtu", c.mtu, 68, 65535), base::CheckLoggingFlags(c.logging)}) {
    if (!s.ok()) return s;
  }
  if (absl::StatusOr<api::Labels> labels = ParseNodeLabels(c.node_labels); !labels.ok()) return labels.status();
  if (c.register_node && c.node_ip.empty()) return absl::InvalidArgumentError("--node-ip: required with --register-node");
  if (auto listen = ParseListenFlag("--metrics-listen", c.metrics_listen); !listen.ok()) return listen.status();
  if (!c.service_range.empty()) {
    if (absl::StatusOr<std::string> range = ResolveServiceRange(c.service_range, ""); !range.ok()) return range.status();
  }
  return absl::OkStatus();
}

RouteProgrammerOptions RouteProgrammerOptionsFrom(const AgentConfig& c) {
  return {.table = static_cast<uint32_t>(c.route_table),
          .protocol = static_cast<uint8_t>(c.route_protocol),
          .rule_priority = static_cast<uint32_t>(c.rule_priority)};
}

RouteSyncerOptions RouteSyncerOptionsFrom(const AgentConfig& c) {
  return {.rule = Rule{static_cast<uint32_t>(c.rule_priority), static_cast<uint32_t>(c.route_table)},
          .resync_interval = std::chrono::seconds(c.resync_seconds)};
}

CniInstallOptions CniInstallOptionsFrom(const AgentConfig& c) {
  CniInstallOptions ci{.plugin_source = c.cni_plugin,
                       .bin_dir = c.cni_bin_dir,
                       .conf_dir = c.cni_conf_dir,
                       .conf_file = c.cni_conf_file,
                       .network_name = c.cni_network_name,
                       .cni_version = c.cni_version,
                       .plugin_config = {{"romanad", c.cni_romanad.empty() ? c.romanad.url : c.cni_romanad},
                                         {"mtu", c.mtu},
                                         {"node_name", c.node_name}},
                       .chain_portmap = c.cni_portmap,
                       .force = c.force_cni_config,
                       .token_source = c.romanad.token_file,
                       .ca_source = c.romanad.ca_file,
                       .host_conf_dir = c.cni_host_conf_dir};
  if (!c.cni_log_file.empty()) ci.plugin_config["log_file"] = c.cni_log_file;
  return ci;
}

absl::StatusOr<AgentOptions> AgentOptionsFrom(const AgentConfig& c, const std::string& kubernetes_service_host) {
  absl::StatusOr<std::string> range = ResolveServiceRange(c.service_range, kubernetes_service_host);
  if (!range.ok()) return range.status();
  absl::StatusOr<api::Labels> labels = ParseNodeLabels(c.node_labels);
  if (!labels.ok()) return labels.status();
  AgentOptions o{.node_name = c.node_name,
                 .register_node = c.register_node,
                 .node_ip = c.node_ip,
                 .node_labels = *std::move(labels),
                 .routes = RouteSyncerOptionsFrom(c),
                 .nat = c.nat,
                 .nat_interface = c.nat_interface,
                 .enforce_policy = c.enforce_policy,
                 .service_range = *std::move(range)};
  if (c.install_cni) {
    o.before_ready = [cni = CniInstallOptionsFrom(c)]() -> absl::Status {
      absl::StatusOr<bool> written = WriteCniConfig(cni);
      if (written.ok()) return absl::OkStatus();
      return absl::Status(written.status().code(), absl::StrCat("cni config: ", written.status().message()));
    };
  }
  return o;
}

std::unique_ptr<NetlinkVipProgrammer> MakeVipProgrammer(const AgentConfig& c, netlink::Netlink& netlink) {
  if (!c.vips) return nullptr;
  std::string link = c.vip_interface;
  if (link.empty()) {
    absl::StatusOr<std::string> found = DefaultRouteInterface(netlink);
    if (!found.ok()) {
      spdlog::warn("VIPs disabled: {} (pass --vip-interface)", std::string(found.status().message()));
      return nullptr;
    }
    link = *std::move(found);
  }
  spdlog::info("VIPs of node {} go on {}", c.node_name, link);
  return std::make_unique<NetlinkVipProgrammer>(netlink, std::move(link));
}

absl::Status PrepareNode(const AgentConfig& c) {
  if (c.sysctls) {
    if (absl::Status s = SetSysctls(c.sysctl_root, DataplaneSysctls(c.proxy_arp)); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("sysctls: ", s.message()));
    }
    spdlog::info("sysctls set (ip_forward{})", c.proxy_arp ? ", proxy_arp" : "");
  }
  if (c.install_cni) {
    if (absl::StatusOr<CniInstallResult> r = InstallCniPlugin(CniInstallOptionsFrom(c)); !r.ok()) {
      return absl::Status(r.status().code(), absl::StrCat("cni install: ", r.status().message()));
    }
  }
  return absl::OkStatus();
}

absl::Status LeaveNode(const AgentConfig& c) {
  if (!c.install_cni || !c.cni_uninstall) return absl::OkStatus();
  absl::StatusOr<bool> removed = RemoveCniConfig(CniInstallOptionsFrom(c));
  if (!removed.ok()) {
    return absl::Status(removed.status().code(), absl::StrCat("cni uninstall: ", removed.status().message()));
  }
  return absl::OkStatus();
}

int ExitCodeFor(const absl::Status& run_error) {
  return IsServiceRangeOverlap(run_error) ? kExitServiceRangeOverlap : kExitFailure;
}

}  // namespace romana::agent
