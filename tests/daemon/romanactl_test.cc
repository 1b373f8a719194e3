// romanactl against a running romanad: output formats, stdin input, config file, exit codes.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace romana {
namespace {

using testing::RomanadProcess;

constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.40.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["net1"], "map": [
      {"name": "rack-1", "assignment": {"rack": "r1"}, "groups": []},
      {"name": "rack-2", "assignment": {"rack": "r2"}, "groups": []}]}]})";

class RomanactlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto p = RomanadProcess::Start({.topology_json = kTopology, .token = "cli-token"});
    ASSERT_TRUE(p.ok()) << p.status();
    daemon_ = p->release();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }

  // Runs romanactl with --server and the token (unless `with_token` is false).
  static base::CommandResult Ctl(std::vector<std::string> args, const std::string& stdin_data = "", bool with_token = true) {
    std::vector<std::string> argv = {testing::AppBinary("romanactl"), "--server", daemon_->url()};
    if (with_token) {
      argv.push_back("--token");
      argv.push_back("cli-token");
    }
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = base::RunCommand(argv, stdin_data);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : base::CommandResult{};
  }

  static RomanadProcess* daemon_;
};
RomanadProcess* RomanactlTest::daemon_ = nullptr;

TEST_F(RomanactlTest, HostLifecycleInEveryFormat) {
  base::CommandResult add = Ctl({"host", "add", "cli-h1", "192.168.11.1", "-l", "rack=r1"});
  ASSERT_EQ(add.exit_code, 0) << add.output;
  EXPECT_NE(add.output.find("cli-h1"), std::string::npos);
  EXPECT_EQ(Ctl({"host", "add", "cli-h1", "192.168.11.2", "-l", "rack=r1"}).exit_code, 6);  // conflict
  base::CommandResult bad = Ctl({"host", "add", "cli-h2", "999.1.1.1"});
  EXPECT_EQ(bad.exit_code, 5) << bad.output;
  EXPECT_NE(bad.output.find("ip"), std::string::npos);
  EXPECT_EQ(Ctl({"host", "add", "cli-h2", "192.168.11.3", "-l", "norack"}).exit_code, 2);

  base::CommandResult table = Ctl({"host", "list"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_EQ(table.output.rfind("NAME", 0), 0u) << table.output;
  EXPECT_NE(table.output.find("192.168.11.1"), std::string::npos);
  base::CommandResult json = Ctl({"-o", "json", "host", "list"});
  ASSERT_EQ(json.exit_code, 0);
  nlohmann::json j = nlohmann::json::parse(json.output);
  EXPECT_EQ(j["hosts"][0]["name"], "cli-h1");
  base::CommandResult yaml = Ctl({"-o", "yaml", "host", "show", "cli-h1"});
  ASSERT_EQ(yaml.exit_code, 0);
  EXPECT_NE(yaml.output.find("name: cli-h1"), std::string::npos) << yaml.output;

  EXPECT_EQ(Ctl({"host", "show", "nope"}).exit_code, 4);
  EXPECT_EQ(Ctl({"host", "remove", "cli-h1"}, "", /*with_token=*/false).exit_code, 7);
  EXPECT_EQ(Ctl({"host", "remove", "cli-h1"}).exit_code, 0);
  EXPECT_EQ(Ctl({"host", "remove", "cli-h1"}).exit_code, 4);
}

TEST_F(RomanactlTest, AddressesBlocksNetworksTopology) {
  ASSERT_EQ(Ctl({"host", "add", "cli-h3", "192.168.11.4", "-l", "rack=r2"}).exit_code, 0);
  base::CommandResult a = Ctl({"-o", "json", "address", "allocate", "c9:eth0", "--host", "cli-h3"});
  ASSERT_EQ(a.exit_code, 0) << a.output;
  const std::string ip = nlohmann::json::parse(a.output)["ip"];
  EXPECT_NE(Ctl({"address", "show", ip, "--ip"}).output.find("c9:eth0"), std::string::npos);
  EXPECT_NE(Ctl({"address", "list", "--host", "cli-h3"}).output.find(ip), std::string::npos);
  base::CommandResult blocks = Ctl({"block", "list", "--host", "cli-h3"});
  ASSERT_EQ(blocks.exit_code, 0);
  EXPECT_NE(blocks.output.find("default:default"), std::string::npos) << blocks.output;
  EXPECT_NE(Ctl({"network", "list"}).output.find("10.40.0.0/16"), std::string::npos);
  EXPECT_NE(Ctl({"topology", "show"}).output.find("rack-2"), std::string::npos);
  EXPECT_EQ(Ctl({"address", "release", "c9:eth0"}).exit_code, 0);
  EXPECT_EQ(Ctl({"address", "release", "c9:eth0"}).exit_code, 4);

  // topology update from stdin: invalid (5), valid but conflicting (6).
  EXPECT_EQ(Ctl({"topology", "update", "-"}, R"({"networks": "x"})").exit_code, 5);
  EXPECT_EQ(Ctl({"topology", "update", "-"}, "not json").exit_code, 2);
  const std::string moved = R"({"networks": [{"name": "net1", "cidr": "10.50.0.0/16", "block_mask": 28}],
      "topologies": [{"networks": ["net1"], "map": [{"name": "x", "groups": []}]}]})";
  base::CommandResult conflict = Ctl({"topology", "update", "-"}, moved);
  EXPECT_EQ(conflict.exit_code, 6) << conflict.output;
}

