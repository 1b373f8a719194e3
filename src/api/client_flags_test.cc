#include "api/client_flags.h"

#include <fstream>
#include <vector>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::api {
namespace {

TEST(RomanadFlagsTest, DefaultsAndParsedFlagsGiveClientOptions) {
  RomanadFlags flags;
  absl::StatusOr<ClientOptions> defaults = ClientOptionsFromFlags(flags);
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->server, "http://127.0.0.1:9600");
  EXPECT_EQ(defaults->token, "");

  testing::TempDir dir;
  const std::string token_file = dir.File("token");
  std::ofstream(token_file) << "s3cret\n";
  CLI::App app{"test"};
  AddRomanadFlags(app, flags);
  std::vector<std::string> args = {"bin", "--romanad", "https://romanad:9600", "--romanad-token-file", token_file,
                                   "--romanad-ca-file", "/etc/ca.pem"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  absl::StatusOr<ClientOptions> o = ClientOptionsFromFlags(flags);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->server, "https://romanad:9600");
  EXPECT_EQ(o->token, "s3cret");
  EXPECT_EQ(o->ca_file, "/etc/ca.pem");
}

TEST(RomanadFlagsTest, AnUnreadableTokenFileIsNamed) {
  absl::StatusOr<ClientOptions> o = ClientOptionsFromFlags({.token_file = "/nonexistent/token"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("--romanad-token-file"), std::string::npos) << o.status();
}

}  // namespace
}  // namespace romana::api
