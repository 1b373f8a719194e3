// config.h: romana-listener's settings as its flags give them (docs/listener.md lists each flag),
// the checks of those flags, and the options of the listener's parts built from them.
// apps/romana-listener parses the flags into ListenerConfig (AddListenerFlags), checks them
// (Validate) and wires the parts. Errors are InvalidArgument naming the flag. Thread-safe (no
// shared state).
#ifndef ROMANA_LISTENER_CONFIG_H_
#define ROMANA_LISTENER_CONFIG_H_

#include <functional>
#include <map>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/client_flags.h"
#include "base/flags.h"
#include "k8s/kube_config.h"
#include "k8s/leader_elector.h"
#include "listener/listener.h"
#include "listener/vips.h"

namespace romana::listener {

// Exit codes of romana-listener (docs/listener.md).
inline constexpr int kExitFailure = 1;   // start-up failed (the status port)
inline constexpr int kExitBadFlags = base::kExitUsage;  // bad flags, Kubernetes config or romanad connection settings

// One field per flag, with the flag's default.
struct ListenerConfig {
  api::RomanadFlags romanad;
  std::string kubeconfig, context, kube_server, kube_token_file;
  bool leader_elect = true;
  std::string lease_namespace = "kube-system", lease_name = "romana-listener";
  std::string identity;  // "" = DefaultIdentity()
  double lease_duration = 15, renew_deadline = 10, retry_period = 2;  // seconds
  double resync_interval = 60, retry_interval = 1;                     // seconds
  double address_gc_interval = 60, address_gc_grace = 300;             // seconds
  double watch_timeout = 300;                                          // seconds
  int parallelism = 16;
  bool vips = true;
  bool vip_external_ips = true;
  std::string vip_cidr;
  std::string metrics_listen = "0.0.0.0:9602";
  base::LoggingFlags logging;
};

// Adds every flag of romana-listener to `app`, in --help order. `config` must outlive the parse.
void AddListenerFlags(CLI::App& app, ListenerConfig& config);

// This replica's name in the Lease when --identity is not given: $POD_NAME from `env`, else
// <hostname>_<pid>.
std::string DefaultIdentity(const std::map<std::string, std::string>& env);

// Checks every flag that needs no I/O: the intervals (at least 0.01 s), --parallelism (1..256),
// --vip-cidr, --metrics-listen, the log flags and, with --leader-elect, the Lease settings
// (k8s::LeaderElector::Validate: an empty --identity is an error, so fill it in first).
absl::Status Validate(const ListenerConfig& config);

// The options of the listener's parts. REQUIRES: Validate(config).ok(). `may_write` is checked
// before every write (the Lease holder's IsLeader()).
ListenerOptions ListenerOptionsFrom(const ListenerConfig& config, std::function<bool()> may_write);
VipControllerOptions VipControllerOptionsFrom(const ListenerConfig& config, std::function<bool()> may_write);
// Without the callbacks, which the caller sets.
k8s::LeaderElectorOptions LeaderElectorOptionsFrom(const ListenerConfig& config);

// The romanad client's options: the --romanad* flags, retrying Unavailable answers for 5 s.
// Errors: api::ClientOptionsFromFlags'.
absl::StatusOr<api::ClientOptions> RomanadClientOptionsFrom(const ListenerConfig& config);

// The Kubernetes connection of --kube-server/--kube-token-file, --kubeconfig/--context, or the
// in-cluster service account (k8s::ResolveKubeConfig over `env`). Errors: ResolveKubeConfig's,
// the message starting "Kubernetes config: ".
absl::StatusOr<k8s::KubeConfig> KubeConfigFrom(const ListenerConfig& config, const std::map<std::string, std::string>& env);

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_CONFIG_H_
