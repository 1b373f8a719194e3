// HA: two romanad replicas on a 3-member etcd cluster. 8 clients allocate 2,000 addresses through
// both replicas while the leader replica and an etcd member are killed. Afterwards: no address is
// held twice and every acknowledged allocation is present. Prints the failover time.
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "api/field_error.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "store/testing/etcd_cluster.h"

namespace romana {
namespace {

using testing::RomanadProcess;

constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.30.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["net1"], "map": [{"name": "g1", "groups": []}, {"name": "g2", "groups": []}]}]})";

// Replicas serve HTTPS (scripts/gen-certs in `pki`): a follower forwards a client's token only to
// a leader whose certificate it verifies (--leader-ca-file).
absl::StatusOr<std::unique_ptr<RomanadProcess>> StartReplica(const std::string& endpoints, const std::string& pki) {
  const int port = testing::FreeLoopbackPort();
  return RomanadProcess::Start({.topology_json = kTopology,
                                .token = "ha-token",
                                .tls_dir = pki,
                                .port = port,
                                .extra_args = {"--etcd-endpoints=" + endpoints,
                                               absl::StrCat("--advertise-url=https://127.0.0.1:", port),
                                               "--leader-ca-file=" + pki + "/ca.crt", "--lease-ttl=2"},
                                .ready_timeout = std::chrono::seconds(60)});
}

bool IsLeader(RomanadProcess& p) {
  auto r = p.client().Do("GET", "/readyz");
  return r.ok() && r->status == 200 && nlohmann::json::parse(r->body).value("leader", false);
}

