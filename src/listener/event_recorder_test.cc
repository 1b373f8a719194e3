// EventRecorder against the lab's Kubernetes API (a real server over HTTP): Events created,
// repeats counted up on the same Event, a deleted Event created again, a pod's uid looked up.
#include "listener/event_recorder.h"

#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "kube_apiserver/kube_api_server.h"

namespace romana::listener {
namespace {

using nlohmann::json;

class EventRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = kube_apiserver::KubeApiServer::Start();
    ASSERT_TRUE(s.ok()) << s.status();
    api_ = *std::move(s);
    kube_ = std::make_unique<k8s::KubeClient>(http_, k8s::KubeConfig{.server = api_->url()});
  }
  base::SystemClock clock_;
  prometheus::Registry registry_;
  http::CurlClient http_;
  std::unique_ptr<kube_apiserver::KubeApiServer> api_;
  std::unique_ptr<k8s::KubeClient> kube_;
};

TEST_F(EventRecorderTest, RepeatsCountUpOneEventAndAPodsUidIsLookedUp) {
  api_->Put("namespaces", json::parse(R"({"metadata": {"name": "shop"}})"));
  const json pod = api_->Put("pods", json::parse(R"({"metadata": {"name": "web-0", "namespace": "shop"}})"));
  const std::string uid = pod["metadata"]["uid"];
  ASSERT_FALSE(uid.empty());
  EventRecorder r(*kube_, clock_, registry_, EventCorrelatorOptions{.instance = "test"});
  r.Start();
  const ObjectRef ref{.kind = "Pod", .api_version = "v1", .namespace_name = "shop", .name = "web-0"};
  for (int i = 0; i < 3; ++i) r.Warning(ref, kReasonPodRejected, "metadata.labels.a: must be a string");
  r.Warning(ref, kReasonPodRejected, "something else");
  r.Stop();  // writes what is queued
  const std::vector<json> events = api_->Objects("events", "shop");
  ASSERT_EQ(events.size(), 2u);
  std::map<std::string, json> by_message;
  for (const json& e : events) by_message[e["message"]] = e;
  const json& e = by_message["metadata.labels.a: must be a string"];
  EXPECT_EQ(e["count"], 3);
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "PodRejected");
  EXPECT_EQ(e["involvedObject"]["uid"], uid);  // kubectl describe pod matches on it
  EXPECT_EQ(e["source"]["component"], "romana-listener");
  EXPECT_EQ(by_message["something else"]["count"], 1);
}

TEST_F(EventRecorderTest, AnEventDeletedMeanwhileIsCreatedAgainWithItsCount) {
  EventRecorder r(*kube_, clock_, registry_, EventCorrelatorOptions{.instance = "test"});
  r.Start();
  const ObjectRef ref{.kind = "Service", .api_version = "v1", .namespace_name = "default", .name = "web", .uid = "u1"};
  r.Warning(ref, kReasonInvalidVip, "no VIP: romanavip.ip: bad");
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return api_->Objects("events", "default").size() == 1; }));
  const std::string name = api_->Objects("events", "default")[0]["metadata"]["name"];
  ASSERT_TRUE(api_->Remove("events", "default", name));  // expired, or deleted by a user
  r.Warning(ref, kReasonInvalidVip, "no VIP: romanavip.ip: bad");  // the PATCH finds nothing: POST
  r.Stop();
  const std::vector<json> events = api_->Objects("events", "default");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["metadata"]["name"], name);
  EXPECT_EQ(events[0]["count"], 2);
  EXPECT_EQ(events[0]["involvedObject"]["uid"], "u1");
}

}  // namespace
}  // namespace romana::listener
