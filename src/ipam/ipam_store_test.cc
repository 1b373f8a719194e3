// IpamStore on real store backends: MemoryStore and SqliteStore (ipam_store_test), EtcdStore
// against a real etcd (ipam_store_etcd_test: the same compiled test cases). Random operation sequences
// are persisted, then reloaded by a second IpamStore (for SQLite: after closing and reopening
// the file) and compared record by record; the store holds exactly the records of the state.
#include <map>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/builtin.h"
#include "ipam/expect_same_state.h"
#include "ipam/ipam_store_test_fixture.h"
#include "store/forwarding_store.h"

namespace romana::ipam {
namespace {

using ::testing::HasSubstr;

TEST_P(IpamStoreTest, RandomOperationsReloadToTheSameState) {
  std::unique_ptr<IpamStore> s = Open();
  ASSERT_TRUE(s);
  absl::StatusOr<TopologySpec> spec = ParseTopology(R"({"networks":[
      {"name":"n","cidr":"10.0.0.0/23","block_mask":29},{"name":"t","cidr":"10.9.0.0/26","block_mask":30,"tenants":["ns1"]}],
    "topologies":[{"networks":["n"],"map":[{"name":"a","assignment":{"rack":"0"}},{"name":"b"},{"name":"c","groups":[
      {"name":"c1"},{"name":"c2"},{"name":"static","groups":[{"name":"s1","ip":"192.168.9.1"}]}]}]},
      {"networks":["t"],"map":[{"name":"all"}]}]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_TRUE(s->SetTopology(*spec).ok());
  std::mt19937 rng(GetParam() == "Etcd" ? 11 : 5);
  int hosts = 0;
  const int steps = GetParam() == "Etcd" ? 300 : 600;
  for (int step = 0; step < steps; ++step) {
    int op = rng() % 100;
    std::vector<HostRecord> hs = s->ipam().Hosts();
    std::string host = hs.empty() ? "none" : hs[rng() % hs.size()].name;
    if (op < 6) {
      ++hosts;
      (void)s->AddHost({"h" + std::to_string(hosts), net::Ipv4Address(0xC0A80100u + hosts),
                        {{"rack", std::to_string(rng() % 2)}}});
    } else if (op < 8) {
      (void)s->RemoveHost(host);
    } else if (op < 9) {
      (void)s->SetHostLabels(host, {{"rack", "0"}, {"extra", std::to_string(step)}});
    } else if (op < 60) {
      (void)s->Allocate({"addr" + std::to_string(rng() % 300), host, "ns" + std::to_string(rng() % 2), ""});
    } else if (op < 97) {
      (void)s->Release("addr" + std::to_string(rng() % 300));
    } else {
      net::Ipv4Cidr r = net::Ipv4Cidr::Containing(net::Ipv4Address(0x0A000000u + rng() % 512), 29 + rng() % 4);
      (void)(rng() % 2 ? s->Reserve("n", r) : s->Unreserve("n", r));
    }
    if (step % 100 == 99 || step == steps - 1) {
      ASSERT_EQ(StoredKeys().size(), ExpectedKeys(s->ipam()).size() + 1) << "step " << step;  // + fence
      std::map<std::string, std::string> stored = StoredKeys();
      for (const auto& [k, v] : ExpectedKeys(s->ipam())) {
        ASSERT_EQ(stored[k], v) << k;
      }
      backend_->Restart();
      s = Open();  // the old object referenced the old store
      ASSERT_TRUE(s);
      std::unique_ptr<IpamStore> other = Open();
      ASSERT_TRUE(other);
      testing::ExpectSameState(s->ipam(), other->ipam());
    }
  }
  EXPECT_GT(s->ipam().address_count(), 0u);
  EXPECT_GT(s->ipam().host_count(), 2u);
}

TEST_P(IpamStoreTest, ConcurrentWritersNeverOverwriteEachOther) {
  std::unique_ptr<IpamStore> a = Open();
  ASSERT_TRUE(a->SetTopology(KubeadmTopology()).ok());
  ASSERT_TRUE(a->AddHost({"node", *net::Ipv4Address::Parse("192.168.0.1"), {}}).ok());
  std::unique_ptr<IpamStore> b = Open();  // sees the host
  ASSERT_TRUE(a->Allocate({"x", "node", "default", ""}).ok());
  // b's in-memory state is stale: its first write loses the fence, it reloads and re-plans.
  absl::StatusOr<AllocateResult> y = b->Allocate({"y", "node", "default", ""});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->address.ip.ToString(), "10.112.0.1");
  EXPECT_EQ(a->Allocate({"z", "node", "default", ""})->address.ip.ToString(), "10.112.0.2");
  std::unique_ptr<IpamStore> c = Open();
  EXPECT_EQ(c->ipam().address_count(), 3u);
}

TEST_P(IpamStoreTest, IdempotentRepeatWritesNothingAndFenceRefusesDeposedWriters) {
  std::unique_ptr<IpamStore> s = Open();
  ASSERT_TRUE(s->SetTopology(KubeadmTopology()).ok());
  ASSERT_TRUE(s->SetTopology(KubeadmTopology()).ok());
  ASSERT_TRUE(s->AddHost({"node", *net::Ipv4Address::Parse("192.168.0.1"), {}}).ok());
  ASSERT_TRUE(s->Allocate({"x", "node", "", ""}).ok());
  int64_t before = s->transactions();
  absl::StatusOr<AllocateResult> again = s->Allocate({"x", "node", "", ""});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(s->transactions(), before);  // no write for a repeat
  // A writer whose extra fence compare fails (it lost leadership) writes nothing.
  std::unique_ptr<IpamStore> deposed = OpenDeposed();
  ASSERT_TRUE(deposed);
  absl::StatusOr<AllocateResult> r = deposed->Allocate({"y", "node", "", ""});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("not the leader"));
  EXPECT_FALSE(deposed->ipam().GetAddress("y").has_value());
  EXPECT_FALSE(Open()->ipam().GetAddress("y").has_value());
}

