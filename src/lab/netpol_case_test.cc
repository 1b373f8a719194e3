// Pure parts of the NetworkPolicy model and harness: case files, placeholders, label changes. Also checks that every shared case (when ../shared/testdata/netpol exists) and
// every own case (tests/e2e/policy_cases) parses.
#include "lab/netpol_case.h"

#include "base/testing/test_env.h"
#include "cli/manifest.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lab/netpol_model.h"

namespace romana::lab {
namespace {

using ::testing::HasSubstr;

TEST(NetpolCaseTest, LargeCidrIsTheSlashFourOfTheAddress) {
  EXPECT_EQ(LargeCidr("10.244.1.7").value(), "0.0.0.0/4");
  EXPECT_EQ(LargeCidr("172.16.0.5").value(), "160.0.0.0/4");
  EXPECT_EQ(LargeCidr("192.168.3.4").value(), "192.0.0.0/4");
  EXPECT_EQ(LargeCidr("255.1.1.1").value(), "240.0.0.0/4");
  EXPECT_FALSE(LargeCidr("fd00::5").ok());
  EXPECT_FALSE(LargeCidr("x").ok());
}

TEST(NetpolCaseTest, SubstitutesPlaceholdersEverywhere) {
  nlohmann::json policy = {{"spec", {{"egress", {{{"to", {{{"ipBlock", {{"cidr", "{{large_cidr x/b}}"},
                                                                          {"except", {"{{ip x/c}}/32"}}}}}}}}}}}},
                           {"n", 5}};
  absl::StatusOr<nlohmann::json> out = SubstitutePlaceholders(policy, {{"x/b", "10.112.0.9"}, {"x/c", "10.112.0.17"}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)["spec"]["egress"][0]["to"][0]["ipBlock"]["cidr"], "0.0.0.0/4");
  EXPECT_EQ((*out)["spec"]["egress"][0]["to"][0]["ipBlock"]["except"][0], "10.112.0.17/32");
  EXPECT_EQ((*out)["n"], 5);
  EXPECT_THAT(SubstitutePlaceholders("{{ip y/a}}", {}).status().message(), HasSubstr("no pod \"y/a\""));
  EXPECT_THAT(SubstitutePlaceholders("{{mask x/a}}", {{"x/a", "1.2.3.4"}}).status().message(), HasSubstr("not ip or large_cidr"));
  EXPECT_THAT(SubstitutePlaceholders("{{ip x/a", {{"x/a", "1.2.3.4"}}).status().message(), HasSubstr("unclosed"));
  EXPECT_EQ(SubstitutePlaceholders("a {{ip x/a}} b {{ip x/a}}", {{"x/a", "1.2.3.4"}}).value(), "a 1.2.3.4 b 1.2.3.4");
}

TEST(NetpolCaseTest, LabelChangesLikeKubectl) {
  absl::StatusOr<LabelChanges> c = ParseLabelChanges({"a=1", "b-", "c="});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->at("a"), "1");
  EXPECT_EQ(c->at("b"), std::nullopt);
  EXPECT_EQ(c->at("c"), "");
  EXPECT_THAT(ParseLabelChanges({"=1"}).status().message(), HasSubstr("empty key"));
  EXPECT_THAT(ParseLabelChanges({"k"}).status().message(), HasSubstr("key=value"));
  EXPECT_FALSE(ParseLabelChanges({}).ok());
  EXPECT_FALSE(ParseLabelChanges({"-"}).ok());
}

TEST(NetpolCaseTest, ModelPodsAndPorts) {
  EXPECT_EQ(AllModelPods().size(), 9u);
  EXPECT_TRUE(ValidateModelPods({"x/a", "z/c"}).ok());
  EXPECT_THAT(ValidateModelPods({"x/d"}).message(), HasSubstr("x/d"));
  EXPECT_THAT(ValidateModelPods({"x/a", "x/a"}).message(), HasSubstr("twice"));
  nlohmann::json ports = ModelEndpointPorts();
  ASSERT_EQ(ports.size(), 6u);
  EXPECT_EQ(ports[0], (nlohmann::json{{"name", "serve-80-tcp"}, {"port", 80}, {"protocol", "TCP"}}));
  EXPECT_EQ(ports[5], (nlohmann::json{{"name", "serve-81-sctp"}, {"port", 81}, {"protocol", "SCTP"}}));
}

constexpr char kCase[] = R"(
name: deny x/a
pods: [x/a, y/a]
steps:
- actions:
  - op: create
    kind: NetworkPolicy
    object: {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: d, namespace: x}, spec: {podSelector: {}}}
  - {op: sleep, seconds: 3}
  probes:
  - port: 80
    protocol: TCP
    reachability:
      x/a: {x/a: ignore, y/a: true}
      y/a: {x/a: false, y/a: ignore}
  - port: 81
    protocol: UDP
    reachability: |
      -    x/a  y/a
      x/a  -    .
      y/a  X    -
)";

