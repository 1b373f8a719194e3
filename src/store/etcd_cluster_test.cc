// EtcdStore against a real 3-member etcd cluster: the leader is SIGKILLed in the middle of a
// stream of transactions; no acknowledged write may be lost and the client carries on.
// Label: integration.
#include <signal.h>

#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "store/etcd_store.h"
#include "store/testing/etcd_cluster.h"

namespace romana::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(EtcdClusterTest, KillingTheLeaderLosesNoAcknowledgedWrite) {
  auto cluster = testing::EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  absl::StatusOr<int> leader = (*cluster)->LeaderIndex();
  ASSERT_TRUE(leader.ok()) << leader.status();
  // Put the leader first so that the client is talking to it when it dies.
  std::vector<std::string> endpoints = {(*cluster)->ClientEndpoint(*leader)};
  for (int i = 0; i < 3; ++i) {
    if (i != *leader) endpoints.push_back((*cluster)->ClientEndpoint(i));
  }
  auto store = EtcdStore::Create({.endpoints = endpoints, .request_timeout = seconds(3)});
  ASSERT_TRUE(store.ok());
  auto watcher = (*store)->Watch("/ha/", 0);
  ASSERT_TRUE(watcher.ok()) << watcher.status();

  // Transaction n puts /ha/<n>/a and /ha/<n>/b if /ha/<n>/a is absent; the writer retries a
  // transaction until it knows its outcome.
  std::map<int, Revision> acked;
  std::atomic<int> written{0};
  std::atomic<bool> stop{false};
  int unknown = 0, retried = 0;
  std::thread writer([&] {
    for (int n = 0; !stop.load(); ++n) {
      const std::string a = absl::StrCat("/ha/", n, "/a"), b = absl::StrCat("/ha/", n, "/b");
      while (true) {
        absl::StatusOr<TxnResult> r = (*store)->Commit(
            {.compares = {Compare::Absent(a)},
             .success = {Op::Put(a, std::to_string(n)), Op::Put(b, std::to_string(n))}});
        if (r.ok()) {
          // succeeded == false means an earlier ambiguous attempt had landed.
          if (r->succeeded) acked[n] = r->revision;
          break;
        }
        if (r.status().code() == absl::StatusCode::kDeadlineExceeded) ++unknown;
        else ++retried;
        std::this_thread::sleep_for(milliseconds(20));  // pacing of retries, not a wait
      }
      written = n + 1;
    }
  });
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return written.load() >= 50; }, seconds(60)));
  const pid_t leader_pid = (*cluster)->pid(*leader);
  ASSERT_TRUE((*cluster)->Kill(*leader, SIGKILL).ok());
  const int at_kill = written.load();
  EXPECT_FALSE((*cluster)->Running(*leader)) << "pid " << leader_pid;
  // The client carries on: new writes succeed after the kill.
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return written.load() >= at_kill + 50; },
                                         seconds(60)))
      << "the client did not carry on after the leader died";
  stop = true;
  writer.join();

  absl::StatusOr<int> new_leader = (*cluster)->LeaderIndex();
  ASSERT_TRUE(new_leader.ok()) << new_leader.status();
  EXPECT_NE(*new_leader, *leader);
  absl::StatusOr<RangeResult> all = (*store)->Range({.prefix = "/ha/"});
  ASSERT_TRUE(all.ok()) << all.status();
  std::map<int, int> parts;
  for (const KeyValue& kv : all->kvs) ++parts[std::stoi(kv.key.substr(4))];
  for (const auto& [n, revision] : acked) {
    ASSERT_EQ(parts[n], 2) << "acknowledged txn " << n << " (revision " << revision << ") lost";
  }
  for (const auto& [n, count] : parts) EXPECT_EQ(count, 2) << "txn " << n << " is partial";
  EXPECT_EQ(parts.size(), static_cast<size_t>(written.load()))
      << "every transaction was eventually applied exactly once";
  // The watcher (first connected to the dead leader) moved on and saw every write in order.
  std::map<int, int> seen;
  Revision last = 0;
  ASSERT_TRUE(romana::testing::WaitUntil([&] {
    auto batch = (*watcher)->Next(milliseconds(200));
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) return true;
    for (const Event& e : *batch) {
      EXPECT_GE(e.kv.mod_revision, last);
      last = e.kv.mod_revision;
      ++seen[std::stoi(e.kv.key.substr(4))];
    }
    return seen.size() >= parts.size();
  }, seconds(60)));
  EXPECT_EQ(seen, parts);
  std::printf("txns: %d, acknowledged: %zu, ambiguous answers: %d, retried: %d\n", written.load(),
              acked.size(), unknown, retried);
}

}  // namespace
}  // namespace romana::store