TEST(HaTest, FailoverLosesNothingAndDuplicatesNothing) {
  auto cluster = store::testing::EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  std::string endpoints;
  for (const std::string& e : (*cluster)->ClientEndpoints()) absl::StrAppend(&endpoints, endpoints.empty() ? "" : ",", "http://", e);

  testing::TempDir pki;
  ASSERT_TRUE(testing::GenerateCerts(pki.path().string()).ok());
  std::vector<std::unique_ptr<RomanadProcess>> replicas;
  for (int i = 0; i < 2; ++i) {
    auto r = StartReplica(endpoints, pki.path().string());
    ASSERT_TRUE(r.ok()) << r.status();
    replicas.push_back(*std::move(r));
  }
  int leader = -1;
  ASSERT_TRUE(testing::WaitUntil([&] {
    for (int i = 0; i < 2; ++i) if (IsLeader(*replicas[i])) leader = i;
    return leader >= 0;
  }, std::chrono::seconds(30)));
  ASSERT_FALSE(IsLeader(*replicas[1 - leader]));
  for (int h = 0; h < 4; ++h) {
    auto added = replicas[1 - leader]->client().AddHost({absl::StrCat("node-", h), absl::StrCat("192.168.90.", h + 1), {}});
    ASSERT_TRUE(added.ok()) << added.status();  // through the follower: forwarded
  }
  {  // NetworkPolicy writes are forwarded too, answers (201, 400 with the field) included.
    api::Client& follower = replicas[1 - leader]->client();
    const nlohmann::json np = {{"spec", {{"podSelector", nlohmann::json::object()}}}};
    absl::StatusOr<bool> created = follower.PutNetworkPolicy("ha", "deny-all", np);
    ASSERT_TRUE(created.ok()) << created.status();
    EXPECT_TRUE(*created);
    EXPECT_TRUE(replicas[leader]->client().GetNetworkPolicy("ha", "deny-all").ok());
    absl::StatusOr<bool> bad = follower.PutNetworkPolicy("ha", "bad", {{"spec", {{"policyTypes", {"Both"}}}}});
    EXPECT_EQ(api::FieldOf(bad.status()), "spec.policyTypes[0]") << bad.status();
    EXPECT_TRUE(follower.DeleteNetworkPolicy("ha", "deny-all").ok());
  }

  std::vector<std::unique_ptr<api::Client>> clients;
  for (auto& r : replicas) {
    clients.push_back(*api::Client::Create(
        {.server = r->url(), .token = "ha-token", .ca_file = pki.File("ca.crt"), .timeout = std::chrono::seconds(5)}));
  }
  constexpr int kClients = 8;
  constexpr int kPerClient = 250;
  std::mutex mu;
  std::map<std::string, std::string> acknowledged;  // name -> ip
  std::atomic<int> done{0};
  std::atomic<int> retries{0};
  std::atomic<int64_t> kill_time_ns{0};
  std::atomic<int64_t> first_after_kill_ns{0};
  std::atomic<bool> failed{false};
  auto now_ns = [] { return std::chrono::steady_clock::now().time_since_epoch().count(); };
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      for (int j = 0; j < kPerClient && !failed; ++j) {
        const std::string name = absl::StrCat("pod-", c, "-", j, ":eth0");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        for (int attempt = 0;; ++attempt) {
          api::Client& cl = *clients[(c + j + attempt) % 2];
          auto a = cl.AllocateAddress({name, absl::StrCat("node-", (c + j) % 4), "default", "default"});
          if (a.ok()) {
            std::lock_guard lock(mu);
            acknowledged[name] = a->address.ip;
            if (kill_time_ns != 0 && first_after_kill_ns == 0) first_after_kill_ns = now_ns();
            break;
          }
          const auto code = a.status().code();
          if ((code != absl::StatusCode::kUnavailable && code != absl::StatusCode::kDeadlineExceeded &&
               code != absl::StatusCode::kAborted) ||
              std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << name << ": " << a.status();
            failed = true;
            return;
          }
          ++retries;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ++done;
      }
    });
  }
  // Kill the leader replica and the etcd leader once a quarter of the work is done.
  ASSERT_TRUE(testing::WaitUntil([&] { return done >= kClients * kPerClient / 4 || failed; }, std::chrono::seconds(120)));
  absl::StatusOr<int> etcd_leader = (*cluster)->LeaderIndex();
  ASSERT_TRUE(etcd_leader.ok()) << etcd_leader.status();
  {
    std::lock_guard lock(mu);  // no acknowledgement is in flight while we note the time
    kill_time_ns = now_ns();
  }
  replicas[leader]->Kill();
  ASSERT_TRUE((*cluster)->Kill(*etcd_leader).ok());
  const int before_kill = done;
  // Failover time: from the kills until the surviving replica leads.
  int64_t new_leader_ns = 0;
  EXPECT_TRUE(testing::WaitUntil([&] { return IsLeader(*replicas[1 - leader]); }, std::chrono::seconds(60)));
  new_leader_ns = now_ns();
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);

  std::printf("HA failover: %d allocations done before the kill; the surviving replica led %.0f ms after the leader "
              "replica and the etcd leader were killed (lease TTL 2 s); %d client retries in total\n",
              before_kill, (new_leader_ns - kill_time_ns) / 1e6, retries.load());
  (void)first_after_kill_ns;

  // The survivor leads now and has every acknowledged allocation, each address once.
  RomanadProcess& survivor = *replicas[1 - leader];
  EXPECT_TRUE(testing::WaitUntil([&] { return IsLeader(survivor); }, std::chrono::seconds(30)));
  auto all = survivor.client().ListAddresses();
  ASSERT_TRUE(all.ok()) << all.status();
  std::map<std::string, std::string> by_ip;
  for (const api::Address& a : all->items) {
    auto [it, inserted] = by_ip.emplace(a.ip, a.name);
    EXPECT_TRUE(inserted) << "address " << a.ip << " held by " << it->second << " and " << a.name;
  }
  std::map<std::string, std::string> stored;
  for (const api::Address& a : all->items) stored[a.name] = a.ip;
  EXPECT_EQ(acknowledged.size(), static_cast<size_t>(kClients * kPerClient));
  for (const auto& [name, ip] : acknowledged) {
    auto it = stored.find(name);
    ASSERT_NE(it, stored.end()) << "acknowledged " << name << " is missing";
    EXPECT_EQ(it->second, ip) << name;
  }
  // The stored blocks agree with the addresses.
  auto blocks = survivor.client().ListBlocks();
  ASSERT_TRUE(blocks.ok());
  int64_t allocated = 0;
  for (const api::Block& b : blocks->items) allocated += b.allocated;
  EXPECT_EQ(allocated, static_cast<int64_t>(all->items.size()));
}

}  // namespace
}  // namespace romana
