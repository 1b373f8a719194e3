// flags.h: romanad's flags (docs/romanad.md lists each): AddDaemonFlags binds them to a
// DaemonFlags, DaemonConfigFrom turns that into the DaemonConfig that Daemon::Start takes.
// apps/romanad parses, converts and starts. Every flag's own check (a range, a member of a list,
// an existing file) runs while parsing; checks across flags are Daemon::Start's (InvalidArgument,
// exit 2). Thread-safe (no shared state).
#ifndef ROMANA_DAEMON_FLAGS_H_
#define ROMANA_DAEMON_FLAGS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "base/flags.h"
#include "daemon/daemon.h"

namespace romana::daemon {

// Exit code for bad flags or configuration: the usage code of every Romana binary
// (docs/romanad.md; ExitCodeFor gives the others).
inline constexpr int kExitConfig = base::kExitUsage;

// One field per flag, with the flag's default: most go straight into `config`; the durations
// are whole numbers on the command line.
struct DaemonFlags {
  DaemonConfig config;
  base::LoggingFlags logging;
  int lease_ttl_seconds = 5;
  int bookmark_interval_ms = 5000;
  int header_timeout_ms = 10000;
  int idle_timeout_ms = 30000;
};

// Adds every flag of romanad to `app` (defaults shown in --help), --version, and the footer on
// the environment and exit codes. `flags` must outlive the parse.
void AddDaemonFlags(CLI::App& app, DaemonFlags& flags);

// The DaemonConfig of `flags`; `kubernetes_service_host` is $KUBERNETES_SERVICE_HOST ("" when
// unset), which selects the built-in topology when no --initial-network is given.
DaemonConfig DaemonConfigFrom(const DaemonFlags& flags, const std::string& kubernetes_service_host);

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_FLAGS_H_
