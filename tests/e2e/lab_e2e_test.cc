// End-to-end tests of the node dataplane: a lab (src/lab) with the real romanad, romana-agent
// and romana-cni in network namespaces. Every test builds its own small lab (unique id, its own
// state dir) and removes it, also when an assertion fails.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lab/exec.h"
#include "lab/lab.h"
#include "lab/probe.h"
#include "lab/report.h"
#include "lab/testing/test_lab_options.h"
#include "net/ipv4.h"
#include "nlohmann/json.hpp"

namespace romana::lab {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class LabE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root";
  }
  // Builds a lab; fails the test (fatally) when it cannot.
  void Up(int nodes, int pods, int racks = 1, bool etcd = false) {
    LabOptions o = testing::TestLabOptions("e", state_.path().string());
    o.etcd = etcd;
    o.shape.nodes = nodes;
    o.shape.pods_per_node = pods;
    o.shape.racks = racks;
    absl::StatusOr<std::unique_ptr<Lab>> l = Lab::Up(o);
    ASSERT_TRUE(l.ok()) << l.status();
    lab_ = *std::move(l);
  }
  void ExpectFullMesh() {
    absl::StatusOr<Matrix> m = ProbeConnectivity(lab_->pods());
    ASSERT_TRUE(m.ok()) << m.status();
    PrintMatrix(*m, std::cerr);
    EXPECT_TRUE(m->all_ok());
    EXPECT_EQ(m->pairs, static_cast<int>(lab_->pods().size() * (lab_->pods().size() - 1)));
  }
  // Waits until `cond` holds; returns the time it took.
  std::chrono::milliseconds TimeUntil(const std::function<bool()>& cond) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(romana::testing::WaitUntil(cond, std::chrono::seconds(30)));
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  }
  bool Converged() {
    for (const auto& [n, node] : lab_->nodes()) {
      absl::StatusOr<std::string> want = lab_->ExpectedRoutes(n), have = lab_->RouteTable(n);
      if (!want.ok() || !have.ok() || *want != *have) return false;
    }
    return true;
  }
  std::string Table(int n) { return lab_->RouteTable(n).value_or("ERROR"); }

  romana::testing::TempDir state_;
  std::unique_ptr<Lab> lab_;
};

