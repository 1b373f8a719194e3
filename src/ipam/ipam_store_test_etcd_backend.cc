// The backend of ipam_store_etcd_test: EtcdStore on one real etcd that the whole binary shares
// (ipam_store_test_fixture.h).
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ipam/ipam_store_test_fixture.h"
#include "store/etcd_store.h"
#include "store/testing/etcd_cluster.h"

namespace romana::ipam {
namespace {

store::testing::EtcdCluster* SharedEtcd() {
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
const auto* const kEtcdEnv = ::testing::AddGlobalTestEnvironment(new EtcdEnv);

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
    static int n = 0;  // one counter for every test of the binary: each has its own keys
    return "/ipam-test-" + std::to_string(++n);
  }

 private:
  std::unique_ptr<store::Store> store_;
};

}  // namespace

std::vector<std::string> BackendNames() { return {"Etcd"}; }

std::unique_ptr<Backend> MakeBackend(const std::string&) { return std::make_unique<EtcdBackend>(); }

}  // namespace romana::ipam
