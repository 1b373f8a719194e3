// Issue 11: romanad keeps serving writes while hundreds of agents hold watch streams open (the
// server before the event-driven one gave each stream a thread from a pool of 64).
#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "http_server/testing/raw_client.h"

namespace romana {
namespace {

using http_server::testing::RawClient;
using testing::RomanadProcess;

constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.20.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["net1"], "map": [
      {"name": "rack-1", "assignment": {"rack": "r1"}, "groups": []}]}]})";
constexpr int kWatchers = 500;

TEST(ManyWatchersTest, AllocationsAnswerAndReachEveryStreamWhile500WatchesAreOpen) {
  auto d = RomanadProcess::Start({.topology_json = kTopology});
  ASSERT_TRUE(d.ok()) << d.status();
  api::Client& client = (*d)->client();
  ASSERT_TRUE(client.AddHost({"node-1", "192.168.80.1", {{"rack", "r1"}}}).ok());

  std::vector<std::unique_ptr<RawClient>> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    auto w = std::make_unique<RawClient>((*d)->port());
    ASSERT_TRUE(w->connected()) << i;
    ASSERT_TRUE(w->Send("GET /watch?kinds=addresses HTTP/1.1\r\nHost: romanad\r\n\r\n")) << i;
    watchers.push_back(std::move(w));
  }
  for (int i = 0; i < kWatchers; ++i) {
    RawClient::Answer head = watchers[i]->ReadHead();
    ASSERT_EQ(head.status, 200) << i << ": " << head.head;
    ASSERT_TRUE(watchers[i]->ReadUntil("BOOKMARK")) << i;  // the stream is established
  }
  auto metrics = client.Do("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find(absl::StrCat("romanad_watch_streams ", kWatchers)), std::string::npos);

  // Writes answer (the client's timeout is 10 s) while every stream stays open.
  for (int i = 0; i < 20; ++i) {
    auto a = client.AllocateAddress({absl::StrCat("pod-", i, ":eth0"), "node-1", "", ""});
    ASSERT_TRUE(a.ok()) << i << ": " << a.status();
    EXPECT_TRUE(a->created);
  }
  // Every watcher sees the allocations.
  for (int i = 0; i < kWatchers; ++i) EXPECT_TRUE(watchers[i]->ReadUntil("\"pod-19:eth0\"")) << i;
  absl::Status ready = client.Readyz();
  EXPECT_TRUE(ready.ok()) << ready;
}

}  // namespace
}  // namespace romana
