#include "aws/vpcrouter/config.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "aws/vpcrouter/store_spec_source.h"
#include "base/token_file.h"
#include "health/checker.h"
#include "http/curl_client.h"
#include "net/ipv4.h"
#include "nlohmann/json.hpp"
#include "store/etcd_store.h"

namespace romana::vpcrouter {
namespace {

std::chrono::milliseconds Ms(double seconds) { return std::chrono::milliseconds(static_cast<long long>(seconds * 1000)); }

absl::Status Invalid(absl::string_view message) { return absl::InvalidArgumentError(message); }

std::vector<std::string> CommaList(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(item));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<RouteSpecSource>> EtcdSource(const VpcRouterConfig& f) {
  if (f.etcd_use_v2) return Invalid("--etcd_use_v2: the etcd v2 API is not supported; Romana stores its state with the v3 API");
  const int tls = !f.etcd_ca_cert.empty() + !f.etcd_priv_key.empty() + !f.etcd_cert_chain.empty();
  if (tls != 0 && tls != 3) return Invalid("--etcd_ca_cert, --etcd_priv_key and --etcd_cert_chain go together (all or none)");
  if (f.etcd_port <= 0 || f.etcd_port >= 65535) return Invalid("--etcd_port: must be 0 < port < 65535");
  if (f.etcd_prefix.empty() || f.etcd_prefix[0] != '/') return Invalid("--etcd_prefix: must start with '/'");
  for (const std::string* file : {&f.etcd_ca_cert, &f.etcd_priv_key, &f.etcd_cert_chain}) {
    if (!file->empty() && access(file->c_str(), R_OK) != 0) return Invalid(absl::StrCat("etcd TLS file ", *file, ": not readable"));
  }
  const std::string endpoint = absl::StrCat(tls == 3 ? "https://" : "http://", f.etcd_addr, ":", f.etcd_port);
  absl::StatusOr<std::unique_ptr<store::EtcdStore>> etcd = store::EtcdStore::Create(
      {.endpoints = {endpoint}, .ca_file = f.etcd_ca_cert, .cert_file = f.etcd_cert_chain, .key_file = f.etcd_priv_key});
  if (!etcd.ok()) return Invalid(absl::StrCat("--etcd_addr/--etcd_port: ", etcd.status().ToString()));
  std::string prefix = f.etcd_prefix;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  return std::make_unique<StoreRouteSpecSource>(*std::move(etcd), prefix, absl::StrCat("etcd ", endpoint, prefix, "/groups/"));
}

// One periodic monitor over `checker`, a round every `interval`.
std::unique_ptr<HealthMonitor> Periodic(std::unique_ptr<health::HealthChecker> checker, std::chrono::milliseconds interval) {
  return std::make_unique<PeriodicHealthMonitor>(std::move(checker), interval);
}

absl::StatusOr<std::unique_ptr<HealthMonitor>> MakeMonitor(const std::string& name, const VpcRouterConfig& f, bool nested) {
  if (name == "icmpecho") {
    auto c = health::IcmpEchoChecker::Create(Ms(0.75 * f.icmp_check_interval), std::max(1, int(0.75 * f.icmp_check_interval)) + 1);
    if (!c.ok()) return c.status();
    return Periodic(*std::move(c), Ms(f.icmp_check_interval));
  }
  if (name == "tcp") {
    return Periodic(std::make_unique<health::TcpChecker>(f.tcp_check_port, std::min(Ms(1), Ms(f.tcp_check_interval))),
                    Ms(f.tcp_check_interval));
  }
  if (name == "always") return Periodic(std::make_unique<health::AlwaysHealthyChecker>(), Ms(1));
  if (name == "multi" && !nested) {
    if (f.multi_plugins.empty()) return Invalid("--health multi needs --multi_plugins, e.g. icmpecho:tcp");
    std::vector<std::unique_ptr<HealthMonitor>> subs;
    for (const std::string& sub : std::vector<std::string>(absl::StrSplit(f.multi_plugins, ':', absl::SkipEmpty()))) {
      auto m = MakeMonitor(sub, f, true);
      if (!m.ok()) return absl::Status(m.status().code(), absl::StrCat("--multi_plugins ", sub, ": ", m.status().message()));
      subs.push_back(*std::move(m));
    }
    return std::unique_ptr<HealthMonitor>(new MultiHealthMonitor(std::move(subs)));
  }
  return Invalid(absl::StrCat("--health: unknown plugin '", name, "' (icmpecho|tcp|multi|always)"));
}

}  // namespace

absl::StatusOr<VpcRouterOptions> RouterOptionsFromConfig(const VpcRouterConfig& f) {
  if (f.logfile != "-") return Invalid("--logfile: only '-' is supported; logs go to stderr");
  if (f.port <= 0 || f.port >= 65535) return Invalid(absl::StrCat("--port ", f.port, ": must be 0 < port < 65535"));
  if (f.route_recheck_interval < 0) return Invalid("--route_recheck_interval: must be >= 0");
  if (f.spec_poll_interval < 0.05) return Invalid("--spec_poll_interval: must be >= 0.05");
  for (double v : {f.icmp_check_interval, f.tcp_check_interval}) {
    if (v < 0.1 || v > 3600) return Invalid("--icmp_check_interval/--tcp_check_interval: must be within 0.1..3600");
  }
  if (f.tcp_check_port < 1 || f.tcp_check_port > 65535) return Invalid("--tcp_check_port: must be 1..65535");
  if (f.route_table_limit < 1) return Invalid("--route_table_limit: must be >= 1");
  if (!net::Ipv4Address::Parse(StatusListenAddress(f)).ok()) {
    return Invalid(absl::StrCat("--address '", f.address, "': must be an IP or localhost"));
  }

  VpcRouterOptions options;
  for (const std::string& text : CommaList(f.ignore_routes)) {
    absl::StatusOr<net::Ipv4Cidr> c = net::ParseCidrOrAddress(text == "0.0.0.0" ? "0.0.0.0/0" : text);
    if (!c.ok()) return Invalid(absl::StrCat("--ignore_routes '", text, "': ", c.status().message()));
    options.planner.ignore_routes.push_back(c->ToString());
  }
  for (const std::string& text : CommaList(f.romana_networks)) {
    absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(text);
    if (!c.ok()) return Invalid(absl::StrCat("--romana_networks '", text, "': ", c.status().message()));
    if (c->length() == 0) return Invalid(absl::StrCat("--romana_networks '", text, "': would claim every route of the VPC"));
    options.planner.managed_networks.push_back(c->ToString());
  }
  if (f.route_tables == "all") {
    options.planner.all_tables = true;
  } else {
    for (const std::string& rt : CommaList(f.route_tables)) options.planner.named_tables.insert(rt);
  }
  options.planner.include_main = f.manage_main_route_table;
  options.planner.route_limit = f.route_table_limit;
  options.route_recheck_interval = Ms(f.route_recheck_interval);
  options.spec_poll_interval = Ms(f.spec_poll_interval);
  return options;
}

std::string StatusListenAddress(const VpcRouterConfig& config) {
  return config.address == "localhost" ? "127.0.0.1" : config.address;
}

absl::StatusOr<SpecSource> MakeRouteSpecSource(const VpcRouterConfig& f) {
  std::string mode = f.mode;
  if (mode.empty() && !f.file.empty()) mode = "configfile";
  if (mode == "vpcrouter_romana_plugin.romana") mode = "etcd";
  SpecSource out;
  if (mode == "configfile") {
    if (f.file.empty()) return Invalid("--mode configfile needs -f/--route_spec FILE");
    if (access(f.file.c_str(), R_OK) != 0) return Invalid(absl::StrCat("--route_spec ", f.file, ": not readable"));
    out.source = std::make_unique<FileRouteSpecSource>(f.file);
  } else if (mode == "fixedconf") {
    std::vector<std::string> hosts = absl::StrSplit(f.fixed_hosts, ':', absl::SkipEmpty());
    if (f.fixed_cidr.empty() || hosts.empty()) return Invalid("--mode fixedconf needs --fixed_cidr and --fixed_hosts");
    absl::StatusOr<RouteSpec> spec = ParseRouteSpecJson(nlohmann::json{{f.fixed_cidr, hosts}}.dump());
    if (!spec.ok()) return Invalid(absl::StrCat("--fixed_cidr/--fixed_hosts: ", spec.status().message()));
    out.source = std::make_unique<FixedRouteSpecSource>(*spec);
  } else if (mode == "romanad") {
    if (f.romanad_url.empty()) return Invalid("--mode romanad needs --romanad_url");
    std::string token;
    if (!f.romanad_token_file.empty()) {
      absl::StatusOr<std::string> read = base::ReadTokenFile(f.romanad_token_file);
      if (!read.ok()) return Invalid(absl::StrCat("--romanad_token_file: ", read.status().message()));
      token = *std::move(read);
    }
    // Its own client: it verifies romanad with --romanad_ca_file.
    out.http = std::make_unique<http::CurlClient>(http::CurlClientOptions{.tls = {.ca_file = f.romanad_ca_file}});
    out.source = std::make_unique<RomanadRouteSpecSource>(*out.http, f.romanad_url, token);
  } else if (mode == "etcd") {
    absl::StatusOr<std::unique_ptr<RouteSpecSource>> etcd = EtcdSource(f);
    if (!etcd.ok()) return etcd.status();
    out.source = *std::move(etcd);
  } else {
    return Invalid(absl::StrCat("--mode '", mode, "': expected configfile, fixedconf, romanad or etcd"));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<HealthMonitor>> MakeHealthMonitor(const VpcRouterConfig& config) {
  return MakeMonitor(config.health, config, false);
}

}  // namespace romana::vpcrouter
