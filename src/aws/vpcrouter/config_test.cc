#include "aws/vpcrouter/config.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace romana::vpcrouter {
namespace {

// The error of a config whose `field` is bad must be InvalidArgument and name `flag`.
template <typename T>
void ExpectRefused(const absl::StatusOr<T>& result, absl::string_view flag) {
  ASSERT_FALSE(result.ok()) << "expected an error naming " << flag;
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
  EXPECT_TRUE(absl::StrContains(result.status().message(), flag)) << result.status();
}

TEST(VpcRouterConfigTest, DefaultsGiveTheDocumentedOptions) {
  absl::StatusOr<VpcRouterOptions> o = RouterOptionsFromConfig({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->route_recheck_interval, std::chrono::seconds(30));
  EXPECT_EQ(o->spec_poll_interval, std::chrono::seconds(5));
  EXPECT_EQ(o->planner.route_limit, 50);
  EXPECT_FALSE(o->planner.all_tables);
  EXPECT_FALSE(o->planner.include_main);
  EXPECT_EQ(StatusListenAddress({}), "127.0.0.1");
}

TEST(VpcRouterConfigTest, ListsAreParsedAndNormalised) {
  VpcRouterConfig c;
  c.ignore_routes = " 0.0.0.0 , 10.1.2.3";
  c.romana_networks = "10.0.0.0/8";
  c.route_tables = "rtb-1, rtb-2";
  c.manage_main_route_table = true;
  absl::StatusOr<VpcRouterOptions> o = RouterOptionsFromConfig(c);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->planner.ignore_routes, (std::vector<std::string>{"0.0.0.0/0", "10.1.2.3/32"}));
  EXPECT_EQ(o->planner.managed_networks, (std::vector<std::string>{"10.0.0.0/8"}));
  EXPECT_EQ(o->planner.named_tables.size(), 2u);
  EXPECT_TRUE(o->planner.named_tables.contains("rtb-2"));
  EXPECT_TRUE(o->planner.include_main);
  c.route_tables = "all";
  EXPECT_TRUE(RouterOptionsFromConfig(c)->planner.all_tables);
}

TEST(VpcRouterConfigTest, EachBadFlagIsNamed) {
  auto with = [](auto change) {
    VpcRouterConfig c;
    change(c);
    return RouterOptionsFromConfig(c);
  };
  ExpectRefused(with([](VpcRouterConfig& c) { c.logfile = "/tmp/log"; }), "--logfile");
  ExpectRefused(with([](VpcRouterConfig& c) { c.port = 0; }), "--port");
  ExpectRefused(with([](VpcRouterConfig& c) { c.route_recheck_interval = -1; }), "--route_recheck_interval");
  ExpectRefused(with([](VpcRouterConfig& c) { c.spec_poll_interval = 0.01; }), "--spec_poll_interval");
  ExpectRefused(with([](VpcRouterConfig& c) { c.tcp_check_interval = 0; }), "--tcp_check_interval");
  ExpectRefused(with([](VpcRouterConfig& c) { c.tcp_check_port = 70000; }), "--tcp_check_port");
  ExpectRefused(with([](VpcRouterConfig& c) { c.route_table_limit = 0; }), "--route_table_limit");
  ExpectRefused(with([](VpcRouterConfig& c) { c.address = "example.com"; }), "--address");
  ExpectRefused(with([](VpcRouterConfig& c) { c.ignore_routes = "10.0.0.0/33"; }), "--ignore_routes");
  ExpectRefused(with([](VpcRouterConfig& c) { c.romana_networks = "0.0.0.0/0"; }), "--romana_networks");
}

TEST(VpcRouterConfigTest, SpecSourceFollowsTheMode) {
  VpcRouterConfig c;
  ExpectRefused(MakeRouteSpecSource(c), "--mode");
  c.mode = "fixedconf";
  ExpectRefused(MakeRouteSpecSource(c), "--fixed_cidr");
  c.fixed_cidr = "10.1.0.0/16";
  c.fixed_hosts = "10.0.0.1:10.0.0.2";
  absl::StatusOr<SpecSource> fixed = MakeRouteSpecSource(c);
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  absl::StatusOr<RouteSpec> spec = fixed->source->Fetch();
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->size(), 1u);

  VpcRouterConfig file;
  file.file = "/nonexistent/spec.json";  // configfile is the default mode with --route_spec
  ExpectRefused(MakeRouteSpecSource(file), "--route_spec");
  VpcRouterConfig romanad;
  romanad.mode = "romanad";
  ExpectRefused(MakeRouteSpecSource(romanad), "--romanad_url");
  romanad.romanad_url = "http://127.0.0.1:1";
  absl::StatusOr<SpecSource> r = MakeRouteSpecSource(romanad);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->http, nullptr);  // its own client, for --romanad_ca_file
}

TEST(VpcRouterConfigTest, EtcdFlagsAreCheckedBeforeConnecting) {
  VpcRouterConfig c;
  c.mode = "vpcrouter_romana_plugin.romana";  // the original plugin's name for etcd mode
  c.etcd_use_v2 = true;
  ExpectRefused(MakeRouteSpecSource(c), "--etcd_use_v2");
  c.etcd_use_v2 = false;
  c.etcd_ca_cert = "/tmp/ca.pem";
  ExpectRefused(MakeRouteSpecSource(c), "--etcd_ca_cert");
  c.etcd_ca_cert.clear();
  c.etcd_prefix = "romana";
  ExpectRefused(MakeRouteSpecSource(c), "--etcd_prefix");
}

TEST(VpcRouterConfigTest, HealthMonitorFollowsTheFlag) {
  VpcRouterConfig c;
  c.health = "always";
  EXPECT_TRUE(MakeHealthMonitor(c).ok());
  c.health = "tcp";
  EXPECT_TRUE(MakeHealthMonitor(c).ok());
  c.health = "multi";
  ExpectRefused(MakeHealthMonitor(c), "--multi_plugins");
  c.multi_plugins = "tcp:bogus";
  ExpectRefused(MakeHealthMonitor(c), "--multi_plugins bogus");
  c.multi_plugins = "tcp:always";
  EXPECT_TRUE(MakeHealthMonitor(c).ok());
  c.health = "ping";
  ExpectRefused(MakeHealthMonitor(c), "--health");
}

}  // namespace
}  // namespace romana::vpcrouter
