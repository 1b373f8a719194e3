// romana-vpcrouter: keeps VPC route tables pointing each prefix-group CIDR at a healthy node.
// Flags only; the work is in src/aws/vpcrouter. Exit codes: 0 after SIGTERM/SIGINT, 1 when
// start-up fails (AWS, metadata, status port), 2 for bad flags.
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aws/credentials.h"
#include "aws/ec2_client.h"
#include "aws/imds.h"
#include "aws/vpcrouter/health.h"
#include "aws/vpcrouter/router.h"
#include "aws/vpcrouter/spec_source.h"
#include "aws/vpcrouter/status_server.h"
#include "aws/vpcrouter/store_spec_source.h"
#include "base/clock.h"
#include "health/checker.h"
#include "base/process_main.h"
#include "base/token_file.h"
#include "http/curl_client.h"
#include "net/ipv4.h"
#include "spdlog/spdlog.h"
#include "store/etcd_store.h"

namespace romana::vpcrouter {
namespace {

struct Flags {
  std::string log_level = "info";
  std::string log_format = "text";
  bool verbose = false;
  std::string logfile = "-";
  std::string region, vpc;
  std::string ignore_routes;
  std::string romana_networks;
  double route_recheck_interval = 30;
  std::string address = "localhost";
  int port = 33289;
  std::string mode;
  std::string file;
  std::string fixed_cidr, fixed_hosts;
  std::string romanad_url, romanad_token_file, romanad_ca_file;
  std::string etcd_addr = "localhost";
  int etcd_port = 2379;
  bool etcd_use_v2 = false;
  std::string etcd_prefix = "/romana";
  std::string etcd_ca_cert, etcd_priv_key, etcd_cert_chain;
  std::string health = "icmpecho";
  double icmp_check_interval = 2, tcp_check_interval = 2;
  int tcp_check_port = 22;
  std::string multi_plugins;
  std::string route_tables;
  bool manage_main_route_table = false;
  int route_table_limit = 50;
  double spec_poll_interval = 5;
  std::string ec2_endpoint, imds_endpoint, aws_profile;
};

std::chrono::milliseconds Ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

int Fail(int code, const std::string& msg) {
  spdlog::error("{}", msg);
  return code;
}

absl::StatusOr<std::unique_ptr<HealthMonitor>> MakeMonitor(const std::string& name, const Flags& f, bool nested) {
  if (name == "icmpecho") {
    auto c = health::IcmpEchoChecker::Create(Ms(0.75 * f.icmp_check_interval), std::max(1, int(0.75 * f.icmp_check_interval)) + 1);
    if (!c.ok()) return c.status();
    return std::unique_ptr<HealthMonitor>(new PeriodicHealthMonitor(*std::move(c), Ms(f.icmp_check_interval)));
  }
  if (name == "tcp") {
    return std::unique_ptr<HealthMonitor>(new PeriodicHealthMonitor(
        std::make_unique<health::TcpChecker>(f.tcp_check_port, std::min(Ms(1), Ms(f.tcp_check_interval))), Ms(f.tcp_check_interval)));
  }
  if (name == "always") {
    return std::unique_ptr<HealthMonitor>(new PeriodicHealthMonitor(std::make_unique<health::AlwaysHealthyChecker>(), Ms(1)));
  }
  if (name == "multi" && !nested) {
    if (f.multi_plugins.empty()) return absl::InvalidArgumentError("--health multi needs --multi_plugins, e.g. icmpecho:tcp");
    std::vector<std::unique_ptr<HealthMonitor>> subs;
    for (const std::string& sub : std::vector<std::string>(absl::StrSplit(f.multi_plugins, ':', absl::SkipEmpty()))) {
      auto m = MakeMonitor(sub, f, true);
      if (!m.ok()) return absl::Status(m.status().code(), absl::StrCat("--multi_plugins ", sub, ": ", m.status().message()));
      subs.push_back(*std::move(m));
    }
    return std::unique_ptr<HealthMonitor>(new MultiHealthMonitor(std::move(subs)));
  }
  return absl::InvalidArgumentError(absl::StrCat("--health: unknown plugin '", name, "' (icmpecho|tcp|multi|always)"));
}

int Run(int argc, char** argv) {
  base::BlockTerminationSignals();
  Flags f;
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (f.verbose) f.log_level = "debug";
  if (absl::Status s = base::InitLogging("romana-vpcrouter", f.log_level, f.log_format); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  // Flag validation (exit 2, naming the flag).
  if (f.logfile != "-") return Fail(2, "--logfile: only '-' is supported; logs go to stderr");
  if (f.port <= 0 || f.port >= 65535) return Fail(2, absl::StrCat("--port ", f.port, ": must be 0 < port < 65535"));
  if (f.route_recheck_interval < 0) return Fail(2, "--route_recheck_interval: must be >= 0");
  if (f.spec_poll_interval < 0.05) return Fail(2, "--spec_poll_interval: must be >= 0.05");
  for (double v : {f.icmp_check_interval, f.tcp_check_interval}) {
    if (v < 0.1 || v > 3600) return Fail(2, "--icmp_check_interval/--tcp_check_interval: must be within 0.1..3600");
  }
  if (f.tcp_check_port < 1 || f.tcp_check_port > 65535) return Fail(2, "--tcp_check_port: must be 1..65535");
  if (f.route_table_limit < 1) return Fail(2, "--route_table_limit: must be >= 1");
  std::string address = f.address == "localhost" ? "127.0.0.1" : f.address;
  if (!net::Ipv4Address::Parse(address).ok()) return Fail(2, absl::StrCat("--address '", f.address, "': must be an IP or localhost"));

  VpcRouterOptions options;
  for (const std::string& item : std::vector<std::string>(absl::StrSplit(f.ignore_routes, ',', absl::SkipWhitespace()))) {
    std::string text(absl::StripAsciiWhitespace(item));
    absl::StatusOr<net::Ipv4Cidr> c = net::ParseCidrOrAddress(text == "0.0.0.0" ? "0.0.0.0/0" : text);
    if (!c.ok()) return Fail(2, absl::StrCat("--ignore_routes '", text, "': ", c.status().message()));
    options.planner.ignore_routes.push_back(c->ToString());
  }
  for (const std::string& item : std::vector<std::string>(absl::StrSplit(f.romana_networks, ',', absl::SkipWhitespace()))) {
    std::string text(absl::StripAsciiWhitespace(item));
    absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(text);
    if (!c.ok()) return Fail(2, absl::StrCat("--romana_networks '", text, "': ", c.status().message()));
    if (c->length() == 0) return Fail(2, absl::StrCat("--romana_networks '", text, "': would claim every route of the VPC"));
    options.planner.managed_networks.push_back(c->ToString());
  }
  if (f.route_tables == "all") {
    options.planner.all_tables = true;
  } else {
    for (const std::string& rt : std::vector<std::string>(absl::StrSplit(f.route_tables, ',', absl::SkipWhitespace()))) {
      options.planner.named_tables.insert(std::string(absl::StripAsciiWhitespace(rt)));
    }
  }
  options.planner.include_main = f.manage_main_route_table;
  options.planner.route_limit = f.route_table_limit;
  options.route_recheck_interval = Ms(f.route_recheck_interval);
  options.spec_poll_interval = Ms(f.spec_poll_interval);

  // Route spec source.
  if (f.mode.empty() && !f.file.empty()) f.mode = "configfile";
  if (f.mode == "vpcrouter_romana_plugin.romana") f.mode = "etcd";
  base::SystemClock clock;
  http::CurlClient http;
  std::unique_ptr<http::CurlClient> romanad_http;  // verifies romanad with --romanad_ca_file
  std::unique_ptr<RouteSpecSource> source;
  if (f.mode == "configfile") {
    if (f.file.empty()) return Fail(2, "--mode configfile needs -f/--route_spec FILE");
    if (access(f.file.c_str(), R_OK) != 0) return Fail(2, absl::StrCat("--route_spec ", f.file, ": not readable"));
    source = std::make_unique<FileRouteSpecSource>(f.file);
  } else if (f.mode == "fixedconf") {
    std::vector<std::string> hosts = absl::StrSplit(f.fixed_hosts, ':', absl::SkipEmpty());
    nlohmann::json j = {{f.fixed_cidr, hosts}};
    absl::StatusOr<RouteSpec> spec = ParseRouteSpecJson(j.dump());
    if (f.fixed_cidr.empty() || hosts.empty()) return Fail(2, "--mode fixedconf needs --fixed_cidr and --fixed_hosts");
    if (!spec.ok()) return Fail(2, absl::StrCat("--fixed_cidr/--fixed_hosts: ", spec.status().message()));
    source = std::make_unique<FixedRouteSpecSource>(*spec);
  } else if (f.mode == "romanad") {
    if (f.romanad_url.empty()) return Fail(2, "--mode romanad needs --romanad_url");
    std::string token;
    if (!f.romanad_token_file.empty()) {
      absl::StatusOr<std::string> read = base::ReadTokenFile(f.romanad_token_file);
      if (!read.ok()) return Fail(2, absl::StrCat("--romanad_token_file: ", read.status().message()));
      token = *std::move(read);
    }
    romanad_http = std::make_unique<http::CurlClient>(http::CurlClientOptions{.tls = {.ca_file = f.romanad_ca_file}});
    source = std::make_unique<RomanadRouteSpecSource>(*romanad_http, f.romanad_url, token);
  } else if (f.mode == "etcd") {
    if (f.etcd_use_v2) return Fail(2, "--etcd_use_v2: the etcd v2 API is not supported; Romana stores its state with the v3 API");
    const int tls = !f.etcd_ca_cert.empty() + !f.etcd_priv_key.empty() + !f.etcd_cert_chain.empty();
    if (tls != 0 && tls != 3) return Fail(2, "--etcd_ca_cert, --etcd_priv_key and --etcd_cert_chain go together (all or none)");
    if (f.etcd_port <= 0 || f.etcd_port >= 65535) return Fail(2, "--etcd_port: must be 0 < port < 65535");
    if (f.etcd_prefix.empty() || f.etcd_prefix[0] != '/') return Fail(2, "--etcd_prefix: must start with '/'");
    for (const std::string* file : {&f.etcd_ca_cert, &f.etcd_priv_key, &f.etcd_cert_chain}) {
      if (!file->empty() && access(file->c_str(), R_OK) != 0) return Fail(2, absl::StrCat("etcd TLS file ", *file, ": not readable"));
    }
    const std::string endpoint = absl::StrCat(tls == 3 ? "https://" : "http://", f.etcd_addr, ":", f.etcd_port);
    absl::StatusOr<std::unique_ptr<store::EtcdStore>> etcd = store::EtcdStore::Create(
        {.endpoints = {endpoint}, .ca_file = f.etcd_ca_cert, .cert_file = f.etcd_cert_chain, .key_file = f.etcd_priv_key});
    if (!etcd.ok()) return Fail(2, absl::StrCat("--etcd_addr/--etcd_port: ", etcd.status().ToString()));
    std::string prefix = f.etcd_prefix;
    while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
    source = std::make_unique<StoreRouteSpecSource>(*std::move(etcd), prefix, absl::StrCat("etcd ", endpoint, prefix, "/groups/"));
  } else {
    return Fail(2, absl::StrCat("--mode '", f.mode, "': expected configfile, fixedconf, romanad or etcd"));
  }

  // Region and VPC: flags, else instance metadata (only the missing ones).
  if (f.region.empty() || f.vpc.empty()) {
    aws::ImdsOptions imds_opts;
    if (!f.imds_endpoint.empty()) imds_opts.endpoint = f.imds_endpoint;
    aws::ImdsClient imds(http, clock, imds_opts);
    if (f.region.empty()) {
      absl::StatusOr<std::string> r = imds.Region();
      if (!r.ok()) return Fail(1, absl::StrCat("--region not given and instance metadata failed: ", r.status().ToString()));
      f.region = *r;
    }
    if (f.vpc.empty()) {
      absl::StatusOr<std::string> v = imds.VpcId();
      if (!v.ok()) return Fail(1, absl::StrCat("--vpc not given and instance metadata failed: ", v.status().ToString()));
      f.vpc = *v;
    }
  }
  options.region = f.region;
  options.vpc_id = f.vpc;

  const aws::Environment env = aws::ProcessEnvironment();
  std::unique_ptr<aws::CredentialsProvider> creds = aws::DefaultCredentialsChain(
      {.env = env, .profile = f.aws_profile, .imds_endpoint = f.imds_endpoint}, http, clock);
  absl::StatusOr<std::unique_ptr<aws::Ec2QueryClient>> ec2 =
      aws::Ec2QueryClient::Create({.region = f.region, .endpoint = f.ec2_endpoint}, http, *creds, clock);
  if (!ec2.ok()) return Fail(2, ec2.status().ToString());
  absl::StatusOr<std::vector<aws::Vpc>> vpcs = (*ec2)->DescribeVpcs({{"vpc-id", {f.vpc}}});
  if (!vpcs.ok()) return Fail(1, absl::StrCat("cannot describe VPC ", f.vpc, ": ", vpcs.status().ToString()));
  if (vpcs->empty()) return Fail(1, absl::StrCat("--vpc ", f.vpc, ": no such VPC in ", f.region));

  absl::StatusOr<std::unique_ptr<HealthMonitor>> monitor = MakeMonitor(f.health, f, false);
  if (!monitor.ok()) {
    return Fail(absl::IsInvalidArgument(monitor.status()) ? 2 : 1, monitor.status().ToString());
  }
  prometheus::Registry registry;
  VpcRouter router(**ec2, *source, **monitor, clock, registry, options);
  absl::StatusOr<std::unique_ptr<StatusServer>> server = StartStatusServer(address, f.port, router, options, registry);
  if (!server.ok()) return Fail(1, server.status().ToString());
  spdlog::info("romana-vpcrouter: region {} vpc {} spec from {} health {} status http://{}:{}", f.region, f.vpc,
               source->Describe(), f.health, address, (*server)->port());

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread loop([&] {
    std::unique_lock lock(mu);
    while (!stop) {
      lock.unlock();
      router.Tick();
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return stop; });
    }
  });
  const int sig = base::WaitForTerminationSignal();
  spdlog::info("signal {}: stopping", sig);
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  cv.notify_all();
  loop.join();
  return 0;
}

}  // namespace
}  // namespace romana::vpcrouter

int main(int argc, char** argv) { return romana::vpcrouter::Run(argc, argv); }