TEST(NetpolCaseTest, ParsesBothReachabilityForms) {
  absl::StatusOr<std::vector<nlohmann::json>> d = cli::ReadManifests(kCase);
  ASSERT_TRUE(d.ok()) << d.status();
  absl::StatusOr<NetpolCase> c = ParseNetpolCase((*d)[0]);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name, "deny x/a");
  ASSERT_EQ(c->steps.size(), 1u);
  EXPECT_EQ(c->steps[0].actions.size(), 2u);
  ASSERT_EQ(c->steps[0].probes.size(), 2u);
  EXPECT_EQ(c->steps[0].probes[1].protocol, Protocol::kUdp);
  EXPECT_EQ(c->steps[0].probes[1].port, 81);
  EXPECT_EQ(c->steps[0].probes[0].reachability, c->steps[0].probes[1].reachability);
  EXPECT_EQ(c->steps[0].probes[0].reachability.Get("y/a", "x/a").value(), Reachability::kBlocked);
}

TEST(NetpolCaseTest, RejectsBadCasesNamingTheField) {
  auto parse = [](const std::string& yaml) {
    absl::StatusOr<std::vector<nlohmann::json>> d = cli::ReadManifests(yaml);
    return ParseNetpolCase((*d)[0]).status();
  };
  EXPECT_THAT(parse("pods: [x/a]\nsteps: [{}]\n").message(), HasSubstr("name: required"));
  EXPECT_THAT(parse("name: n\npods: [w/a]\nsteps: [{}]\n").message(), HasSubstr("pods: pod \"w/a\""));
  EXPECT_THAT(parse("name: n\npods: [x/a]\n").message(), HasSubstr("steps"));
  EXPECT_THAT(parse("name: n\npods: [x/a, x/b]\nsteps: [{probes: [{port: 80, reachability: {x/a: {x/a: ignore, x/b: maybe}, "
                    "x/b: {x/a: true, x/b: ignore}}}]}]\n").message(),
              HasSubstr("steps[0].probes[0].reachability.x/a.x/b: \"maybe\""));
  EXPECT_THAT(parse("name: n\npods: [x/a, x/b]\nsteps: [{probes: [{port: 80, protocol: ICMP}]}]\n").message(),
              HasSubstr("steps[0].probes[0].protocol"));
  EXPECT_THAT(parse("name: n\npods: [x/a, x/b]\nsteps: [{probes: [{port: 80, reachability: {x/a: {x/a: ignore, x/b: true}}}]}]\n").message(),
              HasSubstr("no row for x/b"));
  EXPECT_THAT(parse("name: n\npods: [x/a, x/b]\nsteps: [{actions: [{kind: x}]}]\n").message(), HasSubstr("with an op"));
}

void ExpectAllParse(const std::filesystem::path& dir, size_t at_least) {
  std::vector<std::string> files = ListCaseFiles(dir.string());
  EXPECT_GE(files.size(), at_least) << dir;
  for (const std::string& f : files) {
    absl::StatusOr<NetpolCase> c = ReadNetpolCase(f);
    EXPECT_TRUE(c.ok()) << c.status();
  }
}

TEST(NetpolCaseTest, EverySharedCaseParses) {
  std::filesystem::path dir = romana::testing::SharedTestdata("netpol");
  if (dir.empty()) GTEST_SKIP() << "../shared/testdata/netpol is absent: the shared NetworkPolicy cases are not checked";
  ExpectAllParse(dir / "cases", 24);
}

TEST(NetpolCaseTest, EveryOwnCaseParses) {
  ExpectAllParse(romana::testing::SourceDir() / "tests/e2e/policy_cases", 10);
}

}  // namespace
}  // namespace romana::lab
