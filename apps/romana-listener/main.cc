// romana-listener: turns Kubernetes nodes, namespaces, pods and NetworkPolicies into romanad
// hosts, namespaces, endpoints and policies, Services with the romanavip annotation into VIPs,
// and releases addresses whose pod is gone. Flags and wiring only: the flags, their checks and
// the options they give are in src/listener/config.h; the work is in src/listener
// (docs/listener.md). Two replicas may run: the one holding the Lease writes.
// Exit codes: 0 after SIGTERM/SIGINT, 1 when start-up fails, 2 for bad flags.
#include <cstdio>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "base/clock.h"
#include "base/flags.h"
#include "base/process_main.h"
#include "http/curl_client.h"
#include "k8s/kube_client.h"
#include "k8s/leader_elector.h"
#include "listener/config.h"
#include "listener/event_recorder.h"
#include "listener/listener.h"
#include "listener/vips.h"
#include "spdlog/spdlog.h"
#include "status_server/status_server.h"

namespace romana::listener {
namespace {

int Fail(int code, absl::string_view msg) {
  spdlog::error("{}", std::string(msg));
  return code;
}

int Run(int argc, char** argv) {
  base::BlockTerminationSignals();
  ListenerConfig config;
  CLI::App app{"romana-listener: watches the Kubernetes API (nodes, namespaces, pods, networkpolicies) and keeps "
               "romanad's hosts, namespaces, endpoints and NetworkPolicies in step; releases addresses whose pod is "
               "gone. Run two replicas: the one holding the Lease writes."};
  AddListenerFlags(app, config);
  if (std::optional<int> exit_code = base::ParseFlags(app, argc, argv)) return *exit_code;
  if (absl::Status s = base::InitLogging("romana-listener", config.logging.level, config.logging.format); !s.ok()) {
    fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return kExitBadFlags;
  }
  const std::map<std::string, std::string> env = base::ProcessEnvironment();
  if (config.identity.empty()) config.identity = DefaultIdentity(env);
  if (absl::Status s = Validate(config); !s.ok()) return Fail(kExitBadFlags, s.message());
  absl::StatusOr<k8s::KubeConfig> kc = KubeConfigFrom(config, env);
  if (!kc.ok()) return Fail(kExitBadFlags, kc.status().ToString());
  absl::StatusOr<api::ClientOptions> client_options = RomanadClientOptionsFrom(config);
  if (!client_options.ok()) return Fail(kExitBadFlags, client_options.status().message());
  absl::StatusOr<std::unique_ptr<api::Client>> client = api::Client::Create(*client_options);
  if (!client.ok()) return Fail(kExitBadFlags, absl::StrCat("--romanad: ", client.status().message()));

  base::SystemClock clock;
  prometheus::Registry registry;
  http::CurlClient kube_http(k8s::MakeHttpOptions(*kc));
  k8s::KubeClient kube(kube_http, *kc);
  const k8s::LeaderElector* lease_holder = nullptr;  // set below when electing
  // Warning Events about objects the listener cannot serve (kubectl describe shows them).
  EventRecorder events(kube, clock, registry, EventCorrelatorOptions{.instance = config.identity});
  auto may_write = [&lease_holder] { return lease_holder == nullptr || lease_holder->IsLeader(); };
  ListenerOptions listener_options = ListenerOptionsFrom(config, may_write);
  listener_options.on_rejected = [&events](Kind kind, const nlohmann::json& object, const absl::Status& why) {
    RecordRejected(events, kind, object, why);
  };
  Listener listener(kube, **client, clock, registry, std::move(listener_options));
  std::unique_ptr<VipController> vip_controller;
  if (config.vips) {
    VipControllerOptions vip_options = VipControllerOptionsFrom(config, may_write);
    vip_options.events = &events;
    vip_controller = std::make_unique<VipController>(kube, **client, clock, registry, std::move(vip_options));
  }
  auto set_active = [&listener, &vip_controller](bool active) {
    listener.SetActive(active);
    if (vip_controller) vip_controller->SetActive(active);
  };
  k8s::LeaderElectorOptions elector_options = LeaderElectorOptionsFrom(config);
  elector_options.on_started_leading = [&set_active] { set_active(true); };
  elector_options.on_stopped_leading = [&set_active] { set_active(false); };
  k8s::LeaderElector elector(kube, clock, elector_options);
  if (config.leader_elect) lease_holder = &elector;

  absl::StatusOr<std::unique_ptr<StatusServer>> status = StatusServer::StartAt(
      config.metrics_listen,
      {.flag = "--metrics-listen",
       .registry = &registry,
       .ready = [&listener, &vip_controller] { return listener.Ready() && (!vip_controller || vip_controller->Ready()); },
       .documents = {{"/status", [&listener, &vip_controller]() -> absl::StatusOr<nlohmann::json> {
         nlohmann::json status = listener.Status();
         if (vip_controller) status["vips"] = vip_controller->Status();
         return status;
       }}}});
  if (!status.ok()) return Fail(kExitFailure, status.status().ToString());
  spdlog::info("romana-listener {}: Kubernetes API {}, romanad {}, {}", config.identity, kc->server, config.romanad.url,
               config.leader_elect ? absl::StrCat("Lease ", config.lease_namespace, "/", config.lease_name)
                                   : "no leader election");
  events.Start();
  listener.Start();
  if (vip_controller) vip_controller->Start();
  std::thread election;
  if (config.leader_elect) {
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
