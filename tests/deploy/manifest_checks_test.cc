// The checker itself (manifest_checks.h): it must catch drift, not just pass.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/testing/test_env.h"
#include "binaries.h"
#include "gtest/gtest.h"
#include "manifest_checks.h"

namespace romana::deploy {
namespace {

TEST(ManifestChecksTest, ParsesCli11Help) {
  const std::string help =
      "romanad: Romana's central service.\n"
      "Usage: romanad [OPTIONS]\n\n"
      "Options:\n"
      "  -h,--help                   Print this help message and exit\n"
      "  --listen TEXT=:9600         Address:port (see --not-an-option)\n"
      "  --auth-reads                Also require the token for reads\n"
      "  --initial-network,--initial-topology-file TEXT:FILE\n"
      "                              Topology JSON (needs --tls-key-file)\n"
      "  -f,--file,--route_spec TEXT configfile mode\n";
  std::map<std::string, HelpOption> o = ParseCli11Help(help);
  std::set<std::string> names;
  for (const auto& [k, v] : o) names.insert(k);
  EXPECT_EQ(names, (std::set<std::string>{"-h", "--help", "--listen", "--auth-reads", "--initial-network",
                                          "--initial-topology-file", "-f", "--file", "--route_spec"}));
  EXPECT_TRUE(o["--listen"].takes_value);
  EXPECT_EQ(o["--listen"].default_value.value_or("none"), ":9600");
  EXPECT_FALSE(o["--auth-reads"].takes_value);
  EXPECT_TRUE(o["--initial-topology-file"].takes_value);
  EXPECT_FALSE(o["--initial-network"].default_value);
}

TEST(ManifestChecksTest, CheckArgsReportsEveryKindOfDrift) {
  std::map<std::string, HelpOption> o;
  o["--listen"] = {true, ":9600"};
  o["--auth-reads"] = {false, std::nullopt};
  EXPECT_TRUE(CheckArgs({"--listen=:1", "--listen", "x", "--auth-reads", "--auth-reads=true"}, o).empty());
  EXPECT_EQ(CheckArgs({"--lisen=:1"}, o).size(), 1u);            // unknown option
  EXPECT_EQ(CheckArgs({"--listen"}, o).size(), 1u);              // value missing
  EXPECT_EQ(CheckArgs({"--listen", "--auth-reads"}, o).size(), 1u);
  EXPECT_EQ(CheckArgs({"--auth-reads=yes"}, o).size(), 1u);      // a flag with a value
  EXPECT_EQ(CheckArgs({"stray"}, o).size(), 1u);                 // positional
}

TEST(ManifestChecksTest, SplitsDocumentsAndFindsCommentedArgs) {
  std::vector<std::string> docs = SplitYamlDocuments("# head\n---\na: 1\n# - --x=1\n--- \nb: 2\n  # - --y\n");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0], "# head\n");
  EXPECT_EQ(CommentedArgs(docs[1]), std::vector<std::string>{"--x=1"});
  EXPECT_EQ(CommentedArgs(docs[2]), std::vector<std::string>{"--y"});
  EXPECT_TRUE(CommentedArgs("# - name: foo\n#   kubectl apply -f x\n").empty());
  EXPECT_EQ(ArgValue({"--a=1", "--b", "2", "--a=3"}, "--a").value_or(""), "3");
  EXPECT_EQ(ArgValue({"--a=1", "--b", "2"}, "--b").value_or(""), "2");
  EXPECT_FALSE(ArgValue({"--ab=1"}, "--a"));
}

TEST(ManifestChecksTest, Ipv4InCidr) {
  EXPECT_TRUE(Ipv4InCidr("10.96.0.99", "10.96.0.0/12"));
  EXPECT_TRUE(Ipv4InCidr("10.111.255.255", "10.96.0.0/12"));
  EXPECT_FALSE(Ipv4InCidr("10.112.0.0", "10.96.0.0/12"));
  EXPECT_FALSE(Ipv4InCidr("100.64.0.99", "10.96.0.0/12"));
  EXPECT_TRUE(Ipv4InCidr("1.2.3.4", "0.0.0.0/0"));
  EXPECT_FALSE(Ipv4InCidr("10.96.0.256", "10.96.0.0/12"));
  EXPECT_FALSE(Ipv4InCidr("10.96.0.1", "10.96.0.0"));
  EXPECT_FALSE(Ipv4InCidr("10.96.0.1", "10.96.0.0/33"));
}

TEST(ManifestChecksTest, CanonicalYamlIgnoresKeyOrderButNotValues) {
  EXPECT_EQ(CanonicalYaml(YAML::Load("{a: 1, b: [x, {c: 2, d: 3}]}")),
            CanonicalYaml(YAML::Load("b:\n- x\n- d: 3\n  c: 2\na: 1\n")));
  EXPECT_NE(CanonicalYaml(YAML::Load("{a: 1, b: [x, y]}")), CanonicalYaml(YAML::Load("{a: 1, b: [y, x]}")));
  EXPECT_NE(CanonicalYaml(YAML::Load("{a: 1}")), CanonicalYaml(YAML::Load("{a: 2}")));
}

TEST(ManifestChecksTest, ReadsPackageListsAndSubcommands) {
  EXPECT_EQ(DockerfileArgWords("FROM x\nARG P=\"\\\n  a b \\\n  c\"\nRUN x\n", "P"),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(DockerfileArgWords("ARG Q=\"a\"\n", "P").empty());
  const std::string setup = "x=1\npackages=(\n  # toolchain\n  cc make\n  # libraries\n  libx-dev\n  # other\n  etcd\n)\n";
  EXPECT_EQ(SetupPackages(setup, {"toolchain", "libraries"}), (std::vector<std::string>{"cc", "make", "libx-dev"}));
  EXPECT_EQ(Cli11Subcommands("Usage: x\n\nOptions:\n  -h,--help  Help\n\nSubcommands:\n  host   Hosts\n  apply, add  Add, or apply\n\nExit codes"),
            (std::vector<std::string>{"host", "apply", "add"}));
  EXPECT_EQ(ShellWords("a 'b c' \"d\\\"e\" f\\ g"), (std::vector<std::string>{"a", "b c", "d\"e", "f g"}));
}

}  // namespace
}  // namespace romana::deploy
