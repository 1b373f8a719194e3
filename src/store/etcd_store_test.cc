// EtcdStore against a real etcd (one member, shared by every test of this binary; each test
// gets its own key prefix, emptied first). Label: integration.
#include "store/etcd_store.h"

#include <signal.h>

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/testing/etcd_cluster.h"
#include "store/testing/store_conformance.h"

namespace romana::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

// The one etcd of this test binary, started on first use and stopped at exit.
testing::EtcdCluster& SharedEtcd() {
  static testing::EtcdCluster* cluster = [] {
    auto started = testing::EtcdCluster::Start({.members = 1});
    if (!started.ok()) {
      std::fprintf(stderr, "cannot start etcd: %s\n", started.status().ToString().c_str());
      std::abort();
    }
    static std::unique_ptr<testing::EtcdCluster> owner = *std::move(started);
    return owner.get();
  }();
  return *cluster;
}

class EtcdHarness : public testing::StoreHarness {
 public:
  EtcdHarness() {
    static int counter = 0;
    prefix_ = absl::StrCat("/conformance/", ++counter, "/");
    auto store = EtcdStore::Create({.endpoints = SharedEtcd().ClientEndpoints()});
    if (!store.ok()) ADD_FAILURE() << store.status();
    if (!store.ok()) return;
    store_ = *std::move(store);
    auto cleared = store_->Commit({.success = {Op::DeletePrefix(prefix_)}});
    if (!cleared.ok()) ADD_FAILURE() << cleared.status();
  }
  Store& store() override { return *store_; }
  std::string prefix() override { return prefix_; }
  // etcd's leases run on real time: let it pass.
  void PassLeaseTime(milliseconds d) override { std::this_thread::sleep_for(d); }
  // etcd raises TTLs to 1.5 x election timeout (1 s here), rounded up.
  seconds MinLeaseTtl() override { return seconds(2); }

 private:
  std::string prefix_;
  std::unique_ptr<EtcdStore> store_;
};

using testing::StoreConformanceTest;
INSTANTIATE_TEST_SUITE_P(Etcd, StoreConformanceTest,
                         ::testing::Values(testing::ConformanceBackend{
                             "Etcd", [] { return std::make_unique<EtcdHarness>(); }}),
                         testing::BackendName);

TEST(EtcdStoreTest, OptionsAreValidatedWithTheFieldNamed) {
  auto none = EtcdStore::Create({});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(), HasSubstr("etcd.endpoints"));
  auto bad = EtcdStore::Create({.endpoints = {"127.0.0.1:2379", "no-port"}});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("etcd.endpoints[1]"));
  auto port = EtcdStore::Create({.endpoints = {"http://h:99999"}});
  EXPECT_EQ(port.status().code(), absl::StatusCode::kInvalidArgument);
  auto half = EtcdStore::Create({.endpoints = {"h:1"}, .cert_file = "/x.pem"});
  EXPECT_EQ(half.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(half.status().message(), HasSubstr("key_file"));
  auto ca = EtcdStore::Create({.endpoints = {"https://h:1"}, .ca_file = "/nonexistent/ca.pem"});
  EXPECT_EQ(ca.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ca.status().message(), HasSubstr("/nonexistent/ca.pem"));
  EXPECT_TRUE(EtcdStore::Create({.endpoints = {"http://127.0.0.1:2379/", "https://e:2379"}}).ok());
}

TEST(EtcdStoreTest, NothingListeningIsUnavailable) {
  const int port = romana::testing::FreeLoopbackPort();
  auto store = EtcdStore::Create({.endpoints = {absl::StrCat("127.0.0.1:", port)},
                                  .request_timeout = seconds(2)});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get("/a").status().code(), absl::StatusCode::kUnavailable);
  absl::StatusOr<TxnResult> write = (*store)->Commit({.success = {Op::Put("/a", "1")}});
  EXPECT_EQ(write.status().code(), absl::StatusCode::kUnavailable)
      << "a write that never left the client is plainly Unavailable: " << write.status();
}

TEST(EtcdStoreTest, FailsOverFromADeadEndpoint) {
  const int dead = romana::testing::FreeLoopbackPort();
  auto store = EtcdStore::Create(
      {.endpoints = {absl::StrCat("127.0.0.1:", dead), SharedEtcd().ClientEndpoint(0)}});
  ASSERT_TRUE(store.ok());
  absl::StatusOr<Revision> put = (*store)->Put("/failover/a", "1");
  ASSERT_TRUE(put.ok()) << put.status();
  absl::StatusOr<std::optional<KeyValue>> got = (*store)->Get("/failover/a");
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  auto w = (*store)->Watch("/failover/", *put);
  ASSERT_TRUE(w.ok());
  absl::StatusOr<std::vector<Event>> events = (*w)->Next(seconds(10));
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kv.value, "1");
}