TEST_F(LabE2eTest, SecureByDefaultWithEtcdOverTls) {
  // The lab runs as the manifests do: romanad over HTTPS with a token, etcd over TLS with client
  // certificates on loopback only; pods are made by the plugin with the token the agent installed.
  Up(2, 1, 1, /*etcd=*/true);
  ExpectFullMesh();
  const std::string pki = lab_->dir() + "/pki";
  const std::string url = "https://" + MasterIp() + ":9600";
  absl::Status s = InNetns(MasterNetns(lab_->id()), [&]() -> absl::Status {
    // No token: writes are refused. Plain http: no answer. Another CA: not trusted.
    auto anonymous = api::Client::Create({.server = url, .ca_file = pki + "/ca.crt"});
    if (!anonymous.ok()) return anonymous.status();
    absl::StatusOr<api::Host> added = (*anonymous)->AddHost({.name = "intruder", .ip = "192.168.100.99"});
    EXPECT_FALSE(added.ok());
    EXPECT_EQ(added.status().code(), absl::StatusCode::kUnauthenticated) << added.status();
    auto plain = api::Client::Create({.server = "http://" + MasterIp() + ":9600", .timeout = std::chrono::seconds(2)});
    if (!plain.ok()) return plain.status();
    EXPECT_FALSE((*plain)->ListHosts().ok()) << "romanad answered plain http";
    auto wrong_ca = api::Client::Create({.server = url, .ca_file = pki + "/etcd/ca.crt", .timeout = std::chrono::seconds(2)});
    if (!wrong_ca.ok()) return wrong_ca.status();
    EXPECT_FALSE((*wrong_ca)->ListHosts().ok()) << "romanad's certificate verified with the etcd CA";
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  // etcd: TLS only, on loopback only, and a client without a certificate is refused.
  absl::StatusOr<std::string> listening = lab_->Exec(MasterNetns(lab_->id()), {"ss", "-Htln"});
  ASSERT_TRUE(listening.ok()) << listening.status();
  EXPECT_THAT(*listening, HasSubstr("127.0.0.1:2379"));
  EXPECT_THAT(*listening, Not(HasSubstr("*:2379")));
  EXPECT_THAT(*listening, Not(HasSubstr("0.0.0.0:2379")));
  absl::StatusOr<Captured> no_cert = RunCapture(InNs(MasterNetns(lab_->id()),
      {"etcdctl", "--endpoints", "https://127.0.0.1:2379", "--cacert", pki + "/etcd/ca.crt",
       "--dial-timeout", "2s", "--command-timeout", "3s", "get", "/romana", "--prefix", "--keys-only"}));
  ASSERT_TRUE(no_cert.ok()) << no_cert.status();
  EXPECT_NE(no_cert->exit_code, 0) << "etcd served a client without a certificate: " << no_cert->out;
  // Each node's conflist names the token the agent installed on the "host" (the node's dir), 0600.
  for (const auto& [n, node] : lab_->nodes()) {
    const std::string net_d = lab_->dir() + "/" + node.name + "/net.d";
    nlohmann::json conflist = nlohmann::json::parse(romana::testing::ReadFile(net_d + "/10-romana.conflist"), nullptr, false);
    ASSERT_TRUE(conflist.is_object()) << net_d;
    EXPECT_EQ(conflist["plugins"][0].value("romanad", ""), url);
    EXPECT_EQ(conflist["plugins"][0].value("romanad_token_file", ""), net_d + "/romana/token");
    EXPECT_EQ(conflist["plugins"][0].value("romanad_ca_file", ""), net_d + "/romana/ca.crt");
    struct stat st {};
    ASSERT_EQ(stat((net_d + "/romana/token").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
}

TEST_F(LabE2eTest, FullMeshOnThreeNodes) {
  Up(3, 2);
  ASSERT_EQ(lab_->pods().size(), 6u);
  // Every node routes the other two nodes' blocks, and nothing for its own.
  for (int n = 1; n <= 3; ++n) {
    std::string t = Table(n);
    EXPECT_THAT(t, Not(HasSubstr(lab_->nodes().at(n).ip))) << t;
    for (int m = 1; m <= 3; ++m) {
      if (m != n) {
        EXPECT_THAT(t, HasSubstr("via " + lab_->nodes().at(m).ip)) << "node " << n << ":\n" << t;
      }
    }
  }
  ExpectFullMesh();
}

TEST_F(LabE2eTest, FullMeshOnTwoRacksThroughTheRouter) {
  Up(4, 1, /*racks=*/2);
  // Nodes only route their own rack's neighbours; the router holds one route per group.
  std::string t1 = Table(1);
  EXPECT_THAT(t1, HasSubstr("via " + lab_->nodes().at(3).ip));
  EXPECT_THAT(t1, Not(HasSubstr("via " + lab_->nodes().at(2).ip)));
  absl::StatusOr<std::string> router = lab_->RouterRoutes();
  ASSERT_TRUE(router.ok()) << router.status();
  EXPECT_EQ(std::count(router->begin(), router->end(), '\n'), 2) << *router;
  ExpectFullMesh();
}

// A packet for an address of a group that no pod holds dies at the group's nodes with an ICMP
// "unreachable" (their unreachable routes for their blocks and group), instead of bouncing
// between the router and the group's gateway node until its TTL runs out.
TEST_F(LabE2eTest, UnallocatedAddressesOfAGroupAreUnreachableNotLooped) {
  Up(4, 1, /*racks=*/2);  // rack 0: nodes 1, 3; rack 1: nodes 2, 4 (one group per rack)
  std::string group_cidr, block_cidr;
  ASSERT_TRUE(lab_->WithRomanad([&](api::Client& c) -> absl::Status {
                     absl::StatusOr<api::List<api::Group>> groups = c.ListGroups();
                     if (!groups.ok()) return groups.status();
                     absl::StatusOr<api::Host> host = c.GetHost(lab_->nodes().at(2).name);
                     if (!host.ok()) return host.status();
                     for (const api::Group& g : groups->items) {
                       auto member = host->groups.find(g.network);  // membership is in the host record
                       if (g.leaf && member != host->groups.end() && member->second == g.path) group_cidr = g.cidr;
                     }
                     absl::StatusOr<api::List<api::Block>> blocks = c.ListBlocks();
                     if (!blocks.ok()) return blocks.status();
                     for (const api::Block& b : blocks->items) {
                       if (b.host == lab_->nodes().at(2).name) block_cidr = b.cidr;
                     }
                     return absl::OkStatus();
                   }).ok());
  ASSERT_FALSE(group_cidr.empty());
  ASSERT_FALSE(block_cidr.empty());
  // The last address of node 2's block (its one pod holds the first) and of the group (no block
  // starts there while each node has one pod).
  const std::string in_block = net::Ipv4Cidr::Parse(block_cidr)->last().ToString();
  const std::string in_group = net::Ipv4Cidr::Parse(group_cidr)->last().ToString();
  const PodInfo& from = *absl::c_find_if(lab_->pods(), [](const PodInfo& p) { return p.node == 1; });
  for (const std::string& target : {in_block, in_group}) {
    absl::StatusOr<std::string> ping = lab_->Exec(from.netns, {"ping", "-c", "1", "-W", "2", target});
    ASSERT_FALSE(ping.ok()) << target << " answered: " << *ping;
    EXPECT_THAT(std::string(ping.status().message()), HasSubstr("Unreachable")) << target;
    EXPECT_THAT(std::string(ping.status().message()), Not(HasSubstr("Time to live exceeded"))) << target;
  }
}

// The router keeps one route per group via a live member: when the gateway node of a group goes
// down (its uplink), the keeper moves the group's route to the other member, and pods on that
// member are reachable across the racks again.
TEST_F(LabE2eTest, RouterMovesAGroupRouteOffANodeThatGoesDown) {
  Up(4, 1, /*racks=*/2);  // rack 0: nodes 1, 3; rack 1: nodes 2, 4 (one group per rack)
  const std::string ip2 = lab_->nodes().at(2).ip, ip4 = lab_->nodes().at(4).ip;
  absl::StatusOr<std::string> before = lab_->RouterRoutes();
  ASSERT_TRUE(before.ok()) << before.status();
  const bool via2 = before->find("via " + ip2 + "\n") != std::string::npos;
  ASSERT_TRUE(via2 || before->find("via " + ip4 + "\n") != std::string::npos) << *before;
  const int down = via2 ? 2 : 4, other = via2 ? 4 : 2;
  ASSERT_TRUE(lab_->Exec(lab_->nodes().at(down).netns, {"ip", "link", "set", "eth0", "down"}).ok());
  std::chrono::milliseconds took = TimeUntil([&] {
    absl::StatusOr<std::string> r = lab_->RouterRoutes();
    return r.ok() && r->find("via " + lab_->nodes().at(other).ip + "\n") != std::string::npos &&
           r->find("via " + lab_->nodes().at(down).ip + "\n") == std::string::npos;
  });
  std::cerr << "router failover: " << took.count() << " ms\n" << lab_->RouterRoutes().value_or("ERROR");
  std::vector<PodInfo> alive;
  for (const PodInfo& p : lab_->pods()) {
    if (p.node == 1 || p.node == other) alive.push_back(p);
  }
  absl::StatusOr<Matrix> m = ProbeConnectivity(alive);
  ASSERT_TRUE(m.ok()) << m.status();
  PrintMatrix(*m, std::cerr);
  EXPECT_TRUE(m->all_ok());
}

TEST_F(LabE2eTest, DeletedPodReleasesItsAddressAndItsRoutesGoEverywhere) {
  Up(3, 1);
  // A pod in another Kubernetes namespace gets a block of its own on node 1.
  absl::StatusOr<PodInfo> pod = lab_->AddPod(1, "lonely", "other");
  ASSERT_TRUE(pod.ok()) << pod.status();
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return Converged(); }, std::chrono::seconds(30)));
  std::string block;
  ASSERT_TRUE(lab_->WithRomanad([&](api::Client& c) -> absl::Status {
    absl::StatusOr<api::Address> a = c.GetAddressByIp(pod->ip);
    if (!a.ok()) return a.status();
    block = a->block;
    return absl::OkStatus();
  }).ok());
  ASSERT_FALSE(block.empty());
  for (int n : {2, 3}) {
    EXPECT_THAT(Table(n), HasSubstr(block));
  }
  EXPECT_THAT(lab_->Exec(lab_->nodes().at(1).netns, {"ip", "route", "show", pod->ip}).value_or(""), HasSubstr(pod->ip));

  ASSERT_TRUE(lab_->DeletePod("lonely").ok());
  absl::Status released = lab_->WithRomanad([&](api::Client& c) { return c.GetAddressByIp(pod->ip).status(); });
  EXPECT_TRUE(absl::IsNotFound(released)) << released;
  auto ms = TimeUntil([&] { return !absl::StrContains(Table(2), block) && !absl::StrContains(Table(3), block); });
  std::cerr << "block route " << block << " gone from the other nodes after " << ms.count() << " ms\n";
  EXPECT_THAT(lab_->Exec(lab_->nodes().at(1).netns, {"ip", "route", "show", pod->ip}).value_or("x"), Not(HasSubstr(pod->ip)));
  EXPECT_TRUE(Converged());
}

TEST_F(LabE2eTest, NodeAddedAndRemovedUpdatesTheOtherNodes) {
  Up(2, 1);
  absl::StatusOr<int> n = lab_->AddNode();
  ASSERT_TRUE(n.ok()) << n.status();
  const std::string ip = lab_->nodes().at(*n).ip;
  absl::StatusOr<PodInfo> pod = lab_->AddPod(*n, "newcomer");
  ASSERT_TRUE(pod.ok()) << pod.status();
  auto added = TimeUntil([&] {
    return absl::StrContains(Table(1), "via " + ip) && absl::StrContains(Table(2), "via " + ip);
  });
  std::cout << "node added: routes to its block on both other nodes after " << added.count() << " ms\n";
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return Converged(); }, std::chrono::seconds(30)));
  ExpectFullMesh();

  ASSERT_TRUE(lab_->RemoveNode(*n).ok());
  auto removed = TimeUntil([&] {
    return !absl::StrContains(Table(1), "via " + ip) && !absl::StrContains(Table(2), "via " + ip);
  });
  std::cout << "node removed: routes via it gone from both other nodes after " << removed.count() << " ms\n";
  EXPECT_TRUE(Converged());
}

