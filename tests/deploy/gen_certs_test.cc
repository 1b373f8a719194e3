// scripts/gen-certs: what it makes (files, modes, who signed what, names in the certificates)
// and that it is idempotent (a second run changes nothing; a new name re-issues only that
// certificate; --renew re-issues the leaves and keeps the CAs and the token). Uses openssl to
// look inside the files, as an operator would.
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::deploy {
namespace {

namespace fs = std::filesystem;

base::CommandResult RunCmd(const std::vector<std::string>& argv) {
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : base::CommandResult{};
}

base::CommandResult GenCerts(const fs::path& dir, std::vector<std::string> args = {}) {
  std::vector<std::string> argv = {(romana::testing::SourceDir() / "scripts/gen-certs").string(), "--dir", dir.string(),
                                   "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCmd(argv);
}

// Every file under dir -> its content.
std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = romana::testing::ReadFile(e.path());
  }
  return out;
}

unsigned Mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

bool Verifies(const fs::path& ca, const fs::path& cert) {
  return RunCmd({"openssl", "verify", "-CAfile", ca.string(), cert.string()}).exit_code == 0;
}

TEST(GenCertsTest, MakesTwoCasTheirCertificatesAndATokenWithPrivateModes) {
  romana::testing::TempDir tmp;
  const fs::path d = tmp.path() / "pki";
  base::CommandResult r = GenCerts(d, {"--romanad-san", "IP:10.1.2.3", "--etcd-client", "romanad", "--etcd-client",
                                       "romana-vpcrouter"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Mode(d), 0700u);
  for (const char* key : {"ca.key", "romanad.key", "token", "etcd/ca.key", "etcd/server.key", "etcd/peer.key",
                          "etcd/romanad-client.key", "etcd/romana-vpcrouter-client.key"}) {
    EXPECT_EQ(Mode(d / key), 0600u) << key;
  }
  EXPECT_EQ(Mode(d / "ca.crt"), 0644u);
  EXPECT_EQ(romana::testing::ReadFile(d / "token").size(), 65u);  // 32 random bytes in hex + newline
  // Who signed what: romanad's certificate by the Romana CA only, etcd's by the etcd CA only.
  EXPECT_TRUE(Verifies(d / "ca.crt", d / "romanad.crt"));
  EXPECT_FALSE(Verifies(d / "etcd/ca.crt", d / "romanad.crt"));
  for (const char* c : {"etcd/server.crt", "etcd/peer.crt", "etcd/romanad-client.crt", "etcd/romana-vpcrouter-client.crt"}) {
    EXPECT_TRUE(Verifies(d / "etcd/ca.crt", d / c)) << c;
    EXPECT_FALSE(Verifies(d / "ca.crt", d / c)) << c;
  }
  // The names clients connect to; romanad's certificate serves, it does not authenticate a client.
  const std::string romanad = RunCmd({"openssl", "x509", "-in", (d / "romanad.crt").string(), "-noout", "-text"}).output;
  for (const char* name : {"IP Address:127.0.0.1", "IP Address:10.96.0.99", "IP Address:100.64.0.99",
                           "DNS:romana.kube-system.svc", "IP Address:10.1.2.3"}) {
    EXPECT_NE(romanad.find(name), std::string::npos) << name << "\n" << romanad;
  }
  EXPECT_EQ(romanad.find("TLS Web Client Authentication"), std::string::npos) << romanad;
  const std::string etcd = RunCmd({"openssl", "x509", "-in", (d / "etcd/server.crt").string(), "-noout", "-text"}).output;
  EXPECT_NE(etcd.find("IP Address:10.96.0.88"), std::string::npos) << etcd;
}

TEST(GenCertsTest, IsIdempotentAndReissuesOnlyWhatNoLongerFits) {
  romana::testing::TempDir tmp;
  const fs::path d = tmp.path() / "pki";
  ASSERT_EQ(GenCerts(d).exit_code, 0);
  const std::map<std::string, std::string> first = Snapshot(d);
  ASSERT_EQ(GenCerts(d).exit_code, 0);
  EXPECT_EQ(Snapshot(d), first) << "a second run changed files";

  // A new name for romanad: only romanad's certificate and key change.
  ASSERT_EQ(GenCerts(d, {"--romanad-san", "DNS:romana.example"}).exit_code, 0);
  std::map<std::string, std::string> now = Snapshot(d);
  for (const auto& [file, content] : first) {
    const bool reissued = file == "romanad.crt" || file == "romanad.key";
    EXPECT_EQ(now[file] != content, reissued) << file;
  }
  // --renew: every leaf again, same CAs and token; everything still verifies.
  ASSERT_EQ(GenCerts(d, {"--renew"}).exit_code, 0);
  now = Snapshot(d);
  for (const char* same : {"ca.crt", "ca.key", "etcd/ca.crt", "etcd/ca.key", "token"}) EXPECT_EQ(now[same], first.at(same)) << same;
  for (const char* changed : {"etcd/server.crt", "etcd/peer.crt", "etcd/romanad-client.crt"}) {
    EXPECT_NE(now[changed], first.at(changed)) << changed;
  }
  EXPECT_TRUE(Verifies(d / "etcd/ca.crt", d / "etcd/server.crt"));
  // --new-token: only the token.
  ASSERT_EQ(GenCerts(d, {"--new-token"}).exit_code, 0);
  EXPECT_NE(Snapshot(d)["token"], now["token"]);
  // A certificate its CA did not sign (here: another directory's) is issued again.
  romana::testing::TempDir other;
  ASSERT_EQ(GenCerts(other.path() / "pki").exit_code, 0);
  fs::copy_file(other.path() / "pki/romanad.crt", d / "romanad.crt", fs::copy_options::overwrite_existing);
  fs::copy_file(other.path() / "pki/romanad.key", d / "romanad.key", fs::copy_options::overwrite_existing);
  ASSERT_EQ(GenCerts(d).exit_code, 0);
  EXPECT_TRUE(Verifies(d / "ca.crt", d / "romanad.crt"));
}

TEST(GenCertsTest, BadArgumentsAreRefusedWithTheReason) {
  romana::testing::TempDir tmp;
  base::CommandResult no_dir = RunCmd({(romana::testing::SourceDir() / "scripts/gen-certs").string()});
  EXPECT_EQ(no_dir.exit_code, 2);
  EXPECT_NE(no_dir.output.find("--dir"), std::string::npos) << no_dir.output;
  base::CommandResult bad_san = GenCerts(tmp.path() / "pki", {"--romanad-san", "10.1.2.3"});
  EXPECT_EQ(bad_san.exit_code, 2);
  EXPECT_NE(bad_san.output.find("IP:<address>"), std::string::npos) << bad_san.output;
  EXPECT_FALSE(fs::exists(tmp.path() / "pki")) << "refused arguments must change nothing";
  base::CommandResult help = RunCmd({(romana::testing::SourceDir() / "scripts/gen-certs").string(), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--romanad-san"), std::string::npos);
}

}  // namespace
}  // namespace romana::deploy
