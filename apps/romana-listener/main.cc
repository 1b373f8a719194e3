// romana-listener: turns Kubernetes nodes, namespaces, pods and NetworkPolicies into romanad
// hosts, namespaces, endpoints and policies, Services with the romanavip annotation into VIPs,
// and releases addresses whose pod is gone. Flags
// and wiring only; the work is in src/listener (docs/listener.md). Two replicas may run: the
// one holding the Lease writes.
// Exit codes: 0 after SIGTERM/SIGINT, 1 when start-up fails, 2 for bad flags.
#include <unistd.h>

#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "base/clock.h"
#include "base/process_main.h"
#include "base/token_file.h"
#include "http/curl_client.h"
#include "k8s/kube_client.h"
#include "k8s/kube_config.h"
#include "k8s/leader_elector.h"
#include "listener/event_recorder.h"
#include "listener/listener.h"
#include "listener/vips.h"
#include "net/host_port.h"
#include "net/ipv4.h"
#include "spdlog/spdlog.h"
#include "status_server/status_server.h"

extern char** environ;

namespace romana::listener {
namespace {

int Fail(int code, const std::string& msg) {
  spdlog::error("{}", msg);
  return code;
}

std::chrono::milliseconds Ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::map<std::string, std::string> Environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

int Run(int argc, char** argv) {
  base::BlockTerminationSignals();
  std::string log_level = "info", log_format = "text";
  std::string romanad = "http://127.0.0.1:9600", romanad_token_file, romanad_ca_file;
  std::string kubeconfig, context, kube_server, kube_token_file;
  bool leader_elect = true;
  std::string lease_namespace = "kube-system", lease_name = "romana-listener", identity;
  double lease_duration = 15, renew_deadline = 10, retry_period = 2;
  double resync_interval = 60, retry_interval = 1, gc_interval = 60, gc_grace = 300, watch_timeout = 300;
  int parallelism = 16;
  std::string metrics_listen = "0.0.0.0:9602";
  CLI::App app{"romana-listener: watches the Kubernetes API (nodes, namespaces, pods, networkpolicies) and keeps "
               "romanad's hosts, namespaces, endpoints and NetworkPolicies in step; releases addresses whose pod is "
               "gone. Run two replicas: the one holding the Lease writes."};
  app.add_option("--romanad", romanad, "romanad base URL")->capture_default_str();
  app.add_option("--romanad-token-file", romanad_token_file, "file with the bearer token for romanad");
  app.add_option("--romanad-ca-file", romanad_ca_file, "CA bundle to verify an https romanad");
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig file (default: $KUBECONFIG, else in-cluster config)");
  app.add_option("--context", context, "kubeconfig context (default: current-context)");
  app.add_option("--kube-server", kube_server, "Kubernetes API server URL; overrides kubeconfig and in-cluster config");
  app.add_option("--kube-token-file", kube_token_file, "bearer token file for --kube-server");
  app.add_option("--leader-elect", leader_elect, "elect one active replica through a Lease (true|false)")
      ->capture_default_str();
  app.add_option("--lease-namespace", lease_namespace, "namespace of the Lease")->capture_default_str();
  app.add_option("--lease-name", lease_name, "name of the Lease")->capture_default_str();
  app.add_option("--identity", identity, "this replica's name in the Lease (default: $POD_NAME, else hostname_pid)");
  app.add_option("--lease-duration", lease_duration, "seconds a standby waits after the last renewal before taking over")
      ->capture_default_str();
  app.add_option("--renew-deadline", renew_deadline,
                 "seconds the leader keeps trying to renew before it stops writing (< --lease-duration)")
      ->capture_default_str();
  app.add_option("--retry-period", retry_period, "seconds between Lease renewals and acquisition attempts")
      ->capture_default_str();
  app.add_option("--resync-interval", resync_interval,
                 "seconds between full reconciles (romanad's state re-read and repaired)")->capture_default_str();
  app.add_option("--retry-interval", retry_interval, "seconds before a full reconcile after a failed romanad call")
      ->capture_default_str();
  app.add_option("--address-gc-interval", gc_interval, "seconds between address garbage collections")
      ->capture_default_str();
  app.add_option("--address-gc-grace", gc_grace,
                 "seconds an address must belong to no pod before it is released")->capture_default_str();
  app.add_option("--watch-timeout", watch_timeout, "seconds each Kubernetes watch lasts before it is renewed")
      ->capture_default_str();
  app.add_option("--parallelism", parallelism, "concurrent romanad writes during a reconcile")->capture_default_str();
  bool vips = true;
  std::string vip_cidr;
  app.add_option("--vips", vips, "turn Services with the romanavip annotation into romanad VIPs (true|false)")
      ->capture_default_str();
  bool vip_external_ips = true;
  app.add_option("--vip-external-ips", vip_external_ips,
                 "add each Service's VIP to its spec.externalIPs so kube-proxy forwards it (true|false); "
                 "only the address the listener added is ever removed")
      ->capture_default_str();
  app.add_option("--vip-cidr", vip_cidr,
                 "address pool (IPv4 CIDR) for romanavip {\"auto\": true}; empty: auto is refused");
  app.add_option("--metrics-listen", metrics_listen, "host:port of /metrics, /healthz, /readyz, /status; empty disables")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")->capture_default_str();
  app.add_option("--log-format", log_format, "text|json")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (absl::Status s = base::InitLogging("romana-listener", log_level, log_format); !s.ok()) {
    fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  for (auto [flag, value] : {std::pair{"--resync-interval", resync_interval}, {"--retry-interval", retry_interval},
                             {"--address-gc-interval", gc_interval}, {"--address-gc-grace", gc_grace},
                             {"--retry-period", retry_period}, {"--watch-timeout", watch_timeout}}) {
    if (value < 0.01) return Fail(2, absl::StrCat(flag, ": must be at least 0.01 seconds"));
  }
  if (parallelism < 1 || parallelism > 256) return Fail(2, "--parallelism: must be 1..256");
  if (!vip_cidr.empty() && !net::Ipv4Cidr::Parse(vip_cidr).ok()) {
    return Fail(2, absl::StrCat("--vip-cidr: '", vip_cidr, "' is not an IPv4 CIDR such as 192.168.99.0/24"));
  }
  std::string metrics_host;
  int metrics_port = -1;
  if (!metrics_listen.empty()) {
    absl::StatusOr<net::HostPort> hp = net::ParseHostPort(metrics_listen);
    if (!hp.ok()) return Fail(2, "--metrics-listen: expected host:port, got '" + metrics_listen + "'");
    metrics_host = hp->host;
    metrics_port = hp->port;
  }
  std::map<std::string, std::string> env = Environment();
  if (identity.empty()) {
    if (env.count("POD_NAME") && !env["POD_NAME"].empty()) {
      identity = env["POD_NAME"];
    } else {
      identity = absl::StrCat(base::HostName(), "_", getpid());
    }
  }
  k8s::LeaderElectorOptions eo{.lease_namespace = lease_namespace,
                               .lease_name = lease_name,
                               .identity = identity,
                               .lease_duration = std::chrono::seconds(static_cast<long long>(lease_duration)),
                               .renew_deadline = Ms(renew_deadline),
                               .retry_period = Ms(retry_period)};
  if (leader_elect) {
    if (absl::Status s = k8s::LeaderElector::Validate(eo); !s.ok()) {
      return Fail(2, absl::StrCat("--lease-*/--renew-deadline/--retry-period/--identity: ", s.message()));
    }
  }

  // Kubernetes connection.
  absl::StatusOr<k8s::KubeConfig> loaded = k8s::ResolveKubeConfig(kube_server, kube_token_file, kubeconfig, context, env);
  if (!loaded.ok()) return Fail(2, absl::StrCat("Kubernetes config: ", loaded.status().ToString()));
  const k8s::KubeConfig kc = *std::move(loaded);
  // romanad connection.
  api::ClientOptions co{.server = romanad, .ca_file = romanad_ca_file,
                        .retry_unavailable_for = std::chrono::seconds(5)};
  if (!romanad_token_file.empty()) {
    absl::StatusOr<std::string> token = base::ReadTokenFile(romanad_token_file);
    if (!token.ok()) return Fail(2, absl::StrCat("--romanad-token-file: ", token.status().message()));
    co.token = *std::move(token);
  }
  absl::StatusOr<std::unique_ptr<api::Client>> client = api::Client::Create(co);
  if (!client.ok()) return Fail(2, absl::StrCat("--romanad: ", client.status().message()));

  base::SystemClock clock;
  prometheus::Registry registry;
  http::CurlClient kube_http(k8s::MakeHttpOptions(kc));
  k8s::KubeClient kube(kube_http, kc);
  const k8s::LeaderElector* lease_holder = nullptr;  // set below when electing
  // Warning Events about objects the listener cannot serve (kubectl describe shows them).
  EventRecorder events(kube, clock, registry, EventCorrelatorOptions{.instance = identity});
  Listener listener(kube, **client, clock, registry,
                    ListenerOptions{.resync_interval = Ms(resync_interval),
                                    .retry_interval = Ms(retry_interval),
                                    .address_gc_interval = Ms(gc_interval),
                                    .address_gc_grace = Ms(gc_grace),
                                    .parallelism = parallelism,
                                    .watch_timeout_seconds = std::max(1, static_cast<int>(watch_timeout)),
                                    .may_write = [&lease_holder] { return lease_holder == nullptr || lease_holder->IsLeader(); },
                                    .on_rejected = [&events](Kind kind, const nlohmann::json& object,
                                                             const absl::Status& why) {
                                      RecordRejected(events, kind, object, why);
                                    }});
  std::unique_ptr<VipController> vip_controller;
  if (vips) {
    vip_controller = std::make_unique<VipController>(
        kube, **client, clock, registry,
        VipControllerOptions{.resync_interval = Ms(resync_interval),
                             .retry_interval = Ms(retry_interval),
                             .vip_cidr = vip_cidr,
                             .watch_timeout_seconds = std::max(1, static_cast<int>(watch_timeout)),
                             .may_write = [&lease_holder] { return lease_holder == nullptr || lease_holder->IsLeader(); },
                             .external_ips = vip_external_ips,
                             .events = &events});
  }
  auto set_active = [&listener, &vip_controller](bool active) {
    listener.SetActive(active);
    if (vip_controller) vip_controller->SetActive(active);
  };
  eo.on_started_leading = [&set_active] { set_active(true); };
  eo.on_stopped_leading = [&set_active] { set_active(false); };
  k8s::LeaderElector elector(kube, clock, eo);
  if (leader_elect) lease_holder = &elector;

  std::unique_ptr<StatusServer> status;
  if (metrics_port >= 0) {
    absl::StatusOr<std::unique_ptr<StatusServer>> s = StatusServer::Start(
        {.host = metrics_host,
         .port = metrics_port,
         .flag = "--metrics-listen",
         .registry = &registry,
         .ready = [&listener, &vip_controller] { return listener.Ready() && (!vip_controller || vip_controller->Ready()); },
         .documents = {{"/status", [&listener, &vip_controller]() -> absl::StatusOr<nlohmann::json> {
           nlohmann::json status = listener.Status();
           if (vip_controller) status["vips"] = vip_controller->Status();
           return status;
         }}}});
    if (!s.ok()) return Fail(1, s.status().ToString());
    status = *std::move(s);
    spdlog::info("serving /metrics, /healthz, /readyz, /status on {}:{}", metrics_host, status->port());
  }
  spdlog::info("romana-listener {}: Kubernetes API {}, romanad {}, {}", identity, kc.server, romanad,
               leader_elect ? absl::StrCat("Lease ", lease_namespace, "/", lease_name) : "no leader election");
  events.Start();
  listener.Start();
  if (vip_controller) vip_controller->Start();
  std::thread election;
  if (leader_elect) {
    election = std::thread([&elector] { elector.Run(); });
  } else {
    set_active(true);
  }
  const int sig = base::WaitForTerminationSignal();
  spdlog::info("signal {}: stopping", sig);
  // No write after listener.Stop(); only then is the Lease released, so the standby that takes
  // over at once never overlaps with this replica.
  listener.Stop();
  if (vip_controller) vip_controller->Stop();
  events.Stop();  // after the writers: what they queued is written
  elector.Stop();
  if (election.joinable()) election.join();
  return 0;
}

}  // namespace
}  // namespace romana::listener

int main(int argc, char** argv) { return romana::listener::Run(argc, argv); }