TEST_F(LabE2eTest, KilledAgentRestartsToTheSameRoutesAndRules) {
  Up(3, 1);
  const std::string routes = Table(1);
  const std::string rules = lab_->RuleList(1).value_or("ERR");
  ASSERT_THAT(rules, HasSubstr("lookup 10"));
  ASSERT_FALSE(routes.empty());
  ASSERT_TRUE(lab_->StopAgent(1, /*sigkill=*/true).ok());
  // The kernel state stays while the agent is down (no flush on exit or start).
  EXPECT_EQ(Table(1), routes);
  ASSERT_TRUE(lab_->StartAgent(1).ok());
  EXPECT_EQ(Table(1), routes);
  EXPECT_EQ(lab_->RuleList(1).value_or("ERR"), rules);
  ExpectFullMesh();
}

TEST_F(LabE2eTest, StolenRouteIsRestoredAndForeignRoutesAreLeftAlone) {
  Up(2, 1);
  const std::string before = Table(1);
  const std::string dst = before.substr(0, before.find(' '));
  ASSERT_FALSE(dst.empty());
  const std::string ns = lab_->nodes().at(1).netns;
  ASSERT_TRUE(lab_->Exec(ns, {"ip", "route", "add", "10.250.0.0/24", "via", lab_->nodes().at(2).ip, "table", "10"}).ok());
  ASSERT_TRUE(lab_->Exec(ns, {"ip", "route", "del", dst, "table", "10"}).ok());
  ASSERT_NE(Table(1), before);
  auto ms = TimeUntil([&] { return Table(1) == before; });
  std::cerr << "stolen route " << dst << " restored after " << ms.count() << " ms\n";
  // The route someone else added to table 10 (proto boot) is still there.
  EXPECT_THAT(lab_->Exec(ns, {"ip", "route", "show", "table", "10"}).value_or(""), HasSubstr("10.250.0.0/24"));
}

TEST_F(LabE2eTest, RomanadRestartKeepsPodsWorkingAndAgentsResumeTheStream) {
  Up(2, 1);
  ASSERT_TRUE(lab_->StopRomanad().ok());
  ExpectFullMesh();  // the dataplane does not need romanad
  ASSERT_TRUE(lab_->StartRomanad().ok());
  // A change made after the restart reaches the agents through their resumed watch.
  absl::StatusOr<PodInfo> pod = lab_->AddPod(2, "after-restart", "other");
  ASSERT_TRUE(pod.ok()) << pod.status();
  std::string block;
  ASSERT_TRUE(lab_->WithRomanad([&](api::Client& c) -> absl::Status {
    absl::StatusOr<api::Address> a = c.GetAddressByIp(pod->ip);
    if (a.ok()) block = a->block;
    return a.status();
  }).ok());
  auto ms = TimeUntil([&] { return absl::StrContains(Table(1), block); });
  std::cerr << "new block " << block << " reached node-1 " << ms.count() << " ms after the ADD\n";
  ExpectFullMesh();
}

}  // namespace
}  // namespace romana::lab
