// Policy enforcement end to end with the real kernel: one "node" namespace routes between three
// "pods" (namespaces with a veth each, /32 addresses, default route via the node). The agent's
// renderer + nft::TableSyncer program `inet romana` in the node from hand-written node plans;
// TCP and UDP probes between the pods (python3 servers on 80 and 81) show what passes. A
// foreign table `ip lab-svc` DNATs a Service VIP to a pod, standing in for kube-proxy.
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agent/policy_render.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ipv4.h"
#include "netlink/netns.h"
#include "netlink/testing/scoped_netns.h"
#include "nft/counting_runner.h"
#include "nft/table_syncer.h"
#include "policy/network_policy.h"
#include "policy/node_plan_compiler.h"

namespace romana::agent {
namespace {

using netlink::testing::ScopedNetns;
using policy::Protocol;

// serve: TCP and UDP on 80 and 81, answering "ok". probe <ip> <tcp|udp> <port>: exit 0 when
// answered within 0.5 s.
constexpr char kPy[] = R"(
import socket, sys, threading
def tcp(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(64)
    while True:
        c, _ = s.accept(); c.sendall(b"ok"); c.close()
def udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", port))
    while True:
        d, a = s.recvfrom(100); s.sendto(b"ok", a)
if sys.argv[1] == "serve":
    for p in (80, 81):
        threading.Thread(target=tcp, args=(p,), daemon=True).start()
        threading.Thread(target=udp, args=(p,), daemon=True).start()
    threading.Event().wait()
ip, proto, port = sys.argv[2], sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
s.settimeout(0.5)
try:
    if proto == "tcp":
        s.connect((ip, port))
    else:
        s.sendto(b"hi", (ip, port))
    sys.exit(0 if s.recv(10) == b"ok" else 1)
except OSError:
    sys.exit(1)
)";

constexpr char kA[] = "10.77.1.2";
constexpr char kB[] = "10.77.1.3";
constexpr char kC[] = "10.77.1.4";
constexpr char kVip[] = "10.96.0.10";

// The distribution's interpreter when present: wrappers such as pyenv shims cost seconds a call.
std::string Python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

uint32_t Ip(const char* s) { return net::Ipv4Address::Parse(s)->value(); }

class PolicyNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root";
    script_ = tmp_.File("probe.py");
    std::ofstream(script_) << kPy;
    auto node = ScopedNetns::Create("pol-node");
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    ASSERT_TRUE(node_->ExecOrError({"sysctl", "-qw", "net.ipv4.ip_forward=1"}).ok());
    int i = 0;
    for (const char* ip : {kA, kB, kC}) {
      auto pod = ScopedNetns::Create("pol-pod");
      ASSERT_TRUE(pod.ok()) << pod.status();
      const std::string host_if = absl::StrCat("veth", i++);
      ASSERT_TRUE(node_->ExecOrError({"ip", "link", "add", host_if, "type", "veth", "peer", "name", "eth0",
                                      "netns", (*pod)->name()}).ok());
      ASSERT_TRUE(node_->ExecOrError({"ip", "addr", "add", "10.77.0.1/32", "dev", host_if}).ok());
      ASSERT_TRUE(node_->ExecOrError({"ip", "link", "set", host_if, "up"}).ok());
      ASSERT_TRUE(node_->ExecOrError({"ip", "route", "add", absl::StrCat(ip, "/32"), "dev", host_if}).ok());
      ASSERT_TRUE((*pod)->ExecOrError({"ip", "addr", "add", absl::StrCat(ip, "/32"), "dev", "eth0"}).ok());
      ASSERT_TRUE((*pod)->ExecOrError({"ip", "link", "set", "eth0", "up"}).ok());
      ASSERT_TRUE((*pod)->ExecOrError({"ip", "route", "add", "10.77.0.1", "dev", "eth0"}).ok());
      ASSERT_TRUE((*pod)->ExecOrError({"ip", "route", "add", "default", "via", "10.77.0.1"}).ok());
      auto server = base::Subprocess::Start(
          {.argv = {"ip", "netns", "exec", (*pod)->name(), Python(), "-S", script_, "serve"}});
      ASSERT_TRUE(server.ok()) << server.status();
      servers_.push_back(*std::move(server));
      pods_.push_back(*std::move(pod));
    }
    for (size_t p = 0; p < pods_.size(); ++p) {
      ASSERT_TRUE(romana::testing::WaitUntil([&] {
        return Probe(*pods_[p], "127.0.0.1", "tcp", 81) && Probe(*pods_[p], "127.0.0.1", "udp", 81);
      })) << "server in pod " << p << " did not start";
    }
    // kube-proxy stand-in: VIP:8080 -> b:80, VIP:8081 -> b:81, in a table that is not ours.
    ASSERT_TRUE(node_->ExecOrError({"nft", "add", "table", "ip", "lab-svc"}).ok());
    ASSERT_TRUE(node_->ExecOrError({"nft", "add chain ip lab-svc pre { type nat hook prerouting priority dstnat; }"}).ok());
    ASSERT_TRUE(node_->ExecOrError({"nft", "add rule ip lab-svc pre ip daddr 10.96.0.10 tcp dport 8080 dnat to 10.77.1.3:80"}).ok());
    ASSERT_TRUE(node_->ExecOrError({"nft", "add rule ip lab-svc pre ip daddr 10.96.0.10 tcp dport 8081 dnat to 10.77.1.3:81"}).ok());
    for (const auto& pod : pods_) {
      ASSERT_TRUE(pod->ExecOrError({"ip", "route", "add", "10.96.0.0/12", "via", "10.77.0.1"}).ok());
    }
    lab_svc_ = node_->ExecOrError({"nft", "-j", "list", "table", "ip", "lab-svc"}).value_or("ERR");
  }
  void TearDown() override {
    for (auto& s : servers_) s->Stop(std::chrono::milliseconds(200));
  }

