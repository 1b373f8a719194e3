// Checks every command README.md and docs/*.md show in code blocks that runs one of our binaries:
// each subcommand exists and each option is one that binary (and subcommand) lists in its
// `--help`, and positional arguments are given only where the help lists some. The message names
// the file, the line and the command as written.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "base/testing/test_env.h"
#include "binaries.h"
#include "gtest/gtest.h"
#include "manifest_checks.h"

namespace romana::deploy {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> DocFiles() {
  std::vector<fs::path> out = {romana::testing::SourceDir() / "README.md"};
  for (const auto& e : fs::directory_iterator(romana::testing::SourceDir() / "docs")) {
    if (e.path().extension() == ".md") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Problems with one shown command (empty when it matches the binaries' --help).
std::vector<std::string> CheckCommand(const ShownCommand& c) {
  std::vector<std::string> problems;
  const std::string& bin = c.words[0];
  std::vector<std::string> subs;
  absl::StatusOr<std::string> help = HelpText(bin);
  if (!help.ok()) return {help.status().ToString()};
  std::map<std::string, HelpOption> options = ParseCli11Help(*help);
  for (size_t i = 1; i < c.words.size(); ++i) {
    const std::string& w = c.words[i];
    // Synopsis placeholders: <command>, [args], [global flags], ...
    if (w.empty() || w[0] == '<' || w[0] == '[' || w == "...") {
      if (w.empty() || w[0] != '[') continue;
      while (i + 1 < c.words.size() && (c.words[i].empty() || c.words[i].back() != ']')) ++i;
      continue;
    }
    if (w.size() > 1 && w[0] == '-' && w != "--") {
      std::string name = w.substr(0, w.find('='));
      auto it = options.find(name);
      if (it == options.end()) {
        problems.push_back("`" + absl::StrJoin(subs, " ", [](std::string* o, const std::string& s) { o->append(s); }) +
                           "` of " + bin + " has no option " + name);
        continue;
      }
      if (it->second.takes_value && w.find('=') == std::string::npos) ++i;  // its value
      continue;
    }
    std::vector<std::string> known_subs = Cli11Subcommands(*help);
    if (std::find(known_subs.begin(), known_subs.end(), w) != known_subs.end()) {
      subs.push_back(w);
      help = HelpText(bin, subs);
      if (!help.ok()) return {help.status().ToString()};
      // Our CLIs do not let options fall through: after a subcommand only its own options count
      // (`romanactl topology plan f -o json` is refused; `romanactl -o json topology plan f` works).
      options = ParseCli11Help(*help);
      continue;
    }
    if (!Cli11TakesPositionals(*help)) {
      problems.push_back("'" + w + "' is neither a subcommand of `" + bin + (subs.empty() ? "" : " ") +
                         absl::StrJoin(subs, " ") + "` nor a positional argument it takes");
    }
  }
  return problems;
}

TEST(DocsCommandsTest, EveryShownCommandMatchesTheBinarysHelp) {
  std::set<std::string> binaries;
  for (const auto& [name, path] : OurBinaries()) binaries.insert(name);
  int commands = 0;
  for (const fs::path& f : DocFiles()) {
    std::string rel = fs::relative(f, romana::testing::SourceDir()).string();
    for (const ShownCommand& c : CommandsInMarkdown(romana::testing::ReadFile(f), binaries)) {
      ++commands;
      for (const std::string& p : CheckCommand(c)) {
        ADD_FAILURE() << rel << ":" << c.line << ": `" << absl::StrJoin(c.words, " ") << "`: " << p;
      }
    }
  }
  EXPECT_GE(commands, 15);
}

TEST(DocsCommandsTest, CheckCommandCatchesWhatTheCliRefuses) {
  auto check = [](std::vector<std::string> words) { return CheckCommand(ShownCommand{1, std::move(words)}); };
  EXPECT_TRUE(check({"romanactl", "-o", "json", "topology", "plan", "f.json"}).empty());
  EXPECT_EQ(check({"romanactl", "topology", "plan", "f.json", "--json"}).size(), 1u);
  EXPECT_EQ(check({"romanactl", "topology", "plan", "f.json", "-o", "json"}).size(), 1u);
  EXPECT_EQ(check({"romanactl", "topology", "plna"}).size(), 1u);
  EXPECT_TRUE(check({"romanad", "--listen=:9600", "--etcd-endpoints", "http://127.0.0.1:2379"}).empty());
  EXPECT_EQ(check({"romanad", "--no-such-flag"}).size(), 1u);
}

TEST(DocsCommandsTest, FindsCommandsTheWayAReaderSeesThem) {
  const std::set<std::string> bins = {"romanactl", "romanad"};
  std::vector<ShownCommand> found = CommandsInMarkdown(
      "text romanactl x, `romanad` and `romanactl host list`\n```bash\n$ sudo FOO=1 romanactl -o json \\\n   topology plan f.json  # plan\n"
      "kubectl get pods | romanad --listen=:1\necho romanactl\n```\n~~~\n/usr/local/bin/romanad --x 'a b'\n~~~\n"
      "```json\nromanad --in-json\n```\n```\n\u250c\u2500\u2500\u2510\nromanad diagram\n```\n",
      bins);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].words, (std::vector<std::string>{"romanactl", "host", "list"}));
  found.erase(found.begin());
  EXPECT_EQ(found[0].line, 3);
  EXPECT_EQ(found[0].words, (std::vector<std::string>{"romanactl", "-o", "json", "topology", "plan", "f.json"}));
  EXPECT_EQ(found[1].words, (std::vector<std::string>{"romanad", "--listen=:1"}));
  EXPECT_EQ(found[2].words, (std::vector<std::string>{"romanad", "--x", "a b"}));
  EXPECT_EQ(found[2].line, 9);
}

}  // namespace
}  // namespace romana::deploy
