// romana-aws end to end: the real binary, the real moto_server, and the test Kubernetes API
// server driven with kubectl.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "aws/testing/moto_server.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "k8s/testing/test_api_server.h"
#include "nlohmann/json.hpp"

namespace romana::aws {
namespace {

using romana::testing::WaitUntil;

class RomanaAwsMotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto moto = testing::MotoServer::Start();
    if (absl::IsNotFound(moto.status())) ROMANA_SKIP_UNLESS_CI() << moto.status().message();
    ASSERT_TRUE(moto.ok()) << moto.status();
    moto_ = *std::move(moto);
    auto ec2 = moto_->Client("us-east-1", creds_);
    ASSERT_TRUE(ec2.ok());
    ec2_ = *std::move(ec2);
    auto vpc = testing::MakeTestVpc(*ec2_);
    ASSERT_TRUE(vpc.ok()) << vpc.status();
    vpc_ = *std::move(vpc);
    auto api = k8s::testing::TestApiServer::Start();
    ASSERT_TRUE(api.ok()) << api.status();
    api_ = *std::move(api);
  }
  void TearDown() override {
    if (proc_) proc_->Stop(std::chrono::seconds(5));
  }

  int Kubectl(std::vector<std::string> args, std::string* out = nullptr) {
    std::vector<std::string> argv = {"env", "KUBECONFIG=/nonexistent", "kubectl", "--server=" + api_->url(),
                                     "--cache-dir=" + dir_.File("kcache")};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = base::RunCommand(argv);
    if (out) *out = r.ok() ? r->output : "";
    return r.ok() ? r->exit_code : -1;
  }

  // Node YAML: providerID for the first five instances; the sixth only has its InternalIP.
  std::string NodeYaml(int i) {
    const auto& inst = vpc_.instances[i];
    std::string y = absl::StrCat("apiVersion: v1\nkind: Node\nmetadata:\n  name: node-", i,
                                 "\n  labels: {topology.kubernetes.io/zone: ", inst.zone, "}\nspec:\n");
    if (i < 5) absl::StrAppend(&y, "  providerID: aws:///", inst.zone, "/", inst.id, "\n");
    else absl::StrAppend(&y, "  {}\n");
    absl::StrAppend(&y, "status:\n  addresses:\n  - {type: InternalIP, address: ", inst.private_ip,
                    "}\n  - {type: Hostname, address: ip-", i, "}\n");
    return y;
  }

  void StartRomanaAws() {
    metrics_port_ = romana::testing::FreeLoopbackPort();
    auto p = base::Subprocess::Start(
        {.argv = {(romana::testing::BinaryDir() / "apps/romana-aws/romana-aws").string(), "--server", api_->url(),
                  "--region", "us-east-1", "--ec2_endpoint", moto_->endpoint(), "--recheck_interval", "0.5",
                  "--listen_address", "127.0.0.1", "--listen_port", std::to_string(metrics_port_)},
         .extra_env = {{"AWS_ACCESS_KEY_ID", "AKIDAWS"}, {"AWS_SECRET_ACCESS_KEY", "secret"},
                       {"AWS_EC2_METADATA_DISABLED", "true"}},
         .output_path = dir_.File("romana-aws.log")});
    ASSERT_TRUE(p.ok()) << p.status();
    proc_ = *std::move(p);
  }

