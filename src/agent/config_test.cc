#include "agent/config.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "agent/service_range.h"
#include "base/flags.h"
#include "base/process_main.h"
#include "base/testing/flag_parsing.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

// Parses `args` into a fresh config as romana-agent does.
AgentConfig Parse(std::vector<std::string> args) {
  AgentConfig config;
  CLI::App app{"test"};
  AddAgentFlags(app, config);
  romana::testing::ParseArgs(app, "romana-agent", std::move(args));
  return config;
}

using romana::testing::ExpectInvalidNaming;

TEST(AgentConfigTest, DefaultsAreValidAndGiveTheDocumentedOptions) {
  const AgentConfig config = Parse({});
  EXPECT_TRUE(Validate(config).ok()) << Validate(config);
  EXPECT_EQ(config.romanad.url, "http://127.0.0.1:9600");
  EXPECT_EQ(config.node_name, base::HostName());
  EXPECT_EQ(config.cni_plugin, base::SiblingBinaryPath("romana-cni"));
  EXPECT_EQ(config.metrics_listen, "0.0.0.0:9607");
  const RouteProgrammerOptions rp = RouteProgrammerOptionsFrom(config);
  EXPECT_EQ(rp.table, 10u);
  EXPECT_EQ(rp.protocol, 82);
  EXPECT_EQ(rp.rule_priority, 32000u);
  const RouteSyncerOptions rs = RouteSyncerOptionsFrom(config);
  EXPECT_EQ(rs.rule.table, 10u);
  EXPECT_EQ(rs.rule.priority, 32000u);
  EXPECT_EQ(rs.resync_interval, std::chrono::seconds(60));
  absl::StatusOr<AgentOptions> outside = AgentOptionsFrom(config, "");
  ASSERT_TRUE(outside.ok()) << outside.status();
  EXPECT_EQ(outside->service_range, "");  // no Kubernetes: no check
  EXPECT_TRUE(outside->nat);
  EXPECT_TRUE(outside->enforce_policy);
  EXPECT_TRUE(outside->before_ready) << "--install-cni: the config is written once ready";
  EXPECT_FALSE(config.cni_uninstall);
  absl::StatusOr<AgentOptions> kubeadm = AgentOptionsFrom(config, "10.96.0.1");
  ASSERT_TRUE(kubeadm.ok()) << kubeadm.status();
  EXPECT_EQ(kubeadm->service_range, "10.96.0.0/12");
  ExpectInvalidNaming(AgentOptionsFrom(config, "10.0.0.1").status(), "--service-cluster-ip-range");
  EXPECT_EQ(ExitCodeFor(absl::InternalError("watch failed")), kExitFailure);
  EXPECT_EQ(ExitCodeFor(CheckServiceRange("10.96.0.0/12", {"10.100.0.0/16"})), 3);
  EXPECT_NE(kExitServiceRangeOverlap, base::kExitUsage) << "bad flags and an overlap must be told apart";
}

TEST(AgentConfigTest, AFullCommandLineReachesEveryPart) {
  const AgentConfig c = Parse({"--romanad", "https://romanad:9600", "--romanad-token-file", "/t", "--romanad-ca-file",
                               "/ca", "--node-name", "n1", "--register-node", "--node-ip", "192.168.0.5",
                               "--node-labels", "rack=r1,zone=a", "--route-table", "20", "--route-protocol", "90",
                               "--rule-priority", "100", "--resync-interval", "5", "--nat", "false",
                               "--enforce-policy", "false", "--nat-interface", "eth1", "--service-cluster-ip-range",
                               "10.96.0.0/12", "--sysctls", "false", "--proxy-arp", "--sysctl-root", "/s",
                               "--install-cni", "false", "--cni-plugin", "/p", "--cni-bin-dir", "/b", "--cni-conf-dir",
                               "/c", "--cni-host-conf-dir", "/h", "--cni-conf-file", "f.conflist", "--cni-network-name",
                               "net", "--cni-version", "0.4.0", "--cni-romanad", "http://r:1", "--cni-log-file", "/l",
                               "--cni-portmap", "false", "--mtu", "9000", "--force-cni-config", "--cni-uninstall", "true",
                               "--metrics-listen", "",
                               "--log-level", "debug", "--log-format", "json", "--vips", "false", "--vip-interface",
                               "eth0", "--cleanup"});
  ASSERT_TRUE(Validate(c).ok()) << Validate(c);
  EXPECT_EQ(c.romanad.url, "https://romanad:9600");
  EXPECT_TRUE(c.cleanup);
  EXPECT_FALSE(c.vips);
  EXPECT_EQ(c.vip_interface, "eth0");
  EXPECT_EQ(c.logging.level, "debug");
  EXPECT_EQ(c.logging.format, "json");
  EXPECT_EQ(c.metrics_listen, "");
  EXPECT_TRUE(c.proxy_arp);
  EXPECT_FALSE(c.sysctls);
  EXPECT_EQ(c.sysctl_root, "/s");
  EXPECT_FALSE(c.install_cni);
  EXPECT_TRUE(c.cni_uninstall);
  const RouteProgrammerOptions rp = RouteProgrammerOptionsFrom(c);
  EXPECT_EQ(rp.table, 20u);
  EXPECT_EQ(rp.protocol, 90);
  EXPECT_EQ(rp.rule_priority, 100u);

  absl::StatusOr<AgentOptions> o = AgentOptionsFrom(c, "100.64.0.1");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->node_name, "n1");
  EXPECT_TRUE(o->register_node);
  EXPECT_EQ(o->node_ip, "192.168.0.5");
  EXPECT_EQ(o->node_labels, (api::Labels{{"rack", "r1"}, {"zone", "a"}}));
  EXPECT_EQ(o->routes.resync_interval, std::chrono::seconds(5));
  EXPECT_FALSE(o->nat);
  EXPECT_EQ(o->nat_interface, "eth1");
  EXPECT_FALSE(o->enforce_policy);
  EXPECT_EQ(o->service_range, "10.96.0.0/12");  // the flag wins over the guess
  EXPECT_FALSE(o->before_ready);                 // --install-cni=false: no config to write

  const CniInstallOptions ci = CniInstallOptionsFrom(c);
  EXPECT_EQ(ci.plugin_source, "/p");
  EXPECT_EQ(ci.bin_dir, "/b");
  EXPECT_EQ(ci.conf_dir, "/c");
  EXPECT_EQ(ci.host_conf_dir, "/h");
  EXPECT_EQ(ci.conf_file, "f.conflist");
  EXPECT_EQ(ci.network_name, "net");
  EXPECT_EQ(ci.cni_version, "0.4.0");
  EXPECT_FALSE(ci.chain_portmap);
  EXPECT_TRUE(ci.force);
  EXPECT_EQ(ci.token_source, "/t");
  EXPECT_EQ(ci.ca_source, "/ca");
  EXPECT_EQ(ci.plugin_config,
            (nlohmann::json{{"romanad", "http://r:1"}, {"mtu", 9000}, {"node_name", "n1"}, {"log_file", "/l"}}));
}

