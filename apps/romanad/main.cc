// romanad: Romana's central service. Flag parsing and wiring only: the flags are in
// src/daemon/flags.h, the service in src/daemon; see docs/romanad.md.
// Exit codes (docs/romanad.md): 0 clean shutdown, 2 bad flags/config, 3 store unusable,
// 4 cannot listen, 1 anything else.
#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "base/clock.h"
#include "base/flags.h"
#include "base/process_main.h"
#include "daemon/daemon.h"
#include "daemon/flags.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace romana;
  base::BlockTerminationSignals();
  daemon::DaemonFlags flags;
  CLI::App app{
      "romanad: Romana's central service. Owns all state (topology, hosts, blocks, addresses, policies,\n"
      "networkpolicies, namespaces, endpoints) in the store and serves the REST API and watch stream (docs/api.md)."};
  daemon::AddDaemonFlags(app, flags);
  if (std::optional<int> exit_code = base::ParseFlags(app, argc, argv)) return *exit_code;
  if (absl::Status s = base::InitLogging("romanad", flags.logging.level, flags.logging.format); !s.ok()) {
    std::cerr << s.message() << "\n";
    return daemon::kExitConfig;
  }
  // Every connection (each agent's watch) is a file descriptor.
  base::RaiseOpenFileLimit();
  const char* k8s_host = std::getenv("KUBERNETES_SERVICE_HOST");

  base::SystemClock clock;
  absl::StatusOr<std::unique_ptr<daemon::Daemon>> d =
      daemon::Daemon::Start(daemon::DaemonConfigFrom(flags, k8s_host ? k8s_host : ""), clock);
  if (!d.ok()) {
    spdlog::error("romanad: {}", d.status().ToString());
    return daemon::ExitCodeFor(d.status());
  }
  int sig = base::WaitForTerminationSignal();
  spdlog::info("romanad: signal {}: shutting down", sig);
  (*d)->Shutdown();
  return 0;
}
