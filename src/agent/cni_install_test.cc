#include "agent/cni_install.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CniInstallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "bin");
    std::filesystem::create_directories(dir_.path() / "net.d");
    std::ofstream(dir_.File("plugin")) << "#!/bin/sh\necho plugin v1\n";
    options_.plugin_source = dir_.File("plugin");
    options_.bin_dir = dir_.File("bin");
    options_.conf_dir = dir_.File("net.d");
    options_.plugin_config = {{"mtu", 1450}, {"romanad", "http://10.0.0.1:9600"}};
  }
  std::string ConfPath() { return dir_.File("net.d/10-romana.conflist"); }
  // Both steps, as the agent takes them (the config once it is ready).
  struct Installed {
    CniInstallResult plugin;
    bool config_written = false;
  };
  absl::StatusOr<Installed> Install(const CniInstallOptions& o) {
    absl::StatusOr<CniInstallResult> plugin = InstallCniPlugin(o);
    if (!plugin.ok()) return plugin.status();
    absl::StatusOr<bool> written = WriteCniConfig(o);
    if (!written.ok()) return written.status();
    return Installed{*plugin, *written};
  }
  romana::testing::TempDir dir_;
  CniInstallOptions options_;
};

TEST_F(CniInstallTest, InstallsBinaryAndConflist) {
  absl::StatusOr<Installed> r = Install(options_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->plugin.binary_written);
  EXPECT_TRUE(r->config_written);
  EXPECT_EQ(Read(dir_.File("bin/romana")), Read(dir_.File("plugin")));
  struct stat st;
  ASSERT_EQ(stat(dir_.File("bin/romana").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  nlohmann::json conf = nlohmann::json::parse(Read(ConfPath()));
  EXPECT_EQ(conf["name"], "romana-k8s-network");
  EXPECT_EQ(conf["cniVersion"], "1.0.0");
  EXPECT_EQ(conf["plugins"][0]["type"], "romana");
  EXPECT_EQ(conf["plugins"][0]["mtu"], 1450);
  EXPECT_EQ(conf["plugins"][1]["type"], "portmap");
  // No temporaries left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.File("net.d")), {}), 1);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.File("bin")), {}), 1);
}

TEST_F(CniInstallTest, SecondInstallWritesNothingAndAnUpdateRewrites) {
  ASSERT_TRUE(Install(options_).ok());
  absl::StatusOr<Installed> r = Install(options_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->plugin.binary_written);
  EXPECT_FALSE(r->config_written);
  std::ofstream(dir_.File("plugin")) << "#!/bin/sh\necho plugin v2\n";
  options_.plugin_config["mtu"] = 9000;
  r = Install(options_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->plugin.binary_written);
  EXPECT_TRUE(r->config_written);
  EXPECT_THAT(Read(dir_.File("bin/romana")), ::testing::HasSubstr("v2"));
  EXPECT_EQ(nlohmann::json::parse(Read(ConfPath()))["plugins"][0]["mtu"], 9000);
}

TEST_F(CniInstallTest, RefusesToClobberAnotherNetworkUnlessForced) {
  const std::string other = R"({"cniVersion":"0.4.0","name":"calico","plugins":[]})";
  std::ofstream(ConfPath()) << other;
  absl::StatusOr<Installed> r = Install(options_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("calico"));
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("--force-cni-config"));
  EXPECT_EQ(Read(ConfPath()), other);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("bin/romana")));  // nothing half-done
  options_.force = true;
  ASSERT_TRUE(Install(options_).ok());
  EXPECT_EQ(nlohmann::json::parse(Read(ConfPath()))["name"], "romana-k8s-network");
}

// The plugin goes in at start-up, the config only once the agent is ready: the first step never
// writes a config, and refuses up front a config it could not replace later.
TEST_F(CniInstallTest, ThePluginStepWritesNoConfigAndChecksTheOneThere) {
  absl::StatusOr<CniInstallResult> plugin = InstallCniPlugin(options_);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_TRUE(plugin->binary_written);
  EXPECT_TRUE(std::filesystem::exists(dir_.File("bin/romana")));
  EXPECT_FALSE(std::filesystem::exists(ConfPath()));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.File("net.d")), {}), 0);
  // Ours from an earlier run: left as it is (a restarted agent keeps the node network-ready).
  const std::string earlier = R"({"cniVersion":"0.4.0","name":"romana-k8s-network","plugins":[{"type":"romana"}]})";
  std::ofstream(ConfPath()) << earlier;
  ASSERT_TRUE(InstallCniPlugin(options_).ok());
  EXPECT_EQ(Read(ConfPath()), earlier);
  // Replaced by the current one when the config is written; then idempotent.
  absl::StatusOr<bool> written = WriteCniConfig(options_);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_TRUE(*written);
  EXPECT_EQ(nlohmann::json::parse(Read(ConfPath()))["cniVersion"], "1.0.0");
  written = WriteCniConfig(options_);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_FALSE(*written);
  // Another network's: refused by both steps, untouched.
  const std::string other = R"({"cniVersion":"0.4.0","name":"calico","plugins":[]})";
  std::ofstream(ConfPath()) << other;
  EXPECT_EQ(InstallCniPlugin(options_).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(WriteCniConfig(options_).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Read(ConfPath()), other);
}

