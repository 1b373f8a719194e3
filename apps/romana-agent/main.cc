// romana-agent: runs on every node (DaemonSet, host network). Installs the CNI plugin, and its
// config once ready (registered and synced: the node turns network-ready only then), sets the
// sysctls the dataplane needs, keeps the `romana` routing table and rule and the NAT table in
// sync with romanad, and serves /healthz, /readyz and /metrics.
// Flags and wiring only: the flags, their checks and the options they give are in
// src/agent/config.h (docs/agent.md documents every flag). Exit codes: 0 after SIGTERM/SIGINT,
// 1 a start-up failure, 2 bad flags (as every Romana binary), 3 a Romana network overlaps the
// service cluster IP range (the original agent exited 2 for that).
#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "agent/agent.h"
#include "agent/config.h"
#include "agent/lifecycle.h"
#include "agent/netlink_route_programmer.h"
#include "api/client.h"
#include "base/flags.h"
#include "base/process_main.h"
#include "netlink/libnl_netlink.h"
#include "nft/runner.h"
#include "spdlog/spdlog.h"
#include "status_server/status_server.h"

namespace romana::agent {
namespace {

// Logs and prints "romana-agent: <what>: <message>" (just the message when its status names the
// step itself); returns `code`.
int Fail(const std::string& what, const absl::Status& s, int code = kExitFailure) {
  const std::string prefix = what.empty() ? "" : what + ": ";
  spdlog::error("{}{}", prefix, s.ToString());
  std::cerr << "romana-agent: " << prefix << s.message() << "\n";
  return code;
}

int Run(int argc, char** argv) {
  base::BlockTerminationSignals();
  AgentConfig config;
  CLI::App app{"romana-agent: programs a node's Romana routes, NAT and CNI configuration from romanad"};
  AddAgentFlags(app, config);
  if (std::optional<int> exit_code = base::ParseFlags(app, argc, argv)) return *exit_code;
  if (absl::Status s = base::InitLogging("romana-agent", config.logging.level, config.logging.format); !s.ok()) {
    std::cerr << "romana-agent: " << s.message() << "\n";
    return base::kExitUsage;
  }
  if (absl::Status s = Validate(config); !s.ok()) return Fail("flags", s, base::kExitUsage);

  // Kernel side: netlink + nftables in this process's network namespace.
  absl::StatusOr<std::unique_ptr<netlink::LibnlNetlink>> nl = netlink::LibnlNetlink::Create();
  if (!nl.ok()) return Fail("netlink", nl.status());
  NetlinkRouteProgrammer programmer(**nl, RouteProgrammerOptionsFrom(config));
  absl::StatusOr<std::unique_ptr<nft::LibNftablesRunner>> nft = nft::LibNftablesRunner::Create();
  if (!nft.ok()) return Fail("nftables", nft.status());
  base::SystemClock clock;
  std::unique_ptr<NetlinkVipProgrammer> vips = MakeVipProgrammer(config, **nl);
  if (config.cleanup) {
    absl::Status s = RemoveAgentState(vips.get(), programmer, **nft, clock, RouteSyncerOptionsFrom(config));
    if (!s.ok()) return Fail("", s);
    spdlog::info("removed every route, rule, NAT and policy table and VIP of the agent");
    return 0;
  }

  const char* k8s_host = std::getenv("KUBERNETES_SERVICE_HOST");
  absl::StatusOr<AgentOptions> options = AgentOptionsFrom(config, k8s_host ? k8s_host : "");
  if (!options.ok()) return Fail("flags", options.status(), base::kExitUsage);
  absl::StatusOr<api::ClientOptions> client_options = api::ClientOptionsFromFlags(config.romanad);
  if (!client_options.ok()) return Fail("", client_options.status(), base::kExitUsage);
  absl::StatusOr<std::unique_ptr<api::Client>> client = api::Client::Create(*client_options);
  if (!client.ok()) return Fail("--romanad", client.status(), base::kExitUsage);
  if (absl::Status s = PrepareNode(config); !s.ok()) return Fail("", s);

  prometheus::Registry registry;
  // The subnet source reads through its own netlink socket: the loop thread owns `programmer`.
  absl::StatusOr<std::unique_ptr<netlink::LibnlNetlink>> nl2 = netlink::LibnlNetlink::Create();
  if (!nl2.ok()) return Fail("netlink", nl2.status());
  Agent agent(*std::move(options), **client, programmer, **nft, [&nl2]() { return ConnectedSubnets(**nl2); }, clock,
              registry, vips.get());
  absl::StatusOr<std::unique_ptr<StatusServer>> status =
      StatusServer::StartAt(config.metrics_listen, {.flag = "--metrics-listen",
                                                    .registry = &registry,
                                                    .healthy = [&agent] { return agent.healthy(); },
                                                    .ready = [&agent] { return agent.ready(); }});
  if (!status.ok()) return Fail("status server", status.status());

  absl::Status result = base::RunUntilTerminationSignal([&agent] { return agent.Run(); }, [&agent] { agent.Stop(); });
  if (absl::Status s = LeaveNode(config); !s.ok()) Fail("", s);
  if (!result.ok()) return Fail("agent", result, ExitCodeFor(result));
  spdlog::info("stopped; routes, rule, NAT and policy tables and VIPs stay in place (use --cleanup to remove them); "
               "the CNI config {}", config.install_cni && config.cni_uninstall ? "was removed (--cni-uninstall)" : "stays");
  return 0;
}

}  // namespace
}  // namespace romana::agent

int main(int argc, char** argv) { return romana::agent::Run(argc, argv); }