// The member goes away and comes back: the watcher reconnects and delivers every event once.
TEST(EtcdStoreTest, WatcherResumesAfterTheServerRestarts) {
  auto cluster = testing::EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto store = EtcdStore::Create({.endpoints = (*cluster)->ClientEndpoints(),
                                  .request_timeout = seconds(2)});
  ASSERT_TRUE(store.ok());
  Revision first = *(*store)->Put("/r/a", "1");
  auto w = (*store)->Watch("/r/", first);
  ASSERT_TRUE(w.ok());
  absl::StatusOr<std::vector<Event>> before = (*w)->Next(seconds(10));
  ASSERT_TRUE(before.ok() && before->size() == 1u);
  ASSERT_TRUE((*cluster)->Kill(0, SIGKILL).ok());
  EXPECT_FALSE((*store)->Put("/r/b", "lost?").ok()) << "nobody is listening";
  ASSERT_TRUE((*cluster)->Restart(0).ok());
  ASSERT_TRUE((*cluster)->WaitHealthy(seconds(30)).ok());
  Revision second = 0;
  absl::Status last;
  ASSERT_TRUE(romana::testing::WaitUntil([&] {
    auto r = (*store)->Put("/r/b", "2");
    if (r.ok()) second = *r;
    last = r.status();
    return r.ok();
  }, seconds(30))) << "the last Put: " << last;
  std::vector<Event> after;
  ASSERT_TRUE(romana::testing::WaitUntil([&] {
    auto batch = (*w)->Next(milliseconds(200));
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (batch.ok()) after.insert(after.end(), batch->begin(), batch->end());
    return !after.empty();
  }, seconds(30)));
  ASSERT_EQ(after.size(), 1u) << "no event is delivered twice";
  EXPECT_EQ(after[0].kv.mod_revision, second);
  EXPECT_EQ(after[0].kv.value, "2");
}

TEST(EtcdStoreTest, AHungServerGivesDeadlineExceededWithinTheRequestTimeout) {
  auto cluster = testing::EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto store = EtcdStore::Create({.endpoints = (*cluster)->ClientEndpoints(),
                                  .request_timeout = milliseconds(500)});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("/hung/a", "1").ok());
  ASSERT_TRUE((*cluster)->Kill(0, SIGSTOP).ok());
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::optional<KeyValue>> got = (*store)->Get("/hung/a");
  absl::StatusOr<TxnResult> put = (*store)->Commit({.success = {Op::Put("/hung/b", "2")}});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE((*cluster)->Kill(0, SIGCONT).ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDeadlineExceeded) << got.status();
  EXPECT_EQ(put.status().code(), absl::StatusCode::kDeadlineExceeded) << put.status();
  EXPECT_LT(took, seconds(5)) << "two requests of 500 ms each";
  // Once the server runs again, so does the client.
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return (*store)->Get("/hung/a").ok(); }, seconds(20)));
}

TEST(EtcdStoreTest, AWatchWithoutAnyServerEndsUnavailableAfterItsRetryWindow) {
  auto cluster = testing::EtcdCluster::Start({.members = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto store = EtcdStore::Create({.endpoints = (*cluster)->ClientEndpoints(),
                                  .request_timeout = seconds(1),
                                  .watch_retry_window = seconds(1)});
  ASSERT_TRUE(store.ok());
  absl::StatusOr<Revision> r = (*store)->Put("/gone/a", "1");
  ASSERT_TRUE(r.ok());
  auto w = (*store)->Watch("/gone/", *r);
  ASSERT_TRUE(w.ok());
  absl::StatusOr<std::vector<Event>> first = (*w)->Next(seconds(10));
  ASSERT_TRUE(first.ok() && first->size() == 1u);
  ASSERT_TRUE((*cluster)->Kill(0, SIGKILL).ok());
  absl::Status last;
  ASSERT_TRUE(romana::testing::WaitUntil([&] {
    absl::StatusOr<std::vector<Event>> next = (*w)->Next(milliseconds(100));
    last = next.status();
    return !next.ok();
  }, seconds(30)));
  EXPECT_EQ(last.code(), absl::StatusCode::kUnavailable) << last;
  EXPECT_THAT(last.message(), HasSubstr("last revision seen"));
}

TEST(EtcdStoreTest, MutualTlsWorksAndIsEnforced) {
  auto cluster = testing::EtcdCluster::Start({.members = 1, .tls = true});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string endpoint = (*cluster)->ClientEndpoint(0);
  auto store = EtcdStore::Create({.endpoints = {"https://" + endpoint},
                                  .ca_file = (*cluster)->ca_file(),
                                  .cert_file = (*cluster)->client_cert_file(),
                                  .key_file = (*cluster)->client_key_file()});
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<Revision> put = (*store)->Put("/tls/a", "secret");
  ASSERT_TRUE(put.ok()) << put.status();
  auto w = (*store)->Watch("/tls/", *put);
  ASSERT_TRUE(w.ok());
  absl::StatusOr<std::vector<Event>> events = (*w)->Next(seconds(10));
  ASSERT_TRUE(events.ok() && events->size() == 1u) << events.status();
  EXPECT_EQ((*events)[0].kv.value, "secret");

  // Without a client certificate, or without TLS, etcd does not serve us.
  auto no_cert = EtcdStore::Create({.endpoints = {endpoint}, .request_timeout = seconds(2),
                                    .ca_file = (*cluster)->ca_file()});
  ASSERT_TRUE(no_cert.ok());
  EXPECT_FALSE((*no_cert)->Get("/tls/a").ok());
  auto plain = EtcdStore::Create({.endpoints = {"http://" + endpoint},
                                  .request_timeout = seconds(2)});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE((*plain)->Get("/tls/a").ok());
}

TEST(EtcdStoreTest, ErrorsCarryTheEndpointAndAreMappedToStoreCodes) {
  auto store = EtcdStore::Create({.endpoints = SharedEtcd().ClientEndpoints()});
  ASSERT_TRUE(store.ok());
  absl::StatusOr<TxnResult> lease = (*store)->Commit({.success = {Op::Put("/e/a", "1", 4242)}});
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(lease.status().message(), HasSubstr(SharedEtcd().ClientEndpoint(0)));
}

}  // namespace
}  // namespace romana::store
