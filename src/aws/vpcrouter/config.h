// config.h: romana-vpcrouter's settings as its flags give them (apps/romana-vpcrouter parses the
// flags into VpcRouterConfig; docs name each flag), and the checks and factories that turn them
// into the router's parts. Errors are InvalidArgument naming the flag, unless said otherwise.
// Thread-safe (no shared state).
#ifndef ROMANA_AWS_VPCROUTER_CONFIG_H_
#define ROMANA_AWS_VPCROUTER_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "aws/vpcrouter/health.h"
#include "aws/vpcrouter/router.h"
#include "aws/vpcrouter/spec_source.h"
#include "http/client.h"

namespace romana::vpcrouter {

// One field per flag, with the flag's default.
struct VpcRouterConfig {
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

// Checks every flag that needs no I/O except the route spec source's, and builds the router's
// options (region and vpc_id stay empty: they may come from instance metadata).
absl::StatusOr<VpcRouterOptions> RouterOptionsFromConfig(const VpcRouterConfig& config);

// The status page's listen address: --address with "localhost" read as 127.0.0.1.
std::string StatusListenAddress(const VpcRouterConfig& config);

// The route spec source of --mode (configfile when only --route_spec is given), with the HTTP
// client it reads through when it needs one of its own (declared first: it outlives the source).
struct SpecSource {
  std::unique_ptr<http::Client> http;
  std::unique_ptr<RouteSpecSource> source;
};
// Reads the token file and checks that the spec and TLS files are readable; etcd mode connects
// lazily (store::EtcdStore::Create).
absl::StatusOr<SpecSource> MakeRouteSpecSource(const VpcRouterConfig& config);

// The health monitor of --health (icmpecho|tcp|multi|always). Errors: InvalidArgument for the
// flags; icmpecho's socket errors (e.g. PermissionDenied without CAP_NET_RAW) as they are.
absl::StatusOr<std::unique_ptr<HealthMonitor>> MakeHealthMonitor(const VpcRouterConfig& config);

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_CONFIG_H_
