// Issue 11: romanad keeps serving writes while hundreds of agents hold watch streams open (the
// server before the event-driven one gave each stream a thread from a pool of 64): allocations
// through the API, and a pod's CNI ADD through the real romana CNI plugin (as tests/cni runs
// it: in a node network namespace and a pod namespace the test creates; needs root).
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "base/testing/test_env.h"
#include "cni/names.h"
#include "cni_fixture.h"
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

// 500 streams open to `port`, each past its opening BOOKMARK.
std::vector<std::unique_ptr<RawClient>> OpenWatchers(int port) {
  std::vector<std::unique_ptr<RawClient>> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    auto w = std::make_unique<RawClient>(port);
    EXPECT_TRUE(w->connected()) << i;
    EXPECT_TRUE(w->Send("GET /watch?kinds=addresses HTTP/1.1\r\nHost: romanad\r\n\r\n")) << i;
    watchers.push_back(std::move(w));
  }
  for (int i = 0; i < kWatchers; ++i) {
    RawClient::Answer head = watchers[i]->ReadHead();
    EXPECT_EQ(head.status, 200) << i << ": " << head.head;
    EXPECT_TRUE(watchers[i]->ReadUntil("BOOKMARK")) << i;
  }
  return watchers;
}

class ManyWatchersCniTest : public cni::testing::CniFixture {};

TEST_F(ManyWatchersCniTest, CniAddAndAllocationsWorkWhile500WatchesAreOpen) {
  std::vector<std::unique_ptr<RawClient>> watchers = OpenWatchers(daemon_->port());
  ASSERT_FALSE(HasFailure());
  auto metrics = romanad().Do("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find(absl::StrCat("romanad_watch_streams ", kWatchers)), std::string::npos);

  for (int i = 0; i < 5; ++i) {
    auto a = romanad().AllocateAddress({absl::StrCat("cni-w-", i, ":eth0"), cni::testing::kNode, "", ""});
    ASSERT_TRUE(a.ok()) << i << ": " << a.status();
  }
  // The real plugin adds a pod: it answers, the pod has its address, and every stream sees it.
  auto& pod = NewPod();
  const std::string cid = absl::StrCat("c", getpid(), "w500");
  auto r = Run("ADD", Conf("1.0.0"), cid, pod.path());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->exit_code, 0) << r->stderr_data;
  const std::string address = r->output["ips"][0]["address"];
  const std::string ip = address.substr(0, address.find('/'));
  EXPECT_EQ(ip.rfind(cni::testing::kPodCidrPrefix, 0), 0u) << ip;
  auto pod_ip = pod.Exec({"ip", "-4", "-o", "addr", "show", "dev", "eth0"});
  ASSERT_TRUE(pod_ip.ok()) << pod_ip.status();
  EXPECT_NE(pod_ip->output.find(ip + "/32"), std::string::npos) << pod_ip->output;
  const std::string name = cni::AddressName({cid, "eth0"});
  for (int i = 0; i < kWatchers; ++i) EXPECT_TRUE(watchers[i]->ReadUntil("\"" + name + "\"")) << i;

  auto del = Run("DEL", Conf("1.0.0"), cid, pod.path());
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(del->exit_code, 0) << del->stderr_data;
  EXPECT_FALSE(romanad().GetAddress(name).ok());
}

}  // namespace
}  // namespace romana
