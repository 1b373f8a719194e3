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

  // Runs romanactl with --server and the token file (unless `with_token` is false).
  static base::CommandResult Ctl(std::vector<std::string> args, const std::string& stdin_data = "", bool with_token = true) {
    std::vector<std::string> argv = {testing::AppBinary("romanactl"), "--server", daemon_->url()};
    if (with_token) {
      argv.push_back("--token-file");
      argv.push_back(TokenFile());
    }
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = base::RunCommand(argv, stdin_data);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : base::CommandResult{};
  }

  // The file romanad reads its token from (written by RomanadProcess, with a trailing newline).
  static std::string TokenFile() { return daemon_->temp_dir() + "/token"; }

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

  ASSERT_TRUE(daemon_->client()
                  .PutHostStatus({.host = "cli-h1", .policy_errors = {"romana:p9: no such thing"}, .policy_error_count = 1})
                  .ok());
  base::CommandResult status = Ctl({"host", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("romana:p9: no such thing"), std::string::npos) << status.output;
  EXPECT_EQ(Ctl({"-o", "json", "host", "status", "cli-h1"}).exit_code, 0);
  EXPECT_EQ(Ctl({"host", "status", "nope"}).exit_code, 4);
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

TEST_F(RomanactlTest, PolicyApplyAndDeleteSpellings) {
  const std::string p = R"({"id": "cli-p3", "direction": "ingress", "applied_to": [{"tenant_id": "default"}],
     "ingress": [{"peers": [{"peer": "any"}], "rules": [{"protocol": "tcp", "ports": [22]}]}]})";
  base::CommandResult apply = Ctl({"policy", "apply", "-f", "-"}, p);
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  EXPECT_NE(apply.output.find("applied"), std::string::npos) << apply.output;
  EXPECT_NE(Ctl({"-o", "json", "policy", "show", "cli-p3"}).output.find("\"ports\""), std::string::npos);
  EXPECT_EQ(Ctl({"policy", "apply"}).exit_code, 2);  // no file
  EXPECT_EQ(Ctl({"policy", "delete", "cli-p3"}).exit_code, 0);
  EXPECT_EQ(Ctl({"policy", "delete", "cli-p3"}).exit_code, 4);
}

// Two YAML documents: one names its namespace, one takes it from -n (default: "default").
constexpr char kTwoNetworkPolicies[] = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-a
  namespace: cli-x
  labels: {port: "80"}
spec:
  podSelector:
    matchLabels: {pod: b}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: pod, operator: In, values: [a, c]}
    ports:
    - port: serve-80-tcp
    - protocol: UDP
      port: 81
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
)";

