#include "k8s/leader_elector.h"

#include <thread>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "k8s/testing/test_api_server.h"

namespace romana::k8s {
namespace {

using nlohmann::json;
using romana::testing::WaitUntil;

class Candidate {
 public:
  Candidate(KubeClient& client, const base::Clock& clock, const std::string& id, int lease_seconds = 2)
      : elector_(client, clock,
                 {.lease_namespace = "kube-system",
                  .lease_name = "romana-listener",
                  .identity = id,
                  .lease_duration = std::chrono::seconds(lease_seconds),
                  .renew_deadline = std::chrono::milliseconds(lease_seconds * 1000 * 2 / 3),
                  .retry_period = std::chrono::milliseconds(100),
                  .on_started_leading = [this] { ++started_; },
                  .on_stopped_leading = [this] { ++stopped_; }}) {
    thread_ = std::thread([this] { elector_.Run(); });
  }
  ~Candidate() { Stop(); }
  void Stop() {
    elector_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  bool leader() const { return elector_.IsLeader(); }
  int started() const { return started_; }
  int stopped() const { return stopped_; }

 private:
  LeaderElector elector_;
  std::atomic<int> started_{0}, stopped_{0};
  std::thread thread_;
};

class LeaderElectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testing::TestApiServer::Start();
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    client_ = std::make_unique<KubeClient>(http_, KubeConfig{.server = server_->url()});
  }
  json Lease() {
    auto l = client_->Get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/romana-listener");
    return l.ok() ? *l : json();
  }

  base::SystemClock clock_;
  http::CurlClient http_;
  std::unique_ptr<testing::TestApiServer> server_;
  std::unique_ptr<KubeClient> client_;
};

TEST_F(LeaderElectorTest, ExactlyOneLeadsAndAReleasedLeaseIsTakenAtOnce) {
  Candidate a(*client_, clock_, "a", 30);
  ASSERT_TRUE(WaitUntil([&] { return a.leader(); }));
  Candidate b(*client_, clock_, "b", 30);
  // b keeps trying (every 100 ms) but the lease is a's and renewed.
  ASSERT_TRUE(WaitUntil([&] { return Lease()["spec"].value("renewTime", "") != ""; }));
  const std::string renewed = Lease()["spec"]["renewTime"];
  ASSERT_TRUE(WaitUntil([&] { return Lease()["spec"]["renewTime"] != renewed; }));
  EXPECT_FALSE(b.leader());
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "a");
  // a stops: it releases the lease and b takes it well before the 30 s lease duration.
  const auto stop = std::chrono::steady_clock::now();
  a.Stop();
  EXPECT_EQ(a.stopped(), 1);
  ASSERT_TRUE(WaitUntil([&] { return b.leader(); }, std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - stop, std::chrono::seconds(5));
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "b");
  EXPECT_EQ(Lease()["spec"]["leaseTransitions"], 1);
  EXPECT_EQ(b.started(), 1);
}

TEST_F(LeaderElectorTest, ALeaseNobodyRenewsIsTakenAfterItsDurationOfObservedTime) {
  // A holder that died: its record never changes again.
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", "romana-listener"}, {"namespace", "kube-system"}}},
                {"spec", {{"holderIdentity", "dead"}, {"leaseDurationSeconds", 2}, {"renewTime", "2000-01-01T00:00:00.000000Z"}}}};
  server_->Put("leases", lease);
  const auto start = std::chrono::steady_clock::now();
  Candidate b(*client_, clock_, "b", 2);
  ASSERT_TRUE(WaitUntil([&] { return b.leader(); }, std::chrono::seconds(10)));
  // Not before 2 s of observed time (the renewTime from 2000 proves nothing about expiry).
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "b");
}

TEST_F(LeaderElectorTest, ConcurrentCandidatesNeverBothLead) {
  std::vector<std::unique_ptr<Candidate>> all;
  for (const char* id : {"a", "b", "c", "d"}) all.push_back(std::make_unique<Candidate>(*client_, clock_, id, 30));
  auto leaders = [&] {
    int n = 0;
    for (auto& c : all) n += c->leader() ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(WaitUntil([&] { return leaders() == 1; }));
  for (int i = 0; i < 20; ++i) {
    EXPECT_LE(leaders(), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // sampling over several renewals
  }
}

}  // namespace
}  // namespace romana::k8s
