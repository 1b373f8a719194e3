#include "base/flags.h"

#include <vector>

#include "gtest/gtest.h"

namespace romana::base {
namespace {

// ParseFlags over `args` (argv[0] added).
std::optional<int> Parse(CLI::App& app, std::vector<std::string> args) {
  args.insert(args.begin(), "binary");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return ParseFlags(app, static_cast<int>(argv.size()), argv.data());
}

TEST(FlagsTest, ParseFlagsGoesOnOrGivesTheExitCode) {
  LoggingFlags flags;
  CLI::App app{"test"};
  AddLoggingFlags(app, flags);
  EXPECT_EQ(flags.level, "info");
  EXPECT_EQ(flags.format, "text");
  EXPECT_EQ(Parse(app, {"--log-level", "debug", "--log-format", "json"}), std::nullopt);
  EXPECT_EQ(flags.level, "debug");
  EXPECT_EQ(flags.format, "json");
  CLI::App help{"test"};
  EXPECT_EQ(Parse(help, {"--help"}), 0);
  CLI::App bad{"test"};
  EXPECT_EQ(Parse(bad, {"--no-such-flag"}), 2) << "2 = usage, in every Romana binary";
  CLI::App bad_value{"test"};
  AddLoggingFlags(bad_value, flags);
  EXPECT_EQ(Parse(bad_value, {"--log-level"}), kExitUsage) << "a flag without its value";
}

TEST(FlagsTest, CheckLoggingFlagsNamesTheFlag) {
  EXPECT_TRUE(CheckLoggingFlags({}).ok());
  absl::Status s = CheckLoggingFlags({.level = "info", .format = "yaml"});
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_NE(s.message().find("--log-format"), absl::string_view::npos) << s;
}

}  // namespace
}  // namespace romana::base
