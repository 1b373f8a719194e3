// ipam_store_test_fixture.h: the store backends the IpamStore tests run on (MemoryStore and
// SqliteStore; EtcdStore against a real etcd when ROMANA_IPAM_STORE_ETCD is defined) and the
// parameterised fixture shared by ipam_store_test.cc and ipam_store_layout_test.cc.
#ifndef ROMANA_IPAM_IPAM_STORE_TEST_FIXTURE_H_
#define ROMANA_IPAM_IPAM_STORE_TEST_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/ipam_store.h"
#include "store/store.h"
#ifdef ROMANA_IPAM_STORE_ETCD
#include "store/etcd_store.h"
#include "store/testing/etcd_cluster.h"
#else
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#endif

namespace romana::ipam {

// One backend: hands out a store, and can "restart" it (reopen the same data).
class Backend {
 public:
  virtual ~Backend() = default;
  virtual store::Store& store() = 0;
  virtual void Restart() = 0;
  virtual std::string prefix() = 0;  // unique per test (etcd is shared by the whole binary)
};

#ifdef ROMANA_IPAM_STORE_ETCD
inline store::testing::EtcdCluster* SharedEtcd() {
  static store::testing::EtcdCluster* cluster = [] {
    absl::StatusOr<std::unique_ptr<store::testing::EtcdCluster>> c = store::testing::EtcdCluster::Start();
    if (!c.ok()) {
      ADD_FAILURE() << c.status();
      return static_cast<store::testing::EtcdCluster*>(nullptr);
    }
    return c->release();
  }();
  return cluster;
}

class EtcdEnv : public ::testing::Environment {
 public:
  void TearDown() override { delete SharedEtcd(); }
};
inline const auto* const kEtcdEnv = ::testing::AddGlobalTestEnvironment(new EtcdEnv);

class EtcdBackend : public Backend {
 public:
  EtcdBackend() { Restart(); }
  store::Store& store() override { return *store_; }
  void Restart() override {
    store_.reset();
    auto s = store::EtcdStore::Create({.endpoints = SharedEtcd()->ClientEndpoints()});
    EXPECT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  std::string prefix() override {
    static int n = 0;  // inline function's static: one counter for every test file
    return "/ipam-test-" + std::to_string(++n);
  }

 private:
  std::unique_ptr<store::Store> store_;
};
inline std::vector<std::string> BackendNames() { return {"Etcd"}; }
inline std::unique_ptr<Backend> MakeBackend(const std::string&) { return std::make_unique<EtcdBackend>(); }
#else
class MemoryBackend : public Backend {
 public:
  MemoryBackend() : store_(store::MemoryStore::Create(clock_)) {}
  store::Store& store() override { return *store_; }
  void Restart() override {}  // the data lives in the object
  std::string prefix() override { return "/romana"; }

 private:
  base::FakeClock clock_;
  std::unique_ptr<store::MemoryStore> store_;
};

class SqliteBackend : public Backend {
 public:
  SqliteBackend() { Restart(); }
  store::Store& store() override { return *store_; }
  void Restart() override {
    store_.reset();  // closes the file
    auto s = store::SqliteStore::Create({.path = dir_.File("romana.db")}, clock_);
    EXPECT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  std::string prefix() override { return "/romana"; }

 private:
  romana::testing::TempDir dir_;
  base::FakeClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
};
inline std::vector<std::string> BackendNames() { return {"Memory", "Sqlite"}; }
inline std::unique_ptr<Backend> MakeBackend(const std::string& name) {
  if (name == "Memory") return std::make_unique<MemoryBackend>();
  return std::make_unique<SqliteBackend>();
}
#endif

class IpamStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = MakeBackend(GetParam());
    prefix_ = backend_->prefix();
  }
  std::unique_ptr<IpamStore> Open() {
    absl::StatusOr<std::unique_ptr<IpamStore>> s = IpamStore::Open(backend_->store(), {.prefix = prefix_});
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }
  // A writer whose extra fence compare fails: the leader key names someone else.
  std::unique_ptr<IpamStore> OpenDeposed() {
    const std::string leader_key = prefix_ + "/leader";
    EXPECT_TRUE(backend_->store().Put(leader_key, "someone-else").ok());
    absl::StatusOr<std::unique_ptr<IpamStore>> s = IpamStore::Open(
        backend_->store(), {.prefix = prefix_, .fence = [leader_key] {
                              return std::vector<store::Compare>{store::Compare::ValueEquals(leader_key, "me")};
                            }});
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }
  // Every key under the prefix with its value.
  std::map<std::string, std::string> StoredKeys() {
    absl::StatusOr<store::RangeResult> r = backend_->store().Range({.prefix = prefix_ + "/"});
    EXPECT_TRUE(r.ok()) << r.status();
    std::map<std::string, std::string> out;
    for (const auto& kv : r->kvs) out[kv.key] = kv.value;
    return out;
  }
  // What the store must hold for `ipam`: its records (plus the fence key).
  std::map<std::string, std::string> ExpectedKeys(const Ipam& ipam) {
    IpamKeys keys(prefix_);
    std::map<std::string, std::string> out;
    for (const store::Op& op : ChangeToOps(ipam.AllRecords(), keys)) out[op.key] = op.value;
    return out;
  }
  std::unique_ptr<Backend> backend_;
  std::string prefix_;
};

}  // namespace romana::ipam

#endif  // ROMANA_IPAM_IPAM_STORE_TEST_FIXTURE_H_