  // (instance check, primary ENI check) for every instance.
  std::map<std::string, std::pair<bool, bool>> Checks() {
    std::map<std::string, std::pair<bool, bool>> out;
    auto all = ec2_->DescribeInstances({}, {{"vpc-id", {vpc_.vpc_id}}});
    if (!all.ok()) return out;
    for (const Instance& i : *all) out[i.id] = {i.source_dest_check, i.PrimaryInterface()->source_dest_check};
    return out;
  }
  bool AllOff() {
    auto c = Checks();
    if (c.size() != 6) return false;
    for (const auto& [id, v] : c) {
      if (v.first || v.second) return false;
    }
    return true;
  }
  std::string Log() {
    std::ifstream in(dir_.File("romana-aws.log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string Get(const std::string& path) {
    http::CurlClient http;
    auto r = http.Send({.url = absl::StrCat("http://127.0.0.1:", metrics_port_, path)});
    return r.ok() ? r->body : "";
  }

  romana::testing::TempDir dir_;
  std::unique_ptr<testing::MotoServer> moto_;
  StaticCredentialsProvider creds_{Credentials{"AKIDTEST", "test-secret"}};
  std::unique_ptr<Ec2QueryClient> ec2_;
  testing::TestVpc vpc_;
  std::unique_ptr<k8s::testing::TestApiServer> api_;
  std::unique_ptr<base::Subprocess> proc_;
  int metrics_port_ = 0;
};

TEST_F(RomanaAwsMotoTest, TurnsEveryCheckOffAndTurnsAReenabledOneOffAgain) {
  // Five nodes exist before romana-aws starts; the sixth (InternalIP only) arrives by watch.
  std::string all;
  for (int i = 0; i < 5; ++i) absl::StrAppend(&all, NodeYaml(i), "---\n");
  std::ofstream(dir_.File("nodes.yaml")) << all;
  std::ofstream(dir_.File("node5.yaml")) << NodeYaml(5);
  std::string out;
  ASSERT_EQ(Kubectl({"create", "-f", dir_.File("nodes.yaml"), "--validate=false"}, &out), 0) << out;
  for (const auto& [id, v] : Checks()) ASSERT_TRUE(v.first && v.second) << id << " starts with the check on";
  StartRomanaAws();
  ASSERT_TRUE(WaitUntil([&] {
    auto c = Checks();
    int off = 0;
    for (const auto& [id, v] : c) off += (!v.first && !v.second);
    return off == 5;
  }, std::chrono::seconds(20))) << Log();
  ASSERT_EQ(Kubectl({"create", "-f", dir_.File("node5.yaml"), "--validate=false"}, &out), 0) << out;
  ASSERT_TRUE(WaitUntil([&] { return AllOff(); }, std::chrono::seconds(20))) << Log();
  // The EC2 change is visible a moment before romana-aws records its verification.
  nlohmann::json nodes;
  ASSERT_TRUE(WaitUntil([&] {
    nodes = nlohmann::json::parse(Get("/nodes"), nullptr, false);
    return nodes.is_object() && nodes.contains("node-5") && nodes["node-5"]["state"] == "disabled";
  })) << nodes.dump();
  EXPECT_EQ(nodes["node-5"]["instance_id"], vpc_.instances[5].id);  // found by InternalIP

  // Someone turns the check back on (instance and ENI): romana-aws turns it off again.
  const auto& victim = vpc_.instances[2];
  ASSERT_TRUE(ec2_->ModifyInstanceSourceDestCheck(victim.id, true).ok());
  ASSERT_TRUE(ec2_->ModifyNetworkInterfaceSourceDestCheck(victim.eni_id, true).ok());
  ASSERT_TRUE(Checks()[victim.id].first);
  ASSERT_TRUE(WaitUntil([&] { return AllOff(); }, std::chrono::seconds(20))) << Log();
  ASSERT_TRUE(WaitUntil([&] {
    nodes = nlohmann::json::parse(Get("/nodes"), nullptr, false);
    return nodes.is_object() && nodes["node-2"]["changes"] == 2;
  })) << nodes.dump();
  const std::string metrics = Get("/metrics");
  EXPECT_THAT(metrics, ::testing::HasSubstr(R"(romana_aws_source_dest_check_changes_total{node="node-2"} 2)"));
  EXPECT_THAT(metrics, ::testing::HasSubstr(R"(romana_aws_source_dest_check_enabled{node="node-0"} 0)"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("romana_aws_nodes 6"));

  // A node deleted with kubectl is forgotten.
  ASSERT_EQ(Kubectl({"delete", "node", "node-1"}, &out), 0) << out;
  ASSERT_TRUE(WaitUntil([&] { return Get("/metrics").find("romana_aws_nodes 5") != std::string::npos; }));
  EXPECT_EQ(proc_->Stop(std::chrono::seconds(5)), 0);  // clean exit on SIGTERM
  proc_.reset();
}

TEST_F(RomanaAwsMotoTest, ANodeWithoutAnInstanceIsReportedAndRetried) {
  api_->Put("nodes", {{"metadata", {{"name", "stray"}}}, {"spec", {{"providerID", "aws:///us-east-1a/i-0123456789abcdef0"}}}});
  StartRomanaAws();
  ASSERT_TRUE(WaitUntil([&] {
    nlohmann::json n = nlohmann::json::parse(Get("/nodes"), nullptr, false);
    return n.is_object() && n.contains("stray") && n["stray"]["failures"].get<int>() >= 1;
  }, std::chrono::seconds(20))) << Log();
  nlohmann::json n = nlohmann::json::parse(Get("/nodes"));
  EXPECT_EQ(n["stray"]["state"], "error");
  EXPECT_THAT(n["stray"]["last_error"].get<std::string>(), ::testing::HasSubstr("InvalidInstanceID.NotFound"));
  EXPECT_THAT(Get("/metrics"), ::testing::HasSubstr(R"(romana_aws_source_dest_check_enabled{node="stray"} 1)"));
}

}  // namespace
}  // namespace romana::aws
