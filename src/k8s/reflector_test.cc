#include "k8s/reflector.h"

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "k8s/testing/test_api_server.h"

namespace romana::k8s {
namespace {

using nlohmann::json;
using romana::testing::WaitUntil;

// Records the node set as the reflector reports it.
class NodeSet : public ResourceHandler {
 public:
  void OnSync(std::vector<json> items) override {
    std::lock_guard lock(mu_);
    names_.clear();
    for (const auto& i : items) names_[i["metadata"]["name"]] = i.value("spec", json::object()).value("providerID", "");
    ++syncs_;
  }
  void OnEvent(const std::string& type, const json& o) override {
    std::lock_guard lock(mu_);
    const std::string name = o["metadata"]["name"];
    if (type == "DELETED") {
      names_.erase(name);
    } else {
      names_[name] = o.value("spec", json::object()).value("providerID", "");
    }
    ++events_;
  }
  std::map<std::string, std::string> names() {
    std::lock_guard lock(mu_);
    return names_;
  }
  int syncs() {
    std::lock_guard lock(mu_);
    return syncs_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> names_;
  int syncs_ = 0, events_ = 0;
};

json Node(const std::string& name, const std::string& provider_id = "") {
  return {{"metadata", {{"name", name}}}, {"spec", {{"providerID", provider_id}}}};
}

class ReflectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testing::TestApiServer::Start();
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    client_ = std::make_unique<KubeClient>(http_, KubeConfig{.server = server_->url(), .token = "t"});
  }
  void StartReflector(int watch_timeout = 300) {
    reflector_ = std::make_unique<Reflector>(*client_, nodes_,
                                             ReflectorOptions{.path = "/api/v1/nodes",
                                                              .watch_timeout_seconds = watch_timeout,
                                                              .min_backoff = std::chrono::milliseconds(50)});
    thread_ = std::thread([this] { reflector_->Run(); });
  }
  void TearDown() override {
    if (reflector_) reflector_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  http::CurlClient http_;
  std::unique_ptr<testing::TestApiServer> server_;
  std::unique_ptr<KubeClient> client_;
  NodeSet nodes_;
  std::unique_ptr<Reflector> reflector_;
  std::thread thread_;
};

TEST_F(ReflectorTest, ListsThenFollowsWatchEvents) {
  server_->Put("nodes", Node("n1", "aws:///us-east-1a/i-1"));
  StartReflector();
  ASSERT_TRUE(WaitUntil([&] { return nodes_.names().size() == 1; }));
  server_->Put("nodes", Node("n2"));
  server_->Put("nodes", Node("n1", "aws:///us-east-1a/i-9"));
  ASSERT_TRUE(WaitUntil([&] { return nodes_.names().size() == 2 && nodes_.names()["n1"] == "aws:///us-east-1a/i-9"; }));
  server_->Remove("nodes", "n2");
  ASSERT_TRUE(WaitUntil([&] { return nodes_.names().size() == 1; }));
  EXPECT_EQ(reflector_->lists(), 1);
}

TEST_F(ReflectorTest, EachListPageIsSeenTransformedBeforeTheWholeListIsSynced) {
  for (int i = 0; i < 1201; ++i) server_->Put("nodes", Node(absl::StrCat("n", i)));
  std::vector<size_t> pages;  // reflector thread only, until the sync below is seen
  int syncs_seen_by_pages = 0;
  bool all_transformed = true;
  reflector_ = std::make_unique<Reflector>(
      *client_, nodes_,
      ReflectorOptions{.path = "/api/v1/nodes",
                       .transform = [](json o) { return json{{"metadata", o["metadata"]}, {"seen", true}}; },
                       .on_list_page = [&](std::span<const json> page) {
                         pages.push_back(page.size());
                         syncs_seen_by_pages += nodes_.syncs();
                         for (const json& o : page) all_transformed = all_transformed && o.value("seen", false);
                       }});
  thread_ = std::thread([this] { reflector_->Run(); });
  ASSERT_TRUE(WaitUntil([&] { return nodes_.syncs() == 1; }));
  EXPECT_EQ(pages, (std::vector<size_t>{500, 500, 201}));  // KubeClient's pages of 500
  EXPECT_EQ(syncs_seen_by_pages, 0);
  EXPECT_TRUE(all_transformed);
  EXPECT_EQ(nodes_.names().size(), 1201u);
}

TEST_F(ReflectorTest, ReconnectsWhenTheStreamEndsWithoutRelisting) {
  StartReflector();
  ASSERT_TRUE(WaitUntil([&] { return server_->watch_requests() == 1; }));
  server_->DropWatches();
  ASSERT_TRUE(WaitUntil([&] { return server_->watch_requests() >= 2; }));
  server_->Put("nodes", Node("late"));
  ASSERT_TRUE(WaitUntil([&] { return nodes_.names().count("late") == 1; }));
  EXPECT_EQ(reflector_->lists(), 1);
}

TEST_F(ReflectorTest, RelistsAfter410Gone) {
  StartReflector();
  ASSERT_TRUE(WaitUntil([&] { return server_->watch_requests() == 1; }));
  // Changes made while the client is away, then history compacted: the resume point is gone.
  server_->HoldWatches();
  server_->DropWatches();
  server_->Put("nodes", Node("a"));
  server_->Compact();
  server_->ReleaseWatches();
  ASSERT_TRUE(WaitUntil([&] { return reflector_->lists() >= 2 && nodes_.names().count("a") == 1; }))
      << reflector_->last_error();
  EXPECT_GE(nodes_.syncs(), 2);
}

TEST_F(ReflectorTest, BacksOffAndRecoversWhenTheServerIsDown) {
  const std::string url = server_->url();
  server_.reset();  // nothing listens any more
  StartReflector();
  ASSERT_TRUE(WaitUntil([&] { return !reflector_->last_error().empty(); }));
  EXPECT_EQ(reflector_->lists(), 0);
}

TEST_F(ReflectorTest, KubectlDrivesTheServer) {
  romana::testing::TempDir dir;
  StartReflector();
  std::ofstream(dir.File("node.yaml")) << "apiVersion: v1\nkind: Node\nmetadata:\n  name: kubectl-node\n"
                                          "  labels: {topology.kubernetes.io/zone: us-east-1a}\n"
                                          "spec:\n  providerID: aws:///us-east-1a/i-0abc\n";
  auto kubectl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"env", "KUBECONFIG=/nonexistent", "kubectl", "--server=" + server_->url(),
                                     "--cache-dir=" + dir.File("cache")};
    argv.insert(argv.end(), args.begin(), args.end());
    return base::RunCommand(argv);
  };
  auto created = kubectl({"create", "-f", dir.File("node.yaml"), "--validate=false"});
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->exit_code, 0) << created->output;
  ASSERT_TRUE(WaitUntil([&] { return nodes_.names()["kubectl-node"] == "aws:///us-east-1a/i-0abc"; }));
  auto listed = kubectl({"get", "nodes"});
  ASSERT_EQ(listed->exit_code, 0) << listed->output;
  EXPECT_NE(listed->output.find("kubectl-node"), std::string::npos) << listed->output;
  auto labelled = kubectl({"label", "node", "kubectl-node", "romana.io/test=yes"});
  ASSERT_EQ(labelled->exit_code, 0) << labelled->output;
  auto got = client_->Get("/api/v1/nodes/kubectl-node");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["metadata"]["labels"]["romana.io/test"], "yes");
  EXPECT_EQ((*got)["metadata"]["labels"]["topology.kubernetes.io/zone"], "us-east-1a");
  auto deleted = kubectl({"delete", "node", "kubectl-node"});
  ASSERT_EQ(deleted->exit_code, 0) << deleted->output;
  ASSERT_TRUE(WaitUntil([&] { return nodes_.names().empty(); }));
}

}  // namespace
}  // namespace romana::k8s