TEST_F(RomanactlTest, PoliciesFromStdinAndFile) {
  const std::string two = R"([
    {"id": "cli-p1", "direction": "ingress", "applied_to": [{"tenant_id": "default"}],
     "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "tcp", "ports": [443]}]}]},
    {"id": "cli-p2", "direction": "egress", "applied_to": [{"tenant_id": "default"}],
     "ingress": [{"peers": [{"cidr": "10.0.0.0/8"}], "rules": [{"protocol": "any"}]}]}])";
  base::CommandResult add = Ctl({"policy", "add", "-"}, two);
  ASSERT_EQ(add.exit_code, 0) << add.output;
  base::CommandResult list = Ctl({"policy", "list"});
  EXPECT_NE(list.output.find("cli-p1"), std::string::npos);
  EXPECT_NE(list.output.find("egress"), std::string::npos);
  EXPECT_NE(Ctl({"policy", "show", "cli-p2"}).output.find("10.0.0.0/8"), std::string::npos);

  romana::testing::TempDir dir;
  std::ofstream(dir.File("bad.json")) << R"({"id": "cli-bad", "direction": "ingress", "applied_to": [{"dest": "local"}],
      "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "any"}]}]})";
  base::CommandResult bad = Ctl({"policy", "add", dir.File("bad.json")});
  EXPECT_EQ(bad.exit_code, 5) << bad.output;
  EXPECT_NE(bad.output.find("applied_to[0].dest"), std::string::npos) << bad.output;
  EXPECT_EQ(Ctl({"policy", "show", "cli-bad"}).exit_code, 4);
  EXPECT_EQ(Ctl({"policy", "add", dir.File("missing.json")}).exit_code, 2);
  EXPECT_EQ(Ctl({"policy", "remove", "cli-p1", "cli-p2"}).exit_code, 0);
  EXPECT_EQ(Ctl({"policy", "remove", "cli-p1"}).exit_code, 4);
}

TEST_F(RomanactlTest, StatusConfigFileAndUnreachable) {
  base::CommandResult st = Ctl({"-o", "json", "status"});
  ASSERT_EQ(st.exit_code, 0) << st.output;
  nlohmann::json j = nlohmann::json::parse(st.output);
  EXPECT_EQ(j["ready"], true);
  EXPECT_EQ(j["networks"], 1);

  romana::testing::TempDir dir;
  std::ofstream(dir.File("cli.yaml")) << "server: " << daemon_->url() << "\noutput: json\ntoken: cli-token\n";
  auto r = base::RunCommand({testing::AppBinary("romanactl"), "-c", dir.File("cli.yaml"), "network", "list"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->output;
  EXPECT_EQ(nlohmann::json::parse(r->output)["networks"][0]["name"], "net1");

  const int dead = testing::FreeLoopbackPort();
  auto down = base::RunCommand({testing::AppBinary("romanactl"), "--server", absl::StrCat("http://127.0.0.1:", dead),
                                "--timeout", "2", "host", "list"});
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->exit_code, 3) << down->output;
  auto usage = base::RunCommand({testing::AppBinary("romanactl"), "bogus"});
  EXPECT_EQ(usage->exit_code, 2);
}

TEST(RomanactlOfflineTest, TopologyPlanNeedsNoDaemon) {
  auto r = base::RunCommand({testing::AppBinary("romanactl"), "-o", "json", "topology", "plan", "--builtin", "kubeadm"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->output;
  EXPECT_EQ(nlohmann::json::parse(r->output)["networks"][0]["upstream_routes"], 8);
  auto bad = base::RunCommand({testing::AppBinary("romanactl"), "topology", "plan", "-"}, R"({"networks": []})");
  EXPECT_EQ(bad->exit_code, 5);
}

}  // namespace
}  // namespace romana