  bool Probe(const ScopedNetns& from, const std::string& ip, const std::string& proto, int port) {
    absl::StatusOr<base::CommandResult> r = from.Exec({Python(), "-S", script_, "probe", ip, proto, std::to_string(port)});
    return r.ok() && r->exit_code == 0;
  }
  bool Probe(int from, const std::string& ip, const std::string& proto, int port) {
    return Probe(*pods_[from], ip, proto, port);
  }
  // Renders `plan` and syncs it into the node's table (libnftables runs in the node namespace).
  void Apply(const policy::NodePlan& plan, nft::DiffStats* stats = nullptr) {
    std::thread([&] {
      auto in = netlink::ScopedNetnsEntry::Enter(node_->name());
      ASSERT_TRUE(in.ok()) << in.status();
      absl::Status s = syncer().Sync(RenderPolicyTable(plan));
      ASSERT_TRUE(s.ok()) << s;
      if (stats) *stats = syncer().last_stats();
    }).join();
    EXPECT_EQ(node_->ExecOrError({"nft", "-j", "list", "table", "ip", "lab-svc"}).value_or("ERR"), lab_svc_);
  }
  nft::TableSyncer& syncer() {
    // Created on first use on the thread inside the node (the runner binds to its netns).
    if (!syncer_) {
      auto r = nft::LibNftablesRunner::Create();
      EXPECT_TRUE(r.ok());
      runner_ = *std::move(r);
      syncer_ = std::make_unique<nft::TableSyncer>(*runner_, clock_, nft::TableSyncerOptions{"inet", "romana"});
    }
    return *syncer_;
  }

  static policy::LocalPod Pod(const char* ip) { return {.namespace_name = "x", .name = ip, .ip = Ip(ip)}; }
  static policy::NodePlan Plan() { return {.node = "n", .pods = {Pod(kA), Pod(kB), Pod(kC)}}; }

  romana::testing::TempDir tmp_;
  std::string script_;
  std::unique_ptr<ScopedNetns> node_;
  std::vector<std::unique_ptr<ScopedNetns>> pods_;
  std::vector<std::unique_ptr<base::Subprocess>> servers_;
  std::string lab_svc_;
  base::SystemClock clock_;
  std::unique_ptr<nft::LibNftablesRunner> runner_;
  std::unique_ptr<nft::TableSyncer> syncer_;
};

