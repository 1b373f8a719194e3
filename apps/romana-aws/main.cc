// romana-aws: switches EC2 Source/Dest check off for every Kubernetes node's instance and
// primary network interface, and keeps it off. Flags only; the work is in src/aws/srcdst.
// Exit codes: 0 after SIGTERM/SIGINT, 1 when start-up fails, 2 for bad flags.
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "aws/ec2_setup.h"
#include "aws/srcdst/controller.h"
#include "base/clock.h"
#include "base/periodic_thread.h"
#include "base/flags.h"
#include "base/process_main.h"
#include "http/curl_client.h"
#include "k8s/kube_client.h"
#include "k8s/reflector.h"
#include "spdlog/spdlog.h"
#include "status_server/status_server.h"

namespace romana::srcdst {
namespace {

int Fail(int code, const std::string& msg) {
  spdlog::error("{}", msg);
  return code;
}

int Run(int argc, char** argv) {
  base::BlockTerminationSignals();
  std::string log_level = "info", log_format = "text";
  std::string kubeconfig, context, server, token_file;
  std::string region, ec2_endpoint, imds_endpoint, aws_profile;
  double recheck_interval = 300;
  std::string listen_address = "0.0.0.0";
  int listen_port = 9604;
  CLI::App app{"romana-aws: switches EC2 Source/Dest check off on every Kubernetes node's instance and "
               "primary network interface, and keeps it off. Runs on one master."};
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error")->capture_default_str();
  app.add_option("--log-format", log_format, "text|json")->capture_default_str();
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig file (default: $KUBECONFIG, else in-cluster config)");
  app.add_option("--context", context, "kubeconfig context (default: current-context)");
  app.add_option("--server", server, "Kubernetes API server URL; overrides kubeconfig and in-cluster config");
  app.add_option("--token_file", token_file, "Bearer token file for --server");
  app.add_option("--region", region, "AWS region (default: from instance metadata)");
  app.add_option("--ec2_endpoint", ec2_endpoint, "EC2 endpoint URL (default https://ec2.<region>.amazonaws.com)");
  app.add_option("--imds_endpoint", imds_endpoint, "Instance metadata endpoint (default http://169.254.169.254)");
  app.add_option("--aws_profile", aws_profile, "Profile in the shared credentials/config files");
  app.add_option("--recheck_interval", recheck_interval,
                 "Seconds between re-checks of a node whose check is off (someone may turn it back on)")->capture_default_str();
  app.add_option("--listen_address", listen_address, "Address for /metrics, /nodes and /healthz")->capture_default_str();
  app.add_option("--listen_port", listen_port, "Port for /metrics, /nodes and /healthz (0 = off)")->capture_default_str();
  if (std::optional<int> exit_code = base::ParseFlags(app, argc, argv)) return *exit_code;
  if (absl::Status s = base::InitLogging("romana-aws", log_level, log_format); !s.ok()) {
    fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return base::kExitUsage;
  }
  if (recheck_interval < 0.1) return Fail(base::kExitUsage, "--recheck_interval: must be >= 0.1 seconds");
  if (listen_port < 0 || listen_port > 65535) return Fail(base::kExitUsage, "--listen_port: must be 0..65535");

  aws::Environment env = base::ProcessEnvironment();
  // Kubernetes connection.
  absl::StatusOr<k8s::KubeConfig> loaded = k8s::ResolveKubeConfig(server, token_file, kubeconfig, context, env);
  if (!loaded.ok()) return Fail(base::kExitUsage, absl::StrCat("Kubernetes config: ", loaded.status().ToString()));
  const k8s::KubeConfig kc = *std::move(loaded);
  base::SystemClock clock;
  http::CurlClient aws_http;
  if (absl::Status s = aws::FillFromInstanceMetadata(imds_endpoint, aws_http, clock, region, nullptr); !s.ok()) {
    return Fail(1, std::string(s.message()));
  }
  absl::StatusOr<aws::Ec2Connection> ec2 = aws::ConnectEc2(
      {.region = region, .ec2_endpoint = ec2_endpoint, .imds_endpoint = imds_endpoint, .aws_profile = aws_profile,
       .env = env},
      aws_http, clock);
  if (!ec2.ok()) return Fail(base::kExitUsage, ec2.status().ToString());

  prometheus::Registry registry;
  SourceDestController controller(*ec2->client, clock, registry,
                                  ControllerOptions{.recheck_interval = std::chrono::milliseconds(
                                                        static_cast<long long>(recheck_interval * 1000))});
  http::CurlClient kube_http(k8s::MakeHttpOptions(kc));
  k8s::KubeClient kube(kube_http, kc);
  k8s::Reflector reflector(kube, controller, k8s::ReflectorOptions{.path = "/api/v1/nodes"});

  // Serves until it is destroyed at the end of Run().
  std::unique_ptr<StatusServer> status;
  if (listen_port != 0) {
    StatusServerOptions so{.host = listen_address, .port = listen_port, .flag = "--listen_port", .registry = &registry};
    so.documents["/nodes"] = [&controller] {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [name, st] : controller.Status()) {
        out[name] = {{"provider_id", st.node.provider_id}, {"internal_ip", st.node.internal_ip},
                     {"instance_id", st.instance_id}, {"eni_id", st.eni_id}, {"state", st.state},
                     {"last_error", st.last_error}, {"failures", st.failures}, {"changes", st.changes}};
      }
      return out;
    };
    absl::StatusOr<std::unique_ptr<StatusServer>> s = StatusServer::Start(std::move(so));
    if (!s.ok()) return Fail(1, s.status().ToString());
    status = *std::move(s);
  }
  spdlog::info("romana-aws: API server {}, region {}, recheck every {} s", kc.server, region, recheck_interval);

  std::thread watch([&] { reflector.Run(); });
  base::PeriodicThread loop([&controller] { controller.Tick(); }, std::chrono::milliseconds(200));
  const int sig = base::WaitForTerminationSignal();
  spdlog::info("signal {}: stopping", sig);
  reflector.Stop();
  loop.Stop();
  watch.join();
  return 0;
}

}  // namespace
}  // namespace romana::srcdst

int main(int argc, char** argv) { return romana::srcdst::Run(argc, argv); }
