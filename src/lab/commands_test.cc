#include "lab/commands.h"

#include <sstream>
#include <vector>

#include "base/testing/flag_parsing.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::lab {
namespace {

// Parses `args` into `config` as romana-lab does; returns the commands.
LabCommands Parse(LabCliConfig& config, CLI::App& app, std::vector<std::string> args) {
  LabCommands commands = AddLabFlags(app, config);
  romana::testing::ParseArgs(app, "romana-lab", std::move(args));
  return commands;
}

TEST(LabCommandsTest, UpDefaultsGiveTheDocumentedLab) {
  LabCliConfig config;
  CLI::App app{"test"};
  LabCommands commands = Parse(config, app, {"up"});
  EXPECT_TRUE(commands.up->parsed());
  EXPECT_FALSE(commands.down->parsed());
  ASSERT_TRUE(ValidateUp(config).ok()) << ValidateUp(config);
  std::ostringstream out;
  const LabOptions o = UpOptionsFrom(config, 123456, out);
  EXPECT_EQ(o.shape.id, "l23456");  // chosen before building, so a signal knows what to remove
  EXPECT_EQ(o.shape.nodes, 3);
  EXPECT_EQ(o.shape.pods_per_node, 2);
  EXPECT_EQ(o.shape.racks, 1);
  EXPECT_EQ(o.state_root, "/run/romana-lab");
  EXPECT_EQ(o.timeout, std::chrono::seconds(60));
  EXPECT_FALSE(o.etcd);
  EXPECT_FALSE(o.kubernetes);
  ASSERT_TRUE(o.progress);
  o.progress("romanad is ready");
  EXPECT_EQ(out.str(), "[lab] romanad is ready\n");
}

TEST(LabCommandsTest, AFullUpCommandLineReachesTheLabOptions) {
  LabCliConfig config;
  CLI::App app{"test"};
  Parse(config, app,
        {"--state-dir", "/tmp/labs", "up", "--nodes", "4", "--pods", "1", "--racks", "2", "--etcd", "--etcd-members",
         "3", "--romanad-replicas", "2", "--id", "t1", "--pod-cidr", "10.120.0.0/16", "--block-mask", "28",
         "--romanad-bin", "/r", "--agent-bin", "/a", "--cni-bin", "/c", "--portmap", "--timeout", "90", "--no-probe",
         "--keep-on-failure", "--model", "--kubernetes", "--listener-bin", "/l", "--address-gc-grace", "5",
         "--listener-replicas", "2", "--listener-lease-duration", "3"});
  ASSERT_TRUE(ValidateUp(config).ok()) << ValidateUp(config);
  EXPECT_TRUE(config.no_probe);
  EXPECT_TRUE(config.keep_on_failure);
  EXPECT_TRUE(config.model);
  std::ostringstream out;
  const LabOptions o = UpOptionsFrom(config, 1, out);
  EXPECT_EQ(o.state_root, "/tmp/labs");
  EXPECT_EQ(o.shape.id, "t1");
  EXPECT_EQ(o.shape.nodes, 4);
  EXPECT_EQ(o.shape.pods_per_node, 1);
  EXPECT_EQ(o.shape.racks, 2);
  EXPECT_EQ(o.shape.pod_cidr, "10.120.0.0/16");
  EXPECT_EQ(o.shape.block_mask, 28);
  EXPECT_TRUE(o.etcd);
  EXPECT_EQ(o.etcd_members, 3);
  EXPECT_EQ(o.romanad_replicas, 2);
  EXPECT_EQ(o.romanad_bin, "/r");
  EXPECT_EQ(o.agent_bin, "/a");
  EXPECT_EQ(o.cni_bin, "/c");
  EXPECT_EQ(o.listener_bin, "/l");
  EXPECT_TRUE(o.portmap);
  EXPECT_TRUE(o.kubernetes);
  EXPECT_EQ(o.listener_gc_grace_seconds, 5);
  EXPECT_EQ(o.listener_replicas, 2);
  EXPECT_EQ(o.listener_lease_seconds, 3);
  EXPECT_EQ(o.timeout, std::chrono::seconds(90));
}

TEST(LabCommandsTest, EachBadUpFlagIsNamed) {
  auto refused = [](std::vector<std::string> args, absl::string_view flag) {
    LabCliConfig config;
    CLI::App app{"test"};
    args.insert(args.begin(), "up");
    Parse(config, app, args);
    romana::testing::ExpectInvalidNaming(ValidateUp(config), flag);
  };
  refused({"--nodes", "0"}, "--nodes");
  refused({"--pods", "51"}, "--pods");
  refused({"--racks", "4"}, "--racks");
  refused({"--id", "Bad"}, "--id");
  refused({"--pod-cidr", "192.168.0.0/16"}, "--pod-cidr");
  refused({"--block-mask", "17"}, "--block-mask");
  refused({"--etcd-members", "3"}, "--etcd-members");
  refused({"--romanad-replicas", "2"}, "--romanad-replicas");
  refused({"--listener-replicas", "2"}, "--listener-replicas");  // without --kubernetes
  refused({"--kubernetes", "--listener-replicas", "0"}, "--listener-replicas");
  refused({"--kubernetes", "--listener-lease-duration", "0.5"}, "--listener-lease-duration");
}

TEST(LabCommandsTest, KeepRouterAndKubeApiServerFlags) {
  LabCliConfig config;
  CLI::App app{"test"};
  LabCommands commands = Parse(config, app,
                               {"keep-router", "--romanad", "https://192.168.100.2:9600", "--romanad-ca-file", "/ca",
                                "--romanad-token-file", "/t", "--router-netns", "rl-x-router", "--interval-ms", "250"});
  EXPECT_TRUE(commands.keep_router->parsed());
  const RouterKeeperOptions k = KeeperOptionsFrom(config);
  EXPECT_EQ(k.romanad_url, "https://192.168.100.2:9600");
  EXPECT_EQ(k.ca_file, "/ca");
  EXPECT_EQ(k.token_file, "/t");
  EXPECT_EQ(k.router_netns, "rl-x-router");
  EXPECT_EQ(k.interval, std::chrono::milliseconds(250));

  LabCliConfig missing;
  CLI::App app2{"test"};
  EXPECT_THROW(Parse(missing, app2, {"keep-router", "--romanad", "http://r"}), CLI::RequiredError);  // --router-netns
  LabCliConfig kube;
  CLI::App app3{"test"};
  Parse(kube, app3, {"kube-apiserver", "--lab-dir", "/run/romana-lab/x", "--relay-netns", "rl-x-master"});
  EXPECT_EQ(kube.kube_api.lab_dir, "/run/romana-lab/x");
  EXPECT_EQ(kube.kube_api.relay_netns, "rl-x-master");
  LabCliConfig none;
  CLI::App app4{"test"};
  EXPECT_THROW(Parse(none, app4, {}), CLI::RequiredError);  // a command is required
}

TEST(LabCommandsTest, ListAndDownOfAnEmptyStateDirectory) {
  testing::TempDir dir;
  LabCliConfig config;
  config.state_root = dir.path().string();
  std::ostringstream out, err;
  EXPECT_EQ(RunList(config, out), 0);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(RunDown(config, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "removed every lab (namespaces, processes, " + config.state_root + "/<id>)\n");
}

}  // namespace
}  // namespace romana::lab