TEST_F(PolicyNetnsTest, DenyAllowPortsUdpRepliesDnatAndHost) {
  // No policy: everything passes.
  Apply(Plan());
  EXPECT_TRUE(Probe(0, kB, "tcp", 80));
  EXPECT_TRUE(Probe(0, kB, "udp", 80));

  // Deny all ingress to b (isolated, no allowing chain). a is isolated too: replies to a's own
  // connections must still pass (conntrack).
  policy::NodePlan deny = Plan();
  deny.pods[0].ingress_isolated = true;
  deny.pods[1].ingress_isolated = true;
  Apply(deny);
  EXPECT_FALSE(Probe(0, kB, "tcp", 80));
  EXPECT_FALSE(Probe(0, kB, "udp", 80));
  EXPECT_FALSE(Probe(2, kB, "tcp", 81));
  EXPECT_FALSE(Probe(0, kVip, "tcp", 8080));  // via the foreign DNAT: still b's ingress
  EXPECT_TRUE(Probe(1, kC, "tcp", 80));       // b -> c: c is not isolated, reply passes
  EXPECT_FALSE(Probe(1, kA, "tcp", 80));      // b -> a: a is isolated
  // The host reaches its pods (kubelet probes), and a pod reaches itself.
  EXPECT_TRUE(Probe(*node_, kB, "tcp", 80));
  EXPECT_TRUE(Probe(*node_, kB, "udp", 80));
  EXPECT_TRUE(Probe(1, kB, "tcp", 80));

  // Allow a -> b on TCP 80 and UDP 81 only.
  policy::NodePlan allow = deny;
  allow.address_sets = {{.name = "a-only-a", .definition = "a", .members = {{Ip(kA), Ip(kA)}}}};
  allow.chains = {{.name = "in-allow", .policy_id = "networkpolicy:x/allow", .direction = policy::Direction::kIngress,
                   .rules = {{.remote_set = "a-only-a",
                              .ports = {{Protocol::kTcp, 80, 80}, {Protocol::kUdp, 81, 81}}}}}};
  allow.pods[1].ingress_chains = {"in-allow"};
  Apply(allow);
  EXPECT_TRUE(Probe(0, kB, "tcp", 80));   // reply to isolated a passes: established
  EXPECT_FALSE(Probe(0, kB, "tcp", 81));
  EXPECT_FALSE(Probe(0, kB, "udp", 80));
  EXPECT_TRUE(Probe(0, kB, "udp", 81));
  EXPECT_FALSE(Probe(2, kB, "tcp", 80));  // c is not in the peer set
  EXPECT_TRUE(Probe(0, kVip, "tcp", 8080));   // DNATed to b:80: allowed
  EXPECT_FALSE(Probe(0, kVip, "tcp", 8081));  // DNATed to b:81: still blocked

  // Membership change: c joins the peer set. Only set elements change.
  policy::NodePlan member = allow;
  member.address_sets[0].members = {{Ip(kA), Ip(kA)}, {Ip(kC), Ip(kC)}};
  nft::DiffStats st;
  Apply(member, &st);
  EXPECT_EQ(st.elements_added, 1);  // c (not adjacent to a: b lies between)
  EXPECT_EQ(st.chains_written, 0);
  EXPECT_TRUE(Probe(2, kB, "tcp", 80));

  // Named port: b's port 81/TCP through an address.proto.port set; the allow chain changes
  // (only that chain is rewritten).
  policy::NodePlan named = member;
  named.address_port_sets = {{.name = "n-serve", .definition = "serve-81", .members = {{Ip(kB), Protocol::kTcp, 81}}}};
  named.chains[0].rules = {{.remote_set = "a-only-a", .destination_port_set = "n-serve"}};
  Apply(named, &st);
  EXPECT_EQ(st.chains_written, 1);
  EXPECT_EQ(st.elements_added, 0);
  EXPECT_TRUE(Probe(0, kB, "tcp", 81));
  EXPECT_FALSE(Probe(0, kB, "tcp", 80));

  // Egress: a may only reach b on TCP 80 (b's ingress allows everything from a again).
  policy::NodePlan egress = Plan();
  egress.address_sets = {{.name = "a-only-b", .definition = "b", .members = {{Ip(kB), Ip(kB)}}}};
  egress.chains = {{.name = "out-a", .policy_id = "networkpolicy:x/egress", .direction = policy::Direction::kEgress,
                    .rules = {{.remote_set = "a-only-b", .ports = {{Protocol::kTcp, 80, 80}}}}}};
  egress.pods[0].egress_isolated = true;
  egress.pods[0].egress_chains = {"out-a"};
  Apply(egress);
  EXPECT_TRUE(Probe(0, kB, "tcp", 80));
  EXPECT_FALSE(Probe(0, kB, "tcp", 81));
  EXPECT_FALSE(Probe(0, kC, "tcp", 80));
  EXPECT_FALSE(Probe(0, kB, "udp", 80));
  EXPECT_TRUE(Probe(2, kA, "tcp", 80));   // ingress to a is open; replies are established
  EXPECT_TRUE(Probe(*node_, kA, "tcp", 81));

  // Removing our table leaves the foreign DNAT table as it was (checked in Apply) and opens all.
  std::thread([&] {
    auto in = netlink::ScopedNetnsEntry::Enter(node_->name());
    ASSERT_TRUE(in.ok());
    ASSERT_TRUE(syncer().Remove().ok());
  }).join();
  EXPECT_EQ(node_->ExecOrError({"nft", "-j", "list", "table", "ip", "lab-svc"}).value_or("ERR"), lab_svc_);
  EXPECT_TRUE(Probe(0, kC, "tcp", 80));
}