TEST(AgentConfigTest, TheCniConfigNamesTheAgentsRomanadUnlessGivenOne) {
  AgentConfig c;
  c.romanad.url = "https://romanad:9600";
  EXPECT_EQ(CniInstallOptionsFrom(c).plugin_config["romanad"], "https://romanad:9600");
  EXPECT_FALSE(CniInstallOptionsFrom(c).plugin_config.contains("log_file"));
}

// The CNI steps as romana-agent takes them: the plugin at start-up, the config when the agent
// turns ready, and on stop the config stays unless --cni-uninstall.
TEST(AgentConfigTest, TheConfigIsWrittenWhenReadyAndKeptOnStopUnlessUninstalled) {
  romana::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "bin");
  std::filesystem::create_directories(dir.path() / "net.d");
  std::ofstream(dir.File("plugin")) << "#!/bin/sh\n";
  const AgentConfig c = Parse({"--sysctls", "false", "--cni-plugin", dir.File("plugin"), "--cni-bin-dir",
                               dir.File("bin"), "--cni-conf-dir", dir.File("net.d")});
  const std::string conflist = dir.File("net.d/10-romana.conflist");
  ASSERT_TRUE(PrepareNode(c).ok()) << PrepareNode(c);
  EXPECT_TRUE(std::filesystem::exists(dir.File("bin/romana")));
  EXPECT_FALSE(std::filesystem::exists(conflist));
  absl::StatusOr<AgentOptions> o = AgentOptionsFrom(c, "");
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_TRUE(o->before_ready);
  ASSERT_TRUE(o->before_ready().ok());
  EXPECT_TRUE(std::filesystem::exists(conflist));
  ASSERT_TRUE(LeaveNode(c).ok());
  EXPECT_TRUE(std::filesystem::exists(conflist)) << "a stopped agent keeps the node network-ready";
  AgentConfig uninstall = c;
  uninstall.cni_uninstall = true;
  ASSERT_TRUE(LeaveNode(uninstall).ok());
  EXPECT_FALSE(std::filesystem::exists(conflist));
  EXPECT_TRUE(std::filesystem::exists(dir.File("bin/romana")));
  // A config the agent may not replace: the hook fails naming the step, the file stays.
  std::ofstream(conflist) << R"({"name":"calico"})";
  absl::Status hook = o->before_ready();
  EXPECT_TRUE(absl::IsFailedPrecondition(hook)) << hook;
  EXPECT_EQ(hook.message().rfind("cni config: ", 0), 0u) << hook;
  EXPECT_TRUE(LeaveNode(uninstall).ok());
  EXPECT_TRUE(std::filesystem::exists(conflist));
}

TEST(AgentConfigTest, EachBadFlagIsNamed) {
  auto with = [](auto change) {
    AgentConfig c;
    change(c);
    return Validate(c);
  };
  ExpectInvalidNaming(with([](AgentConfig& c) { c.route_table = 253; }), "--route-table");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.route_protocol = 4; }), "--route-protocol");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.rule_priority = 0; }), "--rule-priority");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.resync_seconds = 0; }), "--resync-interval");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.mtu = 67; }), "--mtu");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.node_labels = "rack"; }), "--node-labels");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.register_node = true; }), "--node-ip");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.metrics_listen = "9607"; }), "--metrics-listen");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.service_range = "10.96.0.0"; }), "--service-cluster-ip-range");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.logging.level = "loud"; }), "--log-level");
  ExpectInvalidNaming(with([](AgentConfig& c) { c.logging.format = "xml"; }), "--log-format");
}

TEST(AgentConfigTest, FlagRangesAreCheckedWhileParsing) {
  EXPECT_THROW(Parse({"--route-table", "999"}), CLI::ValidationError);
  EXPECT_THROW(Parse({"--mtu", "10"}), CLI::ValidationError);
}

}  // namespace
}  // namespace romana::agent
