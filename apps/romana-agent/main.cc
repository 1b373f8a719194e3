// romana-agent: runs on every node (DaemonSet, host network). Installs the CNI plugin and its
// config, sets the sysctls the dataplane needs, keeps the `romana` routing table and rule and
// the NAT table in sync with romanad, and serves /healthz, /readyz and /metrics.
// docs/agent.md documents every flag. Exit codes: 0 after SIGTERM/SIGINT, 1 bad flags or a
// start-up failure, 2 a Romana network overlaps the service cluster IP range (as the original).
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "agent/agent.h"
#include "agent/cni_install.h"
#include "agent/lifecycle.h"
#include "nft/runner.h"
#include "agent/netlink_route_programmer.h"
#include "agent/netlink_vip_programmer.h"
#include "agent/route_syncer.h"
#include "agent/service_range.h"
#include "agent/sysctl.h"
#include "api/client.h"
#include "base/process_main.h"
#include "base/token_file.h"
#include "net/host_port.h"
#include "netlink/libnl_netlink.h"
#include "spdlog/spdlog.h"
#include "status_server/status_server.h"

namespace {

using namespace romana;

// Logs and prints "romana-agent: <what>: <message>" (just the message when its status names the
// step itself); returns `code`.
int Fail(const std::string& what, const absl::Status& s, int code = 1) {
  const std::string prefix = what.empty() ? "" : what + ": ";
  spdlog::error("{}{}", prefix, s.ToString());
  std::cerr << "romana-agent: " << prefix << s.message() << "\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  base::BlockTerminationSignals();
  CLI::App app{"romana-agent: programs a node's Romana routes, NAT and CNI configuration from romanad"};
  std::string romanad = "http://127.0.0.1:9600", token_file, ca_file;
  std::string node_name = base::HostName(), node_ip, node_labels;
  bool register_node = false;
  int table = agent::kDefaultRouteTable, protocol = agent::kDefaultRouteProtocol;
  int rule_priority = agent::kDefaultRulePriority, resync_seconds = 60;
  bool nat = true;
  bool enforce_policy = true;
  std::string nat_interface, service_range;
  bool sysctls = true, proxy_arp = false;
  std::string sysctl_root = "/proc/sys";
  bool install_cni = true, force_cni_config = false;
  std::string cni_plugin = base::SiblingBinaryPath("romana-cni"), cni_bin_dir = "/opt/cni/bin",
              cni_conf_dir = "/etc/cni/net.d", cni_host_conf_dir, cni_conf_file = "10-romana.conflist",
              cni_network_name = "romana-k8s-network", cni_version = "1.0.0", cni_log_file, cni_romanad;
  int mtu = 1500;
  bool cni_portmap = true;
  std::string metrics_listen = "0.0.0.0:9607";
  std::string log_level = "info", log_format = "text";
  bool cleanup = false;
  bool vips = true;
  std::string vip_interface;

  app.add_option("--romanad", romanad, "romanad base URL")->capture_default_str();
  app.add_option("--romanad-token-file", token_file, "file with the bearer token for romanad");
  app.add_option("--romanad-ca-file", ca_file, "CA bundle to verify an https romanad");
  app.add_option("--node-name", node_name, "this node's name in Romana (= the Kubernetes node name)")
      ->capture_default_str();
  app.add_flag("--register-node", register_node,
               "register this node with romanad at start (outside Kubernetes; needs --node-ip)");
  app.add_option("--node-ip", node_ip, "this node's IP (with --register-node)");
  app.add_option("--node-labels", node_labels, "labels for --register-node: k=v[,k=v...]");
  app.add_option("--route-table", table, "id of the romana routing table")->capture_default_str()
      ->check(CLI::Range(1, 252));
  app.add_option("--route-protocol", protocol, "route protocol number marking the agent's routes")
      ->capture_default_str()->check(CLI::Range(5, 255));
  app.add_option("--rule-priority", rule_priority, "priority of the 'from all lookup <table>' rule")
      ->capture_default_str()->check(CLI::Range(1, 32765));
  app.add_option("--resync-interval", resync_seconds,
                 "seconds between full re-reads of the kernel state (repairs out-of-band changes)")
      ->capture_default_str()->check(CLI::Range(1, 86400));
  app.add_option("--nat", nat, "masquerade pod traffic leaving the Romana networks (true|false)")
      ->capture_default_str();
  app.add_option("--enforce-policy", enforce_policy,
                 "enforce Romana policies on this node's pods in nft table inet romana; false removes "
                 "the table (true|false)")->capture_default_str();
  app.add_option("--nat-interface", nat_interface, "only masquerade traffic leaving this interface (default: any)");
  app.add_option("--service-cluster-ip-range", service_range,
                 "Kubernetes service CIDR; default: guessed from KUBERNETES_SERVICE_HOST "
                 "(100.64.0.1 -> 100.64.0.0/13, 10.96.0.1 -> 10.96.0.0/12), none outside Kubernetes");
  app.add_option("--sysctls", sysctls, "set net.ipv4.ip_forward=1 (and proxy-ARP with --proxy-arp)")
      ->capture_default_str();
  app.add_flag("--proxy-arp", proxy_arp, "also set net.ipv4.conf.default.proxy_arp=1 (not needed by romana-cni)");
  app.add_option("--sysctl-root", sysctl_root, "where sysctls live (tests)")->capture_default_str();
  app.add_option("--install-cni", install_cni, "install the CNI plugin and conflist (true|false)")
      ->capture_default_str();
  app.add_option("--cni-plugin", cni_plugin, "the plugin binary to install")->capture_default_str();
  app.add_option("--cni-bin-dir", cni_bin_dir, "CNI plugin directory")->capture_default_str();
  app.add_option("--cni-conf-dir", cni_conf_dir, "CNI config directory")->capture_default_str();
  app.add_option("--cni-host-conf-dir", cni_host_conf_dir,
                 "--cni-conf-dir as the host (the container runtime running the plugin) sees it, e.g. /etc/cni/net.d "
                 "when the agent's container mounts it at /host/etc/cni/net.d; the conflist names the installed "
                 "token and CA by this path (default: --cni-conf-dir)");
  app.add_option("--cni-conf-file", cni_conf_file, "conflist file name")->capture_default_str();
  app.add_option("--cni-network-name", cni_network_name, "network name in the conflist")->capture_default_str();
  app.add_option("--cni-version", cni_version, "cniVersion of the conflist")->capture_default_str();
  app.add_option("--cni-romanad", cni_romanad, "romanad URL written into the CNI config (default: --romanad)");
  app.add_option("--cni-log-file", cni_log_file, "plugin log file written into the CNI config");
  app.add_option("--cni-portmap", cni_portmap, "chain the portmap plugin after romana (true|false)")
      ->capture_default_str();
  app.add_option("--mtu", mtu, "pod veth MTU written into the CNI config")->capture_default_str()
      ->check(CLI::Range(68, 65535));
  app.add_flag("--force-cni-config", force_cni_config, "overwrite a conflist that belongs to another network");
  app.add_option("--metrics-listen", metrics_listen, "host:port of /metrics, /healthz, /readyz; empty disables")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")->capture_default_str();
  app.add_option("--log-format", log_format, "text|json")->capture_default_str();
  app.add_option("--vips", vips,
                 "add the VIPs romanad assigns to this node (Services with the romanavip annotation) to "
                 "--vip-interface as /32 addresses labelled romana-vip (true|false)")->capture_default_str();
  app.add_option("--vip-interface", vip_interface,
                 "the primary link that carries VIPs (default: the interface of the IPv4 default route at start-up)");
  app.add_flag("--cleanup", cleanup, "remove the agent's routes, rule, NAT and policy tables and VIPs, then exit");
  CLI11_PARSE(app, argc, argv);

  if (absl::Status s = base::InitLogging("romana-agent", log_level, log_format); !s.ok()) {
    std::cerr << "romana-agent: " << s.message() << "\n";
    return 1;
  }

  // Kernel side: netlink + nftables in this process's network namespace.
  absl::StatusOr<std::unique_ptr<netlink::LibnlNetlink>> nl = netlink::LibnlNetlink::Create();
  if (!nl.ok()) return Fail("netlink", nl.status());
  agent::RouteProgrammerOptions rp{static_cast<uint32_t>(table), static_cast<uint8_t>(protocol),
                                   static_cast<uint32_t>(rule_priority)};
  agent::NetlinkRouteProgrammer programmer(**nl, rp);
  absl::StatusOr<std::unique_ptr<nft::LibNftablesRunner>> nft = nft::LibNftablesRunner::Create();
  if (!nft.ok()) return Fail("nftables", nft.status());
  base::SystemClock clock;
  const agent::RouteSyncerOptions route_sync{agent::Rule{rp.rule_priority, rp.table}, std::chrono::seconds(resync_seconds)};

  // The primary link for VIPs (the original's -link-name): given, or the default route's.
  if (vips && vip_interface.empty()) {
    absl::StatusOr<std::string> link = agent::DefaultRouteInterface(**nl);
    if (link.ok()) {
      vip_interface = *link;
    } else {
      spdlog::warn("VIPs disabled: {} (pass --vip-interface)", std::string(link.status().message()));
      vips = false;
    }
  }
  std::unique_ptr<agent::NetlinkVipProgrammer> vip_programmer;
  if (vips) vip_programmer = std::make_unique<agent::NetlinkVipProgrammer>(**nl, vip_interface);

  if (cleanup) {
    absl::Status s = agent::RemoveAgentState(vip_programmer.get(), programmer, **nft, clock, route_sync);
    if (!s.ok()) return Fail("", s);
    spdlog::info("removed every route, rule, NAT and policy table and VIP of the agent");
    return 0;
  }

  // Validate before changing anything.
  const char* k8s_host = std::getenv("KUBERNETES_SERVICE_HOST");
  absl::StatusOr<std::string> range = agent::ResolveServiceRange(service_range, k8s_host ? k8s_host : "");
  if (!range.ok()) return Fail("flags", range.status());
  absl::StatusOr<api::Labels> labels = agent::ParseNodeLabels(node_labels);
  if (!labels.ok()) return Fail("flags", labels.status());
  if (register_node && node_ip.empty()) {
    return Fail("flags", absl::InvalidArgumentError("--node-ip: required with --register-node"));
  }
  std::string metrics_host;
  int metrics_port = -1;
  if (!metrics_listen.empty()) {
    absl::StatusOr<net::HostPort> hp = net::ParseHostPort(metrics_listen);
    if (!hp.ok()) {
      return Fail("flags", absl::InvalidArgumentError("--metrics-listen: expected host:port, got '" +
                                                      metrics_listen + "'"));
    }
    metrics_host = hp->host;
    metrics_port = hp->port;
  }

  api::ClientOptions co;
  co.server = romanad;
  co.ca_file = ca_file;
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = base::ReadTokenFile(token_file);
    if (!token.ok()) return Fail("--romanad-token-file", token.status());
    co.token = *std::move(token);
  }
  absl::StatusOr<std::unique_ptr<api::Client>> client = api::Client::Create(co);
  if (!client.ok()) return Fail("--romanad", client.status());

