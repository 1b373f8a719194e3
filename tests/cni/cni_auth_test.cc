// The CNI plugin under auth, run as a container runtime on a node runs it.
//
// romanad serves HTTPS (scripts/gen-certs) and requires the token. The real romana-agent runs in
// a node network namespace the test makes, with the token and CA at "container" paths (its
// mounted Secret) and the host's CNI directories seen through another path (its container mounts
// the host's /etc/cni/net.d at /host/etc/cni/net.d; here a symlink). After it installed the
// plugin, the conflist and the secrets, the container's file system is removed (the runtime on
// the host cannot see it) and the installed plugin is exec'd with the installed conflist, inside
// the node namespace, for a pod namespace the test makes: ADD must succeed and DEL too.
// Requires root.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "base/token_file.h"
#include "cni/exec.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "netlink/netns.h"
#include "netlink/testing/scoped_netns.h"
#include "nlohmann/json.hpp"

namespace romana {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kTopology[] = R"({
  "networks": [{"name": "pods", "cidr": "10.78.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["pods"], "map": [{"name": "all", "assignment": {}, "groups": []}]}]})";
constexpr char kNodeIp[] = "192.168.201.1";

// The conflist's plugins[i] as the runtime hands it to the plugin.
json PluginConf(const json& conflist, size_t i) {
  json conf = conflist.contains("plugins") ? conflist["plugins"][i] : json::object();
  conf["cniVersion"] = conflist["cniVersion"];
  conf["name"] = conflist["name"];
  return conf;
}

absl::StatusOr<cni::ExecResult> RunPlugin(const std::string& binary, const std::string& node_netns,
                                          const std::string& command, const json& conf, const std::string& pod_netns) {
  cni::ExecOptions o;
  o.binary = binary;
  o.netns = node_netns;
  o.stdin_data = conf.dump();
  o.env = {{"CNI_COMMAND", command},
           {"CNI_CONTAINERID", "auth-pod-1"},
           {"CNI_NETNS", pod_netns},
           {"CNI_IFNAME", "eth0"},
           {"CNI_PATH", fs::path(binary).parent_path().string()},
           {"CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=auth-pod"}};
  return cni::ExecPlugin(o);
}

TEST(CniAuthTest, PluginInstalledByTheAgentWorksOnTheHostWithTokenAndTls) {
  if (!testing::IsRoot()) GTEST_SKIP() << "needs root (network namespaces)";
  testing::TempDir root;
  const fs::path pki = root.path() / "pki";
  ASSERT_TRUE(testing::GenerateCerts(pki.string()).ok());
  absl::StatusOr<std::string> token = base::ReadTokenFile((pki / "token").string());
  ASSERT_TRUE(token.ok()) << token.status();

  auto node = netlink::testing::ScopedNetns::Create("cni-auth");
  ASSERT_TRUE(node.ok()) << node.status();
  ASSERT_TRUE((*node)->ExecOrError({"ip", "addr", "add", std::string(kNodeIp) + "/32", "dev", "lo"}).ok());
  auto in_node = netlink::ScopedNetnsEntry::Enter((*node)->name());
  ASSERT_TRUE(in_node.ok()) << in_node.status();
  // romanad and the agent are children of this thread: they live in the node namespace.
  auto daemon = testing::RomanadProcess::Start(
      {.topology_json = kTopology, .token = *token, .tls_dir = pki.string()});
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  // The host's directories, the agent container's view of them, and its mounted Secret.
  const fs::path host = root.path() / "host";
  const fs::path container = root.path() / "container";
  fs::create_directories(host / "etc/cni/net.d");
  fs::create_directories(host / "opt/cni/bin");
  fs::create_directories(container / "secret");
  fs::create_symlink(host, container / "host");
  fs::copy_file(pki / "token", container / "secret/token");
  fs::copy_file(pki / "ca.crt", container / "secret/ca.crt");
  const int metrics_port = testing::FreeLoopbackPort();
  auto agent = base::Subprocess::Start(
      {.argv = {testing::AppBinary("romana-agent"), "--romanad", (*daemon)->url(),
                "--romanad-token-file", (container / "secret/token").string(),
                "--romanad-ca-file", (container / "secret/ca.crt").string(),
                "--node-name", "node-auth", "--register-node", "--node-ip", kNodeIp,
                "--cni-plugin", testing::AppBinary("romana-cni"),
                "--cni-bin-dir", (container / "host/opt/cni/bin").string(),
                "--cni-conf-dir", (container / "host/etc/cni/net.d").string(),
                "--cni-host-conf-dir", (host / "etc/cni/net.d").string(), "--cni-portmap=false",
                "--metrics-listen", absl::StrCat("127.0.0.1:", metrics_port)},
       .output_path = root.File("agent.log")});
  ASSERT_TRUE(agent.ok()) << agent.status();
  const fs::path conflist_path = host / "etc/cni/net.d/10-romana.conflist";
  // The agent registers the node, syncs, and only then writes the conflist: wait for both.
  auto installed_and_registered = [&] {
    return fs::exists(conflist_path) && (*daemon)->client().GetHost("node-auth").ok();
  };
  ASSERT_TRUE(testing::WaitUntil([&] { return installed_and_registered() || !(*agent)->Running(); },
                                 std::chrono::seconds(30)));
  ASSERT_TRUE(installed_and_registered()) << testing::ReadFile(root.File("agent.log"));
  (*agent)->Stop(std::chrono::seconds(5));
  fs::remove_all(container);  // the runtime on the host cannot see the agent's container

  const json conflist = json::parse(testing::ReadFile(conflist_path), nullptr, false);
  ASSERT_TRUE(conflist.is_object()) << testing::ReadFile(conflist_path);
  const json conf = PluginConf(conflist, 0);
  EXPECT_EQ(conf.value("romanad_token_file", ""), (host / "etc/cni/net.d/romana/token").string()) << conflist.dump(2);
  EXPECT_EQ(conf.value("romanad_ca_file", ""), (host / "etc/cni/net.d/romana/ca.crt").string()) << conflist.dump(2);
  for (const char* file : {"romana/token", "romana/ca.crt"}) {
    struct stat st {};
    EXPECT_EQ(stat((host / "etc/cni/net.d" / file).c_str(), &st), 0) << file << " is not installed on the host";
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }

  auto pod = netlink::testing::ScopedNetns::Create("cni-auth-pod");
  ASSERT_TRUE(pod.ok()) << pod.status();
  const std::string plugin = (host / "opt/cni/bin/romana").string();
  absl::StatusOr<cni::ExecResult> add = RunPlugin(plugin, (*node)->name(), "ADD", conf, (*pod)->path());
  ASSERT_TRUE(add.ok()) << add.status();
  ASSERT_EQ(add->exit_code, 0) << cni::Describe(*add) << add->stderr_data;
  const std::string ip = add->output.contains("ips") ? add->output["ips"][0].value("address", "") : "";
  EXPECT_EQ(ip.rfind("10.78.", 0), 0u) << add->stdout_data;
  absl::StatusOr<cni::ExecResult> del = RunPlugin(plugin, (*node)->name(), "DEL", conf, (*pod)->path());
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(del->exit_code, 0) << cni::Describe(*del);

  // Nobody logs the token (romanad runs with --log-level=debug here).
  EXPECT_EQ(testing::ReadFile(root.File("agent.log")).find(*token), std::string::npos) << "the agent logged the token";
  EXPECT_EQ((*daemon)->Log().find(*token), std::string::npos) << "romanad logged the token";
  EXPECT_EQ(add->stderr_data.find(*token), std::string::npos) << "the plugin logged the token";

  // romanad really requires the token: the same ADD without it is refused.
  json no_token = conf;
  no_token.erase("romanad_token_file");
  absl::StatusOr<cni::ExecResult> refused = RunPlugin(plugin, (*node)->name(), "ADD", no_token, (*pod)->path());
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_NE(refused->exit_code, 0) << refused->stdout_data;
}

}  // namespace
}  // namespace romana
