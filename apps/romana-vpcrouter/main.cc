// romana-vpcrouter: keeps VPC route tables pointing each prefix-group CIDR at a healthy node.
// Flags only; the work is in src/aws/vpcrouter (config.h turns the flags into the router's parts).
// Exit codes: 0 after SIGTERM/SIGINT, 1 when start-up fails (AWS, metadata, status port), 2 for
// bad flags.
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "aws/ec2_setup.h"
#include "aws/vpcrouter/config.h"
#include "aws/vpcrouter/router.h"
#include "aws/vpcrouter/status_server.h"
#include "base/clock.h"
#include "base/periodic_thread.h"
#include "base/flags.h"
#include "base/process_main.h"
#include "http/curl_client.h"
#include "spdlog/spdlog.h"

namespace romana::vpcrouter {
namespace {

int Fail(int code, absl::string_view message) {
  spdlog::error("{}", std::string(message));
  return code;
}

int Run(int argc, char** argv) {
  base::BlockTerminationSignals();
  VpcRouterConfig f;
  CLI::App app{"romana-vpcrouter: keeps the VPC route tables pointing each Romana prefix-group CIDR at a "
               "healthy node (ICMP/TCP liveness checks, failover). Runs on one master."};
  app.add_option("--log-level", f.log_level, "trace|debug|info|warn|error")->capture_default_str();
  app.add_option("--log-format", f.log_format, "text|json")->capture_default_str();
  app.add_flag("--verbose", f.verbose, "Debug logging (same as --log-level debug)");
  app.add_option("-l,--logfile", f.logfile, "Only '-' (stderr) is supported; kept for vpc-router compatibility")->capture_default_str();
  app.add_option("-r,--region", f.region, "AWS region; default: from instance metadata");
  app.add_option("-v,--vpc", f.vpc, "VPC id; default: from instance metadata (first interface)");
  app.add_option("--ignore_routes", f.ignore_routes,
                 "Comma list of CIDRs/IPs whose routes are never touched (0.0.0.0/0 protects only the default route)");
  app.add_option("--romana_networks", f.romana_networks,
                 "Comma list of the Romana network CIDRs this router manages: only routes inside them (or inside a "
                 "spec CIDR) are ever replaced or deleted. romanad and etcd modes read them from the source too");
  app.add_option("--route_recheck_interval", f.route_recheck_interval,
                 "Seconds between full route checks even without changes (0 = every second)")->capture_default_str();
  app.add_option("-a,--address", f.address, "Status HTTP listen address (an IP or localhost)")->capture_default_str();
  app.add_option("-p,--port", f.port, "Status HTTP port (0 < port < 65535)")->capture_default_str();
  app.add_option("-m,--mode", f.mode,
                 "Route spec source: configfile (-f), fixedconf, romanad (--romanad_url), etcd "
                 "(alias vpcrouter_romana_plugin.romana). Default: configfile when --route_spec is given");
  app.add_option("-f,--file,--route_spec", f.file, "configfile mode: JSON route spec {\"cidr\": [\"ip\", ...]}, re-read every --spec_poll_interval");
  app.add_option("--fixed_cidr", f.fixed_cidr, "fixedconf mode: the CIDR");
  app.add_option("--fixed_hosts", f.fixed_hosts, "fixedconf mode: ':'-separated router IPs");
  app.add_option("--romanad_url", f.romanad_url, "romanad mode: base URL, e.g. http://10.96.0.99:9600");
  app.add_option("--romanad_token_file", f.romanad_token_file, "romanad mode: file holding a bearer token");
  app.add_option("--romanad_ca_file", f.romanad_ca_file, "romanad mode: CA bundle to verify an https romanad");
  app.add_option("--etcd_addr", f.etcd_addr, "etcd mode: etcd address")->capture_default_str();
  app.add_option("--etcd_port", f.etcd_port, "etcd mode: etcd port")->capture_default_str();
  app.add_option("--etcd_prefix", f.etcd_prefix, "etcd mode: Romana's key prefix (docs/store-layout.md)")->capture_default_str();
  app.add_flag("--etcd_use_v2", f.etcd_use_v2, "Accepted for compatibility; the etcd v2 API is not supported");
  app.add_option("--etcd_ca_cert", f.etcd_ca_cert, "etcd mode: CA certificate (PEM)");
  app.add_option("--etcd_priv_key", f.etcd_priv_key, "etcd mode: client key (PEM)");
  app.add_option("--etcd_cert_chain", f.etcd_cert_chain, "etcd mode: client certificate chain (PEM)");
  app.add_option("-H,--health", f.health, "Health monitor: icmpecho|tcp|multi|always")->capture_default_str();
  app.add_option("--icmp_check_interval", f.icmp_check_interval, "Seconds between ICMP rounds (0.1..3600)")->capture_default_str();
  app.add_option("--tcp_check_interval", f.tcp_check_interval, "Seconds between TCP rounds (0.1..3600)")->capture_default_str();
  app.add_option("--tcp_check_port", f.tcp_check_port, "Port for TCP checks")->capture_default_str();
  app.add_option("--multi_plugins", f.multi_plugins, "multi: ':'-separated monitors, e.g. icmpecho:tcp");
  app.add_option("--route_tables", f.route_tables,
                 "Comma list of route table ids to manage, or 'all' (every non-main table of the VPC). "
                 "Default: the tables explicitly associated with a subnet holding a route-spec host");
  app.add_flag("--manage_main_route_table", f.manage_main_route_table, "Also manage the VPC's main route table");
  app.add_option("--route_table_limit", f.route_table_limit,
                 "Max routes per route table (AWS default quota 50); creates that would exceed it are refused")->capture_default_str();
  app.add_option("--spec_poll_interval", f.spec_poll_interval, "Seconds between route spec reads")->capture_default_str();
  app.add_option("--ec2_endpoint", f.ec2_endpoint, "EC2 endpoint URL (default https://ec2.<region>.amazonaws.com)");
  app.add_option("--imds_endpoint", f.imds_endpoint, "Instance metadata endpoint (default http://169.254.169.254)");
  app.add_option("--aws_profile", f.aws_profile, "Profile in the shared credentials/config files");
  if (std::optional<int> exit_code = base::ParseFlags(app, argc, argv)) return *exit_code;
  if (f.verbose) f.log_level = "debug";
  if (absl::Status s = base::InitLogging("romana-vpcrouter", f.log_level, f.log_format); !s.ok()) {
    std::cerr << s.message() << "\n";
    return base::kExitUsage;
  }
  absl::StatusOr<VpcRouterOptions> options = RouterOptionsFromConfig(f);
  if (!options.ok()) return Fail(base::kExitUsage, options.status().message());
  absl::StatusOr<SpecSource> source = MakeRouteSpecSource(f);
  if (!source.ok()) return Fail(base::kExitUsage, source.status().message());

  base::SystemClock clock;
  http::CurlClient http;
  if (absl::Status s = aws::FillFromInstanceMetadata(f.imds_endpoint, http, clock, f.region, &f.vpc); !s.ok()) {
    return Fail(1, s.message());
  }
  options->region = f.region;
  options->vpc_id = f.vpc;
  absl::StatusOr<aws::Ec2Connection> ec2 = aws::ConnectEc2(
      {.region = f.region, .ec2_endpoint = f.ec2_endpoint, .imds_endpoint = f.imds_endpoint,
       .aws_profile = f.aws_profile, .env = base::ProcessEnvironment()},
      http, clock);
  if (!ec2.ok()) return Fail(base::kExitUsage, ec2.status().ToString());
  absl::StatusOr<std::vector<aws::Vpc>> vpcs = ec2->client->DescribeVpcs({{"vpc-id", {f.vpc}}});
  if (!vpcs.ok()) return Fail(1, absl::StrCat("cannot describe VPC ", f.vpc, ": ", vpcs.status().ToString()));
  if (vpcs->empty()) return Fail(1, absl::StrCat("--vpc ", f.vpc, ": no such VPC in ", f.region));

  absl::StatusOr<std::unique_ptr<HealthMonitor>> monitor = MakeHealthMonitor(f);
  if (!monitor.ok()) {
    return Fail(absl::IsInvalidArgument(monitor.status()) ? 2 : 1, monitor.status().ToString());
  }
  prometheus::Registry registry;
  VpcRouter router(*ec2->client, *source->source, **monitor, clock, registry, *options);
  const std::string address = StatusListenAddress(f);
  absl::StatusOr<std::unique_ptr<StatusServer>> server = StartStatusServer(address, f.port, router, *options, registry);
  if (!server.ok()) return Fail(1, server.status().ToString());
  spdlog::info("romana-vpcrouter: region {} vpc {} spec from {} health {} status http://{}:{}", f.region, f.vpc,
               source->source->Describe(), f.health, address, (*server)->port());

  base::PeriodicThread loop([&router] { router.Tick(); }, std::chrono::milliseconds(100));
  const int sig = base::WaitForTerminationSignal();
  spdlog::info("signal {}: stopping", sig);
  loop.Stop();
  return 0;
}

}  // namespace
}  // namespace romana::vpcrouter

int main(int argc, char** argv) { return romana::vpcrouter::Run(argc, argv); }
