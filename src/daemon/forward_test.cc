// Follower -> leader forwarding (Server::Forward), in process: two real Servers on loopback over
// one MemoryStore, a follower whose Leadership names the leader's URL; requests by the project's
// curl client.
#include <prometheus/registry.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/clock.h"
#include "base/testing/test_env.h"
#include "daemon/leadership.h"
#include "daemon/server.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "nlohmann/json.hpp"
#include "store/memory_store.h"

namespace romana::daemon {
namespace {

class Follower final : public Leadership {
 public:
  explicit Follower(std::string leader_url) : url_(std::move(leader_url)) {}
  bool IsLeader() const override { return false; }
  std::string LeaderUrl() const override { return url_; }
  std::optional<store::Compare> Fence() const override { return std::nullopt; }
  uint64_t Term() const override { return 1; }
  bool Settled() const override { return true; }

 private:
  const std::string url_;
};

class ForwardTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::MemoryStore::Create(clock_); }
  void TearDown() override {
    for (auto& s : servers_) s->Stop();
  }
  Server& StartServer(Leadership& leadership, prometheus::Registry& registry) {
    ServerOptions o;
    o.port = 0;
    o.threads = 4;
    auto s = Server::Create(o, *store_, leadership, clock_, registry, nullptr);
    EXPECT_TRUE(s.ok()) << s.status();
    servers_.push_back(*std::move(s));
    EXPECT_TRUE(servers_.back()->Start().ok());
    servers_.back()->SetReady(true);
    return *servers_.back();
  }
  absl::StatusOr<http::Response> Send(int port, const std::string& method, const std::string& path,
                                      const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.url = absl::StrCat("http://127.0.0.1:", port, path);
    r.body = body;
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    return client_.Send(r);
  }

  base::SystemClock clock_;
  std::unique_ptr<store::MemoryStore> store_;
  std::vector<std::unique_ptr<Server>> servers_;
  http::CurlClient client_;
};

TEST_F(ForwardTest, FollowerForwardsWritesAndItsReadsIncludeThem) {
  SoleLeader sole;
  prometheus::Registry leader_registry, follower_registry;
  Server& leader = StartServer(sole, leader_registry);
  Follower follower_leadership(absl::StrCat("http://127.0.0.1:", leader.port()));
  Server& follower = StartServer(follower_leadership, follower_registry);

  auto put = Send(follower.port(), "PUT", "/namespaces/team-a", R"({"name": "team-a", "isolated": true})");
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->status, 200) << put->body;
  int64_t revision = 0;
  ASSERT_TRUE(absl::SimpleAtoi(put->Header("X-Romana-Revision"), &revision)) << put->Header("X-Romana-Revision");
  EXPECT_GT(revision, 0);
  // The follower waits for the leader's write before answering a read (read-your-writes).
  auto get = Send(follower.port(), "GET", "/namespaces/team-a");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->status, 200) << get->body;
  EXPECT_EQ(nlohmann::json::parse(get->body)["isolated"], true);
}

TEST_F(ForwardTest, HttpsLeaderWithoutACaFileIsNotSentTheWrite) {
  // The leader's URL is https and this replica has no --leader-ca-file: it must not send the
  // client's token there unverified (nothing listens at this port either).
  Follower follower_leadership(absl::StrCat("https://127.0.0.1:", testing::FreeLoopbackPort()));
  prometheus::Registry registry;
  Server& follower = StartServer(follower_leadership, registry);
  auto put = Send(follower.port(), "PUT", "/namespaces/team-a", R"({"name": "team-a"})");
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->status, 503) << put->body;
  nlohmann::json body = nlohmann::json::parse(put->body);
  EXPECT_EQ(body["error"]["code"], "unavailable");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("--leader-ca-file"), std::string::npos) << put->body;
}

TEST_F(ForwardTest, AnHttpLeaderIsNeverSentTheClientsToken) {
  // The leader's URL is plain http (it cannot be verified): a write carrying a token is refused
  // here, and the leader never sees it.
  SoleLeader sole;
  prometheus::Registry leader_registry, follower_registry;
  Server& leader = StartServer(sole, leader_registry);
  Follower follower_leadership(absl::StrCat("http://127.0.0.1:", leader.port()));
  Server& follower = StartServer(follower_leadership, follower_registry);
  http::Request r;
  r.method = "PUT";
  r.url = absl::StrCat("http://127.0.0.1:", follower.port(), "/namespaces/team-b");
  r.body = R"({"name": "team-b"})";
  r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer s3cret"}};
  auto put = client_.Send(r);
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->status, 503) << put->body;
  nlohmann::json body = nlohmann::json::parse(put->body);
  EXPECT_EQ(body["error"]["code"], "unavailable");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("token"), std::string::npos) << put->body;
  EXPECT_EQ(Send(leader.port(), "GET", "/namespaces/team-b")->status, 404) << "the write reached the leader";
}

}  // namespace
}  // namespace romana::daemon