TEST_F(RomanactlTest, NetworkPoliciesApplyListShowDelete) {
  romana::testing::TempDir dir;
  std::ofstream(dir.File("two.yaml")) << kTwoNetworkPolicies;
  base::CommandResult apply = Ctl({"networkpolicy", "apply", "-f", dir.File("two.yaml")});
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  EXPECT_NE(apply.output.find("cli-x      allow-a   created"), std::string::npos) << apply.output;
  EXPECT_NE(apply.output.find("default    deny-all  created"), std::string::npos) << apply.output;
  // The namespace of -n conflicts with the document's: that object is refused, the other applied.
  base::CommandResult clash = Ctl({"networkpolicy", "apply", "-f", dir.File("two.yaml"), "-n", "cli-z"});
  EXPECT_EQ(clash.exit_code, 5) << clash.output;
  EXPECT_NE(clash.output.find("differs from -n"), std::string::npos) << clash.output;
  EXPECT_NE(clash.output.find("cli-z      deny-all  created"), std::string::npos) << clash.output;

  base::CommandResult list = Ctl({"networkpolicy", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_EQ(list.output.rfind("NAMESPACE", 0), 0u) << list.output;
  EXPECT_NE(list.output.find("pod=b"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("<none>"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("Ingress,Egress"), std::string::npos) << list.output;
  base::CommandResult only_y = Ctl({"-o", "json", "netpol", "list", "-n", "default"});
  ASSERT_EQ(only_y.exit_code, 0) << only_y.output;
  nlohmann::json y = nlohmann::json::parse(only_y.output);
  ASSERT_EQ(y["networkpolicies"].size(), 1u);
  EXPECT_EQ(y["networkpolicies"][0]["metadata"]["name"], "deny-all");

  // show: NAMESPACE/NAME or -n NAMESPACE NAME; the object as applied (YAML string "80" stays a string).
  base::CommandResult shown = Ctl({"-o", "json", "networkpolicy", "show", "cli-x/allow-a"});
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  nlohmann::json allow = nlohmann::json::parse(shown.output);
  EXPECT_EQ(allow["metadata"]["labels"]["port"], "80");
  EXPECT_EQ(allow["spec"]["ingress"][0]["ports"][0]["port"], "serve-80-tcp");
  EXPECT_EQ(allow["spec"]["ingress"][0]["ports"][1]["port"], 81);
  EXPECT_EQ(nlohmann::json::parse(Ctl({"-o", "json", "networkpolicy", "show", "-n", "cli-x", "allow-a"}).output), allow);
  base::CommandResult yaml = Ctl({"networkpolicy", "show", "cli-x/allow-a"});
  ASSERT_EQ(yaml.exit_code, 0);
  EXPECT_NE(yaml.output.find("name: allow-a"), std::string::npos) << yaml.output;
  // What show prints applies back unchanged ("configured").
  base::CommandResult again = Ctl({"networkpolicy", "apply", "-f", "-"}, yaml.output);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("configured"), std::string::npos) << again.output;
  EXPECT_EQ(nlohmann::json::parse(Ctl({"-o", "json", "networkpolicy", "show", "cli-x/allow-a"}).output), allow);
  EXPECT_EQ(Ctl({"networkpolicy", "show", "cli-x/nope"}).exit_code, 4);
  EXPECT_EQ(Ctl({"networkpolicy", "show", "a/b/c"}).exit_code, 2);

  // Deletes need the token; a second delete is 4.
  EXPECT_EQ(Ctl({"networkpolicy", "delete", "cli-x/allow-a"}, "", /*with_token=*/false).exit_code, 7);
  EXPECT_EQ(Ctl({"networkpolicy", "delete", "cli-x/allow-a", "cli-z/deny-all"}).exit_code, 0);
  EXPECT_EQ(Ctl({"networkpolicy", "delete", "deny-all"}).exit_code, 0);  // in "default"
  EXPECT_EQ(Ctl({"networkpolicy", "delete", "cli-x/allow-a"}).exit_code, 4);
  EXPECT_NE(Ctl({"netpol", "list"}).output.find("NAMESPACE"), std::string::npos);
  EXPECT_EQ(Ctl({"-o", "json", "netpol", "list"}).output.find("allow-a"), std::string::npos);
}

TEST_F(RomanactlTest, NetworkPolicyApplyReportsEachObject) {
  // A kind: List from stdin with one valid and one invalid policy: the valid one is stored, the
  // invalid one is reported with its field, the exit code is the failure's (5).
  const std::string list = R"({"apiVersion": "v1", "kind": "List", "items": [
      {"kind": "NetworkPolicy", "metadata": {"name": "ok", "namespace": "cli-l"}, "spec": {"podSelector": {}}},
      {"kind": "NetworkPolicy", "metadata": {"name": "bad", "namespace": "cli-l"},
       "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": 79}]}]}}]})";
  base::CommandResult r = Ctl({"networkpolicy", "apply", "-f", "-"}, list);
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_NE(r.output.find("spec.ingress[0].ports[0].endPort"), std::string::npos) << r.output;
  EXPECT_EQ(Ctl({"networkpolicy", "show", "cli-l/ok"}).exit_code, 0);
  EXPECT_EQ(Ctl({"networkpolicy", "show", "cli-l/bad"}).exit_code, 4);
  base::CommandResult json = Ctl({"-o", "json", "networkpolicy", "apply", "-f", "-"}, list);
  nlohmann::json results = nlohmann::json::parse(json.output);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["ok"], true);
  EXPECT_EQ(results[0]["result"]["metadata"]["name"], "ok");
  EXPECT_EQ(results[1]["ok"], false);

  EXPECT_EQ(Ctl({"networkpolicy", "apply", "-f", "-"}, "kind: Pod\nmetadata: {name: p}\n").exit_code, 5);
  EXPECT_EQ(Ctl({"networkpolicy", "apply", "-f", "-"}, "spec: {}\n").exit_code, 5);  // no name
  EXPECT_EQ(Ctl({"networkpolicy", "apply", "-f", "-"}, "a: [1,\n").exit_code, 2);   // not YAML
  EXPECT_EQ(Ctl({"networkpolicy", "apply", "-f", "-"}, "").exit_code, 2);           // no objects
  EXPECT_EQ(Ctl({"networkpolicy", "apply", "-f", "/nonexistent/x.yaml"}).exit_code, 2);
  EXPECT_EQ(Ctl({"networkpolicy", "apply"}).exit_code, 2);
  EXPECT_EQ(Ctl({"networkpolicy", "delete", "cli-l/ok"}).exit_code, 0);
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

TEST_F(RomanactlTest, TokenComesFromAFileOrTheEnvironmentNeverFromArgv) {
  // --token is refused before anything is sent, with a message that says what to use instead.
  base::CommandResult argv_token = Ctl({"--token", "cli-token", "host", "add", "cli-argv", "192.168.14.1", "-l", "rack=r1"}, "", false);
  EXPECT_EQ(argv_token.exit_code, 2) << argv_token.output;
  EXPECT_NE(argv_token.output.find("--token-file"), std::string::npos) << argv_token.output;
  EXPECT_NE(argv_token.output.find("ROMANA_TOKEN"), std::string::npos) << argv_token.output;
  EXPECT_EQ(Ctl({"-o", "json", "host", "list"}).output.find("cli-argv"), std::string::npos);

  // ROMANA_TOKEN (set by `env`, so the token is not in romanactl's own argv).
  auto with_env = [&](const std::string& token, std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/env", "ROMANA_TOKEN=" + token, testing::AppBinary("romanactl"),
                                     "--server", daemon_->url()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = base::RunCommand(argv);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : base::CommandResult{};
  };
  base::CommandResult env_ok = with_env("cli-token\n", {"host", "add", "cli-env", "192.168.14.2", "-l", "rack=r1"});
  EXPECT_EQ(env_ok.exit_code, 0) << env_ok.output;
  EXPECT_EQ(with_env("wrong", {"host", "add", "cli-env2", "192.168.14.3", "-l", "rack=r1"}).exit_code, 7);

  // --token-file "-" reads stdin, trimmed like every token file.
  base::CommandResult from_stdin = Ctl({"--token-file", "-", "host", "add", "cli-stdin", "192.168.14.4", "-l", "rack=r1"}, "  cli-token\r\n", false);
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.output;
  // An empty token file is a usage error naming the file, not an unauthenticated call.
  romana::testing::TempDir dir;
  std::ofstream(dir.File("empty"));
  base::CommandResult empty = Ctl({"--token-file", dir.File("empty"), "host", "add", "cli-empty", "192.168.14.5", "-l", "rack=r1"}, "", false);
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
  EXPECT_NE(empty.output.find(dir.File("empty")), std::string::npos) << empty.output;
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
