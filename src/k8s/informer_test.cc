#include "k8s/informer.h"

#include <thread>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "k8s/testing/test_api_server.h"

namespace romana::k8s {
namespace {

using nlohmann::json;
using romana::testing::WaitUntil;

// Records what the handlers were told, as "add:n1", "update:n1", "delete:n1".
class Recorder : public InformerHandler {
 public:
  void OnAdd(const json& o) override { Push("add:" + Informer::KeyOf(o)); }
  void OnUpdate(const json& old, const json& o) override {
    Push((old == o ? "resync:" : "update:") + Informer::KeyOf(o));
  }
  void OnDelete(const json& o) override { Push("delete:" + Informer::KeyOf(o)); }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  int Count(const std::string& e) {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count(events_.begin(), events_.end(), e));
  }

 private:
  void Push(std::string e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  std::mutex mu_;
  std::vector<std::string> events_;
};

json Node(const std::string& name, const std::string& zone, const std::string& role = "worker") {
  return {{"metadata", {{"name", name}, {"labels", {{"zone", zone}, {"role", role}}}}},
          {"status", {{"big", std::string(100, 'x')}}}};
}

std::vector<std::string> ZoneIndex(const json& o) {
  return {o["metadata"]["labels"].value("zone", "")};
}

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testing::TestApiServer::Start();
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    client_ = std::make_unique<KubeClient>(http_, KubeConfig{.server = server_->url()});
  }
  void Start(InformerOptions options) {
    options.reflector.path = "/api/v1/nodes";
    options.reflector.min_backoff = std::chrono::milliseconds(20);
    informer_ = std::make_unique<Informer>(*client_, std::move(options));
    informer_->AddHandler(&recorder_);
    informer_->AddIndex("zone", ZoneIndex);
    informer_->Start();
    ASSERT_TRUE(WaitUntil([&] { return informer_->HasSynced(); }));
  }
  static std::vector<std::string> Names(const std::vector<json>& objects) {
    std::vector<std::string> out;
    for (const json& o : objects) out.push_back(Informer::KeyOf(o));
    std::sort(out.begin(), out.end());
    return out;
  }

  http::CurlClient http_;
  std::unique_ptr<testing::TestApiServer> server_;
  std::unique_ptr<KubeClient> client_;
  Recorder recorder_;
  std::unique_ptr<Informer> informer_;
};

