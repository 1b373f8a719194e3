#include "cni_fixture.h"

#include <cstdlib>

#include "base/testing/test_env.h"

namespace romana::cni::testing {

using nlohmann::json;

romana::testing::RomanadProcess* CniFixture::daemon_ = nullptr;
netlink::testing::ScopedNetns* CniFixture::host_ = nullptr;
netlink::ScopedNetnsEntry* CniFixture::in_host_ = nullptr;

namespace {
constexpr char kTopology[] = R"({
  "networks": [{"name": "pods", "cidr": "10.77.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["pods"], "map": [{"name": "all", "assignment": {}, "groups": []}]}]})";
}  // namespace

void CniFixture::SetUpTestSuite() {
  if (!romana::testing::IsRoot()) return;
  auto host = netlink::testing::ScopedNetns::Create("cni-host");
  ASSERT_TRUE(host.ok()) << host.status();
  host_ = host->release();
  // The node's own address (source of pings to pods) and forwarding between pods.
  ASSERT_TRUE(host_->ExecOrError({"ip", "addr", "add", std::string(kNodeIp) + "/32", "dev", "lo"}).ok());
  ASSERT_TRUE(host_->ExecOrError({"sysctl", "-qw", "net.ipv4.ip_forward=1"}).ok());
  auto entry = netlink::ScopedNetnsEntry::Enter(host_->name());
  ASSERT_TRUE(entry.ok()) << entry.status();
  in_host_ = entry->release();
  // romanad (a child of this thread) and every client socket live in the node's netns.
  const char* binary = getenv("ROMANA_TEST_ROMANAD");  // default: this build's romanad
  auto p = romana::testing::RomanadProcess::Start({.topology_json = kTopology, .binary = binary ? binary : ""});
  ASSERT_TRUE(p.ok()) << p.status();
  daemon_ = p->release();
  auto node = daemon_->client().AddHost({.name = kNode, .ip = kNodeIp});
  ASSERT_TRUE(node.ok()) << node.status();
}

void CniFixture::TearDownTestSuite() {
  delete daemon_;
  daemon_ = nullptr;
  delete in_host_;  // back to the original netns
  in_host_ = nullptr;
  delete host_;
  host_ = nullptr;
}

void CniFixture::SetUp() {
  if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root (network namespaces)";
  ASSERT_NE(daemon_, nullptr) << "romanad did not start";
  ASSERT_NE(in_host_, nullptr);
}

void CniFixture::TearDown() { pods_.clear(); }

std::string CniFixture::PluginBinary() {
  return (romana::testing::BinaryDir() / "apps/romana-cni/romana-cni").string();
}

json CniFixture::Conf(const std::string& version, const json& extra) {
  json c = {{"cniVersion", version}, {"name", "romana-test"}, {"type", "romana"},
            {"romanad", daemon_ != nullptr ? daemon_->url() : "http://127.0.0.1:1"},
            {"node_name", kNode}, {"mtu", 1400}, {"log_level", "debug"}};
  c.update(extra);
  return c;
}

absl::StatusOr<ExecResult> CniFixture::Run(const std::string& command, const json& conf, const std::string& container_id,
                                           const std::string& netns, const std::string& ifname, const std::string& args) {
  ExecOptions o;
  o.binary = PluginBinary();
  o.netns = host_->name();
  o.stdin_data = conf.dump();
  o.env = {{"CNI_COMMAND", command}, {"CNI_PATH", "/usr/lib/cni"}};
  if (!container_id.empty()) o.env["CNI_CONTAINERID"] = container_id;
  if (!netns.empty()) o.env["CNI_NETNS"] = netns;
  if (!ifname.empty() && (command == "ADD" || command == "DEL" || command == "CHECK")) o.env["CNI_IFNAME"] = ifname;
  if (!args.empty()) o.env["CNI_ARGS"] = args;
  return ExecPlugin(o);
}

netlink::testing::ScopedNetns& CniFixture::NewPod() {
  auto pod = netlink::testing::ScopedNetns::Create("cni-pod");
  EXPECT_TRUE(pod.ok()) << pod.status();
  pods_.push_back(*std::move(pod));
  return *pods_.back();
}

std::unique_ptr<netlink::LibnlNetlink> CniFixture::Nl(const std::string& netns) {
  auto nl = netlink::LibnlNetlink::Create({.netns = netns.empty() ? host_->name() : netns});
  EXPECT_TRUE(nl.ok()) << nl.status();
  return nl.ok() ? *std::move(nl) : nullptr;
}

}  // namespace romana::cni::testing