TEST_F(CniInstallTest, RemoveTakesAwayOnlyOurConfig) {
  ASSERT_TRUE(Install(options_).ok());
  absl::StatusOr<bool> removed = RemoveCniConfig(options_);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(std::filesystem::exists(ConfPath()));
  EXPECT_TRUE(std::filesystem::exists(dir_.File("bin/romana")));  // DEL of existing pods still works
  removed = RemoveCniConfig(options_);  // idempotent
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_FALSE(*removed);
  const std::string other = R"({"cniVersion":"0.4.0","name":"calico","plugins":[]})";
  std::ofstream(ConfPath()) << other;
  options_.force = true;  // --force-cni-config overwrites, never removes, another network's config
  removed = RemoveCniConfig(options_);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_FALSE(*removed);
  EXPECT_EQ(Read(ConfPath()), other);
}

TEST_F(CniInstallTest, UnparsableExistingConfigIsNotOurs) {
  std::ofstream(ConfPath()) << "{ half-written";
  EXPECT_EQ(Install(options_).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(CniInstallTest, BadOptionsNameTheFlag) {
  CniInstallOptions o = options_;
  o.conf_file = "romana.conf";
  EXPECT_THAT(Install(o).status().message(), ::testing::HasSubstr("--cni-conf-file"));
  o = options_;
  o.conf_dir = dir_.File("missing");
  EXPECT_THAT(Install(o).status().message(), ::testing::HasSubstr("--cni-conf-dir"));
  o = options_;
  o.plugin_source = dir_.File("nope");
  EXPECT_EQ(Install(o).status().code(), absl::StatusCode::kNotFound);
}

TEST(WriteFileAtomicallyTest, ReplacesWholeFileAndLeavesNoTemporary) {
  romana::testing::TempDir dir;
  const std::string p = dir.File("f");
  ASSERT_TRUE(WriteFileAtomically(p, "first, longer content\n", 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(p, "second\n", 0644).ok());
  EXPECT_EQ(Read(p), "second\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
  EXPECT_FALSE(WriteFileAtomically(dir.File("no/such/dir/f"), "x", 0644).ok());
}

TEST_F(CniInstallTest, TokenAndCaAreInstalledNextToTheConfigAndNamedByTheirHostPath) {
  // The agent's view of the host's conf dir is dir_/net.d (mounted at /host/etc/cni/net.d in its
  // container); the runtime on the host knows it as /etc/cni/net.d. The token and CA the agent
  // got are container paths (a mounted Secret) that the plugin on the host cannot read.
  std::filesystem::create_directories(dir_.path() / "secret");
  std::ofstream(dir_.File("secret/token")) << "  s3cret\n";
  std::ofstream(dir_.File("secret/ca.crt")) << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  options_.token_source = dir_.File("secret/token");
  options_.ca_source = dir_.File("secret/ca.crt");
  options_.host_conf_dir = "/etc/cni/net.d";
  absl::StatusOr<Installed> r = Install(options_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->plugin.secrets_written);
  nlohmann::json plugin = nlohmann::json::parse(Read(ConfPath()))["plugins"][0];
  EXPECT_EQ(plugin["romanad_token_file"], "/etc/cni/net.d/romana/token");
  EXPECT_EQ(plugin["romanad_ca_file"], "/etc/cni/net.d/romana/ca.crt");
  EXPECT_EQ(Read(dir_.File("net.d/romana/token")), "s3cret\n");  // trimmed, like every token file
  EXPECT_EQ(Read(dir_.File("net.d/romana/ca.crt")), Read(dir_.File("secret/ca.crt")));
  for (const auto& [path, mode] : {std::pair{dir_.File("net.d/romana"), 0700u},
                                   {dir_.File("net.d/romana/token"), 0600u},
                                   {dir_.File("net.d/romana/ca.crt"), 0600u}}) {
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 0777, mode) << path;
  }
  // Unchanged: nothing rewritten. A loosened mode is repaired.
  r = Install(options_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->plugin.secrets_written);
  EXPECT_FALSE(r->config_written);
  ASSERT_EQ(chmod(dir_.File("net.d/romana/token").c_str(), 0644), 0);
  r = Install(options_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->plugin.secrets_written);
  struct stat st;
  ASSERT_EQ(stat(dir_.File("net.d/romana/token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A rotated token is installed.
  std::ofstream(dir_.File("secret/token")) << "n3w\n";
  ASSERT_TRUE(Install(options_).ok());
  EXPECT_EQ(Read(dir_.File("net.d/romana/token")), "n3w\n");
}

TEST_F(CniInstallTest, WithoutAHostConfDirTheConfDirIsTheHostPath) {
  std::ofstream(dir_.File("token")) << "t\n";
  options_.token_source = dir_.File("token");
  ASSERT_TRUE(Install(options_).ok());
  nlohmann::json plugin = nlohmann::json::parse(Read(ConfPath()))["plugins"][0];
  EXPECT_EQ(plugin["romanad_token_file"], dir_.File("net.d") + "/romana/token");
  EXPECT_FALSE(plugin.contains("romanad_ca_file"));
}

TEST_F(CniInstallTest, AnEmptyTokenFileIsRefusedAndTheConfigIsNotWritten) {
  std::ofstream(dir_.File("token")) << "\n";
  options_.token_source = dir_.File("token");
  absl::StatusOr<Installed> r = Install(options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("--romanad-token-file"), std::string::npos) << r.status();
  EXPECT_FALSE(std::filesystem::exists(ConfPath()));
}

}  // namespace
}  // namespace romana::agent