// The whole path from a Kubernetes NetworkPolicy: decode, compile this node's plan, render,
// apply. b accepts TCP 80 from pods labelled role=client and from the ipBlock 10.77.1.0/24
// except 10.77.1.2/31 (a and b) on its named port "alt" (81/UDP).
TEST_F(PolicyNetnsTest, CompiledNetworkPolicyIsEnforced) {
  policy::Cluster cluster;
  cluster.namespaces = {{"x", {}, false}};
  cluster.pods = {{.namespace_name = "x", .name = "a", .ip = Ip(kA), .node = "n", .labels = {{"role", "client"}}},
                  {.namespace_name = "x", .name = "b", .ip = Ip(kB), .node = "n", .labels = {{"app", "b"}},
                   .ports = {{"alt", Protocol::kUdp, 81}}},
                  {.namespace_name = "x", .name = "c", .ip = Ip(kC), .node = "n", .labels = {}}};
  absl::StatusOr<policy::NetworkPolicy> np = policy::ParseNetworkPolicy(nlohmann::json::parse(R"({
    "metadata": {"name": "b", "namespace": "x"},
    "spec": {"podSelector": {"matchLabels": {"app": "b"}},
             "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "client"}}}],
                          "ports": [{"port": 80}]},
                         {"from": [{"ipBlock": {"cidr": "10.77.1.0/24", "except": ["10.77.1.2/31"]}}],
                          "ports": [{"port": "alt", "protocol": "UDP"}]}]}})"));
  ASSERT_TRUE(np.ok()) << np.status();
  policy::NodePlan plan = policy::CompileNodePlan(cluster, {.network_policies = {*np}}, "n");
  ASSERT_TRUE(plan.errors.empty());
  Apply(plan);
  EXPECT_TRUE(Probe(0, kB, "tcp", 80));
  EXPECT_FALSE(Probe(2, kB, "tcp", 80));
  EXPECT_FALSE(Probe(0, kB, "tcp", 81));
  EXPECT_TRUE(Probe(2, kB, "udp", 81));   // c (10.77.1.4) is in the block, outside the except
  EXPECT_FALSE(Probe(0, kB, "udp", 81));  // a is excepted
  EXPECT_TRUE(Probe(0, kC, "tcp", 80));   // c is not selected: open
  EXPECT_TRUE(Probe(*node_, kB, "tcp", 81));

  // c gets the label: a membership change, enforced by element updates only.
  cluster.pods[2].labels = {{"role", "client"}};
  nft::DiffStats st;
  Apply(policy::CompileNodePlan(cluster, {.network_policies = {*np}}, "n"), &st);
  EXPECT_EQ(st.chains_written, 0);
  EXPECT_GT(st.elements_added, 0);
  EXPECT_TRUE(Probe(2, kB, "tcp", 80));
}

}  // namespace
}  // namespace romana::agent