  if (sysctls) {
    if (absl::Status s = agent::SetSysctls(sysctl_root, agent::DataplaneSysctls(proxy_arp)); !s.ok()) {
      return Fail("sysctls", s);
    }
    spdlog::info("sysctls set (ip_forward{})", proxy_arp ? ", proxy_arp" : "");
  }
  if (install_cni) {
    agent::CniInstallOptions ci;
    ci.plugin_source = cni_plugin;
    ci.bin_dir = cni_bin_dir;
    ci.conf_dir = cni_conf_dir;
    ci.conf_file = cni_conf_file;
    ci.network_name = cni_network_name;
    ci.cni_version = cni_version;
    ci.force = force_cni_config;
    // The plugin runs on the host: it gets its own copies of the token and CA, next to the config.
    ci.token_source = token_file;
    ci.ca_source = ca_file;
    ci.host_conf_dir = cni_host_conf_dir;
    ci.chain_portmap = cni_portmap;
    ci.plugin_config = {{"romanad", cni_romanad.empty() ? romanad : cni_romanad},
                        {"mtu", mtu},
                        {"node_name", node_name}};
    if (!cni_log_file.empty()) ci.plugin_config["log_file"] = cni_log_file;
    absl::StatusOr<agent::CniInstallResult> r = agent::InstallCni(ci);
    if (!r.ok()) return Fail("cni install", r.status());
  }

