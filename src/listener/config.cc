#include "listener/config.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/process_main.h"
#include "net/ipv4.h"
#include "status_server/status_server.h"

namespace romana::listener {
namespace {

std::chrono::milliseconds Ms(double seconds) { return std::chrono::milliseconds(static_cast<long long>(seconds * 1000)); }

}  // namespace

void AddListenerFlags(CLI::App& app, ListenerConfig& c) {
  api::AddRomanadFlags(app, c.romanad);
  app.add_option("--kubeconfig", c.kubeconfig, "kubeconfig file (default: $KUBECONFIG, else in-cluster config)");
  app.add_option("--context", c.context, "kubeconfig context (default: current-context)");
  app.add_option("--kube-server", c.kube_server, "Kubernetes API server URL; overrides kubeconfig and in-cluster config");
  app.add_option("--kube-token-file", c.kube_token_file, "bearer token file for --kube-server");
  app.add_option("--leader-elect", c.leader_elect, "elect one active replica through a Lease (true|false)")
      ->capture_default_str();
  app.add_option("--lease-namespace", c.lease_namespace, "namespace of the Lease")->capture_default_str();
  app.add_option("--lease-name", c.lease_name, "name of the Lease")->capture_default_str();
  app.add_option("--identity", c.identity, "this replica's name in the Lease (default: $POD_NAME, else hostname_pid)");
  app.add_option("--lease-duration", c.lease_duration, "seconds a standby waits after the last renewal before taking over")
      ->capture_default_str();
  app.add_option("--renew-deadline", c.renew_deadline,
                 "seconds the leader keeps trying to renew before it stops writing (< --lease-duration)")
      ->capture_default_str();
  app.add_option("--retry-period", c.retry_period, "seconds between Lease renewals and acquisition attempts")
      ->capture_default_str();
  app.add_option("--resync-interval", c.resync_interval,
                 "seconds between full reconciles (romanad's state re-read and repaired)")->capture_default_str();
  app.add_option("--retry-interval", c.retry_interval, "seconds before a full reconcile after a failed romanad call")
      ->capture_default_str();
  app.add_option("--address-gc-interval", c.address_gc_interval, "seconds between address garbage collections")
      ->capture_default_str();
  app.add_option("--address-gc-grace", c.address_gc_grace,
                 "seconds an address must belong to no pod before it is released")->capture_default_str();
  app.add_option("--watch-timeout", c.watch_timeout, "seconds each Kubernetes watch lasts before it is renewed")
      ->capture_default_str();
  app.add_option("--parallelism", c.parallelism, "concurrent romanad writes during a reconcile")->capture_default_str();
  app.add_option("--vips", c.vips, "turn Services with the romanavip annotation into romanad VIPs (true|false)")
      ->capture_default_str();
  app.add_option("--vip-external-ips", c.vip_external_ips,
                 "add each Service's VIP to its spec.externalIPs so kube-proxy forwards it (true|false); "
                 "only the address the listener added is ever removed")
      ->capture_default_str();
  app.add_option("--vip-cidr", c.vip_cidr,
                 "address pool (IPv4 CIDR) for romanavip {\"auto\": true}; empty: auto is refused");
  app.add_option("--metrics-listen", c.metrics_listen, "host:port of /metrics, /healthz, /readyz, /status; empty disables")
      ->capture_default_str();
  base::AddLoggingFlags(app, c.logging);
}

std::string DefaultIdentity(const std::map<std::string, std::string>& env) {
  auto pod = env.find("POD_NAME");
  if (pod != env.end() && !pod->second.empty()) return pod->second;
  return absl::StrCat(base::HostName(), "_", getpid());
}

absl::Status Validate(const ListenerConfig& c) {
  if (absl::Status s = base::CheckLoggingFlags(c.logging); !s.ok()) return s;
  for (auto [flag, value] : {std::pair{"--resync-interval", c.resync_interval}, {"--retry-interval", c.retry_interval},
                             {"--address-gc-interval", c.address_gc_interval}, {"--address-gc-grace", c.address_gc_grace},
                             {"--retry-period", c.retry_period}, {"--watch-timeout", c.watch_timeout}}) {
    if (value < 0.01) return absl::InvalidArgumentError(absl::StrCat(flag, ": must be at least 0.01 seconds"));
  }
  if (c.parallelism < 1 || c.parallelism > 256) return absl::InvalidArgumentError("--parallelism: must be 1..256");
  if (!c.vip_cidr.empty() && !net::Ipv4Cidr::Parse(c.vip_cidr).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--vip-cidr: '", c.vip_cidr, "' is not an IPv4 CIDR such as 192.168.99.0/24"));
  }
  if (auto listen = ParseListenFlag("--metrics-listen", c.metrics_listen); !listen.ok()) return listen.status();
  if (c.leader_elect) {
    if (absl::Status s = k8s::LeaderElector::Validate(LeaderElectorOptionsFrom(c)); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--lease-*/--renew-deadline/--retry-period/--identity: ", s.message()));
    }
  }
  return absl::OkStatus();
}

ListenerOptions ListenerOptionsFrom(const ListenerConfig& c, std::function<bool()> may_write) {
  return {.resync_interval = Ms(c.resync_interval),
          .retry_interval = Ms(c.retry_interval),
          .address_gc_interval = Ms(c.address_gc_interval),
          .address_gc_grace = Ms(c.address_gc_grace),
          .parallelism = c.parallelism,
          .watch_timeout_seconds = std::max(1, static_cast<int>(c.watch_timeout)),
          .may_write = std::move(may_write)};
}

VipControllerOptions VipControllerOptionsFrom(const ListenerConfig& c, std::function<bool()> may_write) {
  return {.resync_interval = Ms(c.resync_interval),
          .retry_interval = Ms(c.retry_interval),
          .vip_cidr = c.vip_cidr,
          .watch_timeout_seconds = std::max(1, static_cast<int>(c.watch_timeout)),
          .may_write = std::move(may_write),
          .external_ips = c.vip_external_ips};
}

k8s::LeaderElectorOptions LeaderElectorOptionsFrom(const ListenerConfig& c) {
  return {.lease_namespace = c.lease_namespace,
          .lease_name = c.lease_name,
          .identity = c.identity,
          .lease_duration = std::chrono::seconds(static_cast<long long>(c.lease_duration)),
          .renew_deadline = Ms(c.renew_deadline),
          .retry_period = Ms(c.retry_period)};
}

absl::StatusOr<api::ClientOptions> RomanadClientOptionsFrom(const ListenerConfig& c) {
  absl::StatusOr<api::ClientOptions> options = api::ClientOptionsFromFlags(c.romanad);
  if (options.ok()) options->retry_unavailable_for = std::chrono::seconds(5);
  return options;
}

absl::StatusOr<k8s::KubeConfig> KubeConfigFrom(const ListenerConfig& c, const std::map<std::string, std::string>& env) {
  absl::StatusOr<k8s::KubeConfig> kc = k8s::ResolveKubeConfig(c.kube_server, c.kube_token_file, c.kubeconfig, c.context, env);
  if (!kc.ok()) return absl::Status(kc.status().code(), absl::StrCat("Kubernetes config: ", kc.status().message()));
  return kc;
}

}  // namespace romana::listener