TEST_P(IpamStoreTest, StoredValuesAreTheApiObjects) {
  std::unique_ptr<IpamStore> s = Open();
  ASSERT_TRUE(s->SetTopology(KubeadmTopology()).ok());
  ASSERT_TRUE(s->AddHost({"node-1", *net::Ipv4Address::Parse("192.168.99.10"), {{"rack", "r1"}}}).ok());
  ASSERT_TRUE(s->Allocate({"c1:eth0", "node-1", "default", ""}).ok());
  std::map<std::string, std::string> kv = StoredKeys();
  EXPECT_EQ(kv[prefix_ + "/networks/romana-network"],
            R"({"name":"romana-network","cidr":"10.112.0.0/12","block_mask":29,"tenants":[],"reserved":[]})");
  EXPECT_EQ(kv[prefix_ + "/groups/romana-network/0"],
            R"({"network":"romana-network","path":"/0","name":"host-group-01","cidr":"10.112.0.0/15",)"
            R"("assignment":{},"leaf":true,"padding":false})");
  EXPECT_EQ(kv[prefix_ + "/hosts/node-1"],
            R"({"name":"node-1","ip":"192.168.99.10","labels":{"rack":"r1"},"groups":{"romana-network":"/0"},)"
            R"("static":false})");
  EXPECT_EQ(kv[prefix_ + "/blocks/romana-network/10.112.0.0-29"],
            R"({"network":"romana-network","cidr":"10.112.0.0/29","group":"/0","host":"node-1",)"
            R"("owner":"default:default","allocated":1,"free":["10.112.0.1-10.112.0.7"]})");
  EXPECT_EQ(kv[prefix_ + "/addresses/c1:eth0"],
            R"({"name":"c1:eth0","ip":"10.112.0.0","host":"node-1","network":"romana-network",)"
            R"("block":"10.112.0.0/29","namespace":"default","segment":"default"})");
  EXPECT_TRUE(kv.contains(prefix_ + "/topology"));
}

TEST_P(IpamStoreTest, CorruptStoredDataIsReportedNotGuessed) {
  std::unique_ptr<IpamStore> s = Open();
  ASSERT_TRUE(s->SetTopology(KubeadmTopology()).ok());
  ASSERT_TRUE(s->AddHost({"node", *net::Ipv4Address::Parse("192.168.0.1"), {}}).ok());
  ASSERT_TRUE(s->Allocate({"x", "node", "", ""}).ok());
  // An address record whose block does not list it as taken.
  ASSERT_TRUE(backend_->store().Put(prefix_ + "/addresses/bogus",
                                    R"({"name":"bogus","ip":"10.112.0.5","host":"node","network":"romana-network",)"
                                    R"("block":"10.112.0.0/29","namespace":"default","segment":"default"})").ok());
  absl::StatusOr<std::unique_ptr<IpamStore>> r = IpamStore::Open(backend_->store(), {.prefix = prefix_});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  ASSERT_TRUE(backend_->store().Put(prefix_ + "/addresses/bogus", "not json").ok());
  r = IpamStore::Open(backend_->store(), {.prefix = prefix_});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("/addresses/bogus"));
}