  prometheus::Registry registry;
  agent::AgentOptions ao;
  ao.node_name = node_name;
  ao.register_node = register_node;
  ao.node_ip = node_ip;
  ao.node_labels = *labels;
  ao.routes = route_sync;
  ao.nat = nat;
  ao.nat_interface = nat_interface;
  ao.enforce_policy = enforce_policy;
  ao.service_range = *range;
  // The subnet source reads through its own netlink socket: the loop thread owns `programmer`.
  absl::StatusOr<std::unique_ptr<netlink::LibnlNetlink>> nl2 = netlink::LibnlNetlink::Create();
  if (!nl2.ok()) return Fail("netlink", nl2.status());
  agent::Agent a(ao, **client, programmer, **nft,
                 [&nl2]() { return agent::ConnectedSubnets(**nl2); }, clock, registry, vip_programmer.get());
  if (vip_programmer != nullptr) spdlog::info("VIPs of node {} go on {}", node_name, vip_interface);

  std::unique_ptr<StatusServer> status;
  if (metrics_port >= 0) {
    absl::StatusOr<std::unique_ptr<StatusServer>> s =
        StatusServer::Start({.host = metrics_host,
                             .port = metrics_port,
                             .flag = "--metrics-listen",
                             .registry = &registry,
                             .healthy = [&a] { return a.healthy(); },
                             .ready = [&a] { return a.ready(); }});
    if (!s.ok()) return Fail("status server", s.status());
    status = *std::move(s);
    spdlog::info("serving /metrics, /healthz, /readyz on {}:{}", metrics_host, status->port());
  }

  absl::Status result;
  std::thread runner([&] {
    result = a.Run();
    if (!result.ok()) kill(getpid(), SIGTERM);  // wake the main thread
  });
  int sig = base::WaitForTerminationSignal();
  spdlog::info("signal {}: stopping", sig);
  a.Stop();
  runner.join();
  if (!result.ok()) {
    return Fail("agent", result, agent::IsServiceRangeOverlap(result) ? 2 : 1);
  }
  spdlog::info("stopped; routes, rule, NAT and policy tables and VIPs stay in place (use --cleanup to remove them)");
  return 0;
}