TEST_F(InformerTest, CachesIndexesAndReportsAddUpdateDelete) {
  server_->Put("nodes", Node("a", "z1"));
  server_->Put("nodes", Node("b", "z1"));
  Start({});
  EXPECT_EQ(Names(informer_->ByIndex("zone", "z1")), (std::vector<std::string>{"a", "b"}));
  server_->Put("nodes", Node("b", "z2"));
  server_->Put("nodes", Node("c", "z2"));
  server_->Remove("nodes", "a");
  ASSERT_TRUE(WaitUntil([&] { return recorder_.Count("delete:a") == 1; }));
  EXPECT_EQ(recorder_.events(), (std::vector<std::string>{"add:a", "add:b", "update:b", "add:c", "delete:a"}));
  EXPECT_TRUE(informer_->ByIndex("zone", "z1").empty());
  EXPECT_EQ(Names(informer_->ByIndex("zone", "z2")), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(informer_->Get("b").value()["metadata"]["labels"]["zone"], "z2");
  EXPECT_FALSE(informer_->Get("a").has_value());
  EXPECT_TRUE(informer_->ByIndex("no-such-index", "z2").empty());
}

TEST_F(InformerTest, ASnapshotSharesTheCachedObjectsInKeyOrderAndKeepsThemAsTheyWere) {
  server_->Put("nodes", Node("b", "z1"));
  server_->Put("nodes", Node("a", "z1"));
  Start({});
  const std::vector<std::shared_ptr<const json>> before = informer_->Snapshot();
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(Informer::KeyOf(*before[0]), "a");
  EXPECT_EQ(Informer::KeyOf(*before[1]), "b");
  server_->Put("nodes", Node("a", "z2"));
  ASSERT_TRUE(WaitUntil([&] { return recorder_.Count("update:a") == 1; }));
  EXPECT_EQ((*before[0])["metadata"]["labels"]["zone"], "z1");  // what the snapshot held
  const std::vector<std::shared_ptr<const json>> after = informer_->Snapshot();
  EXPECT_EQ((*after[0])["metadata"]["labels"]["zone"], "z2");
  EXPECT_EQ(after[1], before[1]);  // unchanged objects are shared, not copied
}

TEST_F(InformerTest, RelistAfter410ReportsExactlyWhatChangedWhileAway) {
  server_->Put("nodes", Node("keep", "z1"));
  server_->Put("nodes", Node("change", "z1"));
  server_->Put("nodes", Node("gone", "z1"));
  Start({});
  ASSERT_TRUE(WaitUntil([&] { return server_->watch_requests() >= 1; }));
  server_->HoldWatches();
  server_->DropWatches();
  server_->Put("nodes", Node("change", "z3"));
  server_->Remove("nodes", "gone");
  server_->Put("nodes", Node("new", "z1"));
  server_->Compact();
  server_->ReleaseWatches();
  ASSERT_TRUE(WaitUntil([&] { return informer_->reflector().lists() >= 2 && recorder_.Count("add:new") == 1; }));
  EXPECT_EQ(recorder_.Count("delete:gone"), 1);
  EXPECT_EQ(recorder_.Count("update:change"), 1);
  EXPECT_EQ(recorder_.Count("update:keep"), 0);  // unchanged: nothing to report
  EXPECT_EQ(recorder_.Count("add:keep"), 1);
  EXPECT_EQ(Names(informer_->List()), (std::vector<std::string>{"change", "keep", "new"}));
  EXPECT_EQ(Names(informer_->ByIndex("zone", "z3")), std::vector<std::string>{"change"});
}

TEST_F(InformerTest, PeriodicResyncHandsEveryObjectOverAgain) {
  server_->Put("nodes", Node("a", "z1"));
  server_->Put("nodes", Node("b", "z1"));
  Start({.resync_period = std::chrono::milliseconds(50)});
  ASSERT_TRUE(WaitUntil([&] { return recorder_.Count("resync:a") >= 2 && recorder_.Count("resync:b") >= 2; }));
}

TEST_F(InformerTest, TransformReducesWhatIsCached) {
  server_->Put("nodes", Node("a", "z1"));
  Start({.transform = [](json o) {
    o.erase("status");
    return o;
  }});
  server_->Put("nodes", Node("b", "z1"));
  ASSERT_TRUE(WaitUntil([&] { return informer_->Size() == 2; }));
  for (const json& o : informer_->List()) EXPECT_FALSE(o.contains("status")) << o.dump();
}

TEST_F(InformerTest, SelectorsFilterListAndWatch) {
  server_->Put("nodes", Node("w1", "z1", "worker"));
  server_->Put("nodes", Node("m1", "z1", "master"));
  InformerOptions o;
  o.reflector.selectors.label = "role=master";
  Start(std::move(o));
  server_->Put("nodes", Node("m2", "z1", "master"));
  server_->Put("nodes", Node("w2", "z1", "worker"));
  ASSERT_TRUE(WaitUntil([&] { return recorder_.Count("add:m2") == 1; }));
  EXPECT_EQ(Names(informer_->List()), (std::vector<std::string>{"m1", "m2"}));
}

TEST(ChangeHandlerTest, ReportsAddsDeletesAndRealUpdatesButNotResyncs) {
  std::vector<std::string> seen;
  ChangeHandler handler([&](const nlohmann::json& o) { seen.push_back(o.value("v", "")); });
  handler.OnAdd({{"v", "added"}});
  handler.OnUpdate({{"v", "same"}}, {{"v", "same"}});
  handler.OnUpdate({{"v", "old"}}, {{"v", "new"}});
  handler.OnDelete({{"v", "last"}});
  EXPECT_EQ(seen, (std::vector<std::string>{"added", "new", "last"}));
}

}  // namespace
}  // namespace romana::k8s