// A Store that passes calls through to another and fails every Commit after `budget` of them
// (as if romanad died between transactions).
class CrashingStore final : public store::ForwardingStore {
 public:
  CrashingStore(store::Store& inner, int budget) : store::ForwardingStore(inner), budget_(budget) {}
  absl::StatusOr<store::TxnResult> Commit(const store::Txn& txn) override {
    if (budget_-- <= 0) return absl::UnavailableError("crashed");
    return inner().Commit(txn);
  }

 private:
  int budget_;
};

// Removing a host with 140 addresses touches ~170 keys, more than etcd allows in one
// transaction: it goes through the journal. Interrupted at every step, a reload shows either
// the old state or the new one, never a mix.
TEST_P(IpamStoreTest, ChangesLargerThanATransactionAreAllOrNothing) {
  std::unique_ptr<IpamStore> s = Open();
  ASSERT_TRUE(s->SetTopology(KubeadmTopology()).ok());
  ASSERT_TRUE(s->AddHost({"big", *net::Ipv4Address::Parse("192.168.0.1"), {}}).ok());
  ASSERT_TRUE(s->AddHost({"small", *net::Ipv4Address::Parse("192.168.0.2"), {}}).ok());
  for (int i = 0; i < 140; ++i) {
    ASSERT_TRUE(s->Allocate({"a" + std::to_string(i), "big", "ns" + std::to_string(i % 5), ""}).ok());
  }
  ASSERT_TRUE(s->Allocate({"keep", "small", "", ""}).ok());
  Ipam before = s->ipam();
  Ipam after = before;
  ASSERT_TRUE(after.RemoveHost("big").ok());
  bool saw_old = false, saw_new = false;
  for (int budget = 0; budget < 8; ++budget) {
    // Start each round from the old state.
    {
      std::unique_ptr<IpamStore> reset = Open();
      if (!reset->ipam().GetHost("big")) {
        ASSERT_TRUE(reset->AddHost({"big", *net::Ipv4Address::Parse("192.168.0.1"), {}}).ok());
        for (int i = 0; i < 140; ++i) {
          ASSERT_TRUE(reset->Allocate({"a" + std::to_string(i), "big", "ns" + std::to_string(i % 5), ""}).ok());
        }
      }
      testing::ExpectSameState(reset->ipam(), before);
    }
    CrashingStore crashing(backend_->store(), budget);
    absl::StatusOr<std::unique_ptr<IpamStore>> victim = IpamStore::Open(crashing, {.prefix = prefix_});
    ASSERT_TRUE(victim.ok());
    absl::StatusOr<HostRecord> removed = (*victim)->RemoveHost("big");
    std::unique_ptr<IpamStore> reloaded = Open();  // rolls a committed journal forward
    ASSERT_TRUE(reloaded);
    if (reloaded->ipam().GetHost("big").has_value()) {
      testing::ExpectSameState(reloaded->ipam(), before);
      EXPECT_FALSE(removed.ok());
      saw_old = true;
    } else {
      testing::ExpectSameState(reloaded->ipam(), after);
      saw_new = true;
    }
    // No journal keys are left behind after a load.
    for (const auto& [k, v] : StoredKeys()) EXPECT_EQ(k.find("/ipam/journal/"), std::string::npos) << k;
  }
  EXPECT_TRUE(saw_old);
  EXPECT_TRUE(saw_new);
  // Without a crash it simply works, and the addresses are gone.
  std::unique_ptr<IpamStore> last = Open();
  if (last->ipam().GetHost("big")) {
    ASSERT_TRUE(last->RemoveHost("big").ok());
  }
  EXPECT_EQ(Open()->ipam().address_count(), 1u);
}

