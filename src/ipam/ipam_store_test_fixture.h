// ipam_store_test_fixture.h: the store backend interface the IpamStore tests run on (MemoryStore
// and SqliteStore in ipam_store_test; EtcdStore against a real etcd in ipam_store_etcd_test) and
// the parameterised fixture shared by ipam_store_test.cc and ipam_store_layout_test.cc.
#ifndef ROMANA_IPAM_IPAM_STORE_TEST_FIXTURE_H_
#define ROMANA_IPAM_IPAM_STORE_TEST_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/ipam_store.h"
#include "store/store.h"

namespace romana::ipam {

// One backend: hands out a store, and can "restart" it (reopen the same data).
class Backend {
 public:
  virtual ~Backend() = default;
  virtual store::Store& store() = 0;
  virtual void Restart() = 0;
  virtual std::string prefix() = 0;  // unique per test (etcd is shared by the whole binary)
};

// The backends of this binary, defined by the file it links besides the test cases (compiled
// once for both binaries): ipam_store_test_backends.cc (Memory, Sqlite) or
// ipam_store_test_etcd_backend.cc (Etcd, a real etcd shared by the binary).
std::vector<std::string> BackendNames();
std::unique_ptr<Backend> MakeBackend(const std::string& name);

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