// Group commit: the changes of a batch are planned one after the other and written in one
// transaction; a plan that fails is answered alone; keys changed by several plans (the block
// both addresses come from) are written once.
TEST_P(IpamStoreTest, BatchCommitsAllChangesInOneTransaction) {
  std::unique_ptr<IpamStore> s = Open();
  ASSERT_TRUE(s->SetTopology(KubeadmTopology()).ok());
  ASSERT_TRUE(s->AddHost({"node", *net::Ipv4Address::Parse("192.168.0.1"), {}}).ok());
  ASSERT_TRUE(s->Allocate({"kept", "node", "", ""}).ok());
  const int64_t before = s->transactions();
  std::vector<std::string> ips(4);
  auto allocate = [&](const std::string& name, const std::string& host, size_t slot) -> IpamStore::Plan {
    return [&, name, host, slot](const Ipam& state) -> absl::StatusOr<Change> {
      absl::StatusOr<Planned<AllocateResult>> p = state.PlanAllocate({name, host, "", ""});
      if (!p.ok()) return p.status();
      ips[slot] = p->result.address.ip.ToString();
      return p->change;
    };
  };
  std::vector<absl::Status> st = s->MutateBatch({allocate("a", "node", 0), allocate("b", "nowhere", 1),
                                                 allocate("c", "node", 2), allocate("kept", "node", 3)});
  ASSERT_EQ(st.size(), 4u);
  EXPECT_TRUE(st[0].ok()) << st[0];
  EXPECT_EQ(st[1].code(), absl::StatusCode::kNotFound) << st[1];
  EXPECT_TRUE(st[2].ok()) << st[2];
  EXPECT_TRUE(st[3].ok()) << st[3];  // an idempotent repeat in a batch
  EXPECT_EQ(s->transactions(), before + 1);
  EXPECT_EQ(ips[0], "10.112.0.1");
  EXPECT_EQ(ips[2], "10.112.0.2");  // planned after "a"
  EXPECT_EQ(ips[3], "10.112.0.0");
  std::unique_ptr<IpamStore> reloaded = Open();
  testing::ExpectSameState(reloaded->ipam(), s->ipam());
  EXPECT_EQ(reloaded->ipam().address_count(), 3u);
}

// A batch that loses the fence to another writer is re-planned as a whole on the new state; a
// batch whose write is refused leaves the memory as the store is (nothing of it applied).
TEST_P(IpamStoreTest, BatchIsReplannedAfterALostFenceAndUndoneWhenRefused) {
  std::unique_ptr<IpamStore> a = Open();
  ASSERT_TRUE(a->SetTopology(KubeadmTopology()).ok());
  ASSERT_TRUE(a->AddHost({"node", *net::Ipv4Address::Parse("192.168.0.1"), {}}).ok());
  std::unique_ptr<IpamStore> b = Open();
  ASSERT_TRUE(b->Allocate({"from-b", "node", "", ""}).ok());  // a is now stale
  int calls = 0;
  auto plan = [&](const std::string& name) -> IpamStore::Plan {
    return [&, name](const Ipam& state) -> absl::StatusOr<Change> {
      ++calls;
      absl::StatusOr<Planned<AllocateResult>> p = state.PlanAllocate({name, "node", "", ""});
      if (!p.ok()) return p.status();
      return p->change;
    };
  };
  std::vector<absl::Status> st = a->MutateBatch({plan("x"), plan("y")});
  EXPECT_TRUE(st[0].ok() && st[1].ok()) << st[0] << st[1];
  EXPECT_EQ(calls, 4);  // planned, lost the fence, re-planned on the reloaded state
  EXPECT_EQ(Open()->ipam().address_count(), 3u);
  testing::ExpectSameState(Open()->ipam(), a->ipam());

  std::unique_ptr<IpamStore> deposed = OpenDeposed();
  ASSERT_TRUE(deposed);
  st = deposed->MutateBatch({plan("p"), plan("q")});
  EXPECT_EQ(st[0].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(st[1].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(deposed->ipam().GetAddress("p").has_value());
  EXPECT_FALSE(deposed->ipam().GetAddress("q").has_value());
  testing::ExpectSameState(deposed->ipam(), Open()->ipam());
}

INSTANTIATE_TEST_SUITE_P(Backends, IpamStoreTest, ::testing::ValuesIn(BackendNames()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace romana::ipam
