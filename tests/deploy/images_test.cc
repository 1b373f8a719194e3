// Checks the Dockerfile against the project: its build stage installs exactly scripts/setup's
// toolchain and library packages, and its runtime stage installs the Debian 12 package of every
// shared library our binaries link (found with readelf and dpkg on the built binaries) and nothing
// the binaries do not use. Images are not built here (the base image cannot be fetched in CI).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "binaries.h"
#include "gtest/gtest.h"
#include "manifest_checks.h"

namespace romana::deploy {
namespace {

namespace fs = std::filesystem;

// Libraries every Debian image has (the base image's essential packages).
const std::set<std::string>& InBaseImage() {
  static const auto* s = new std::set<std::string>{"libc6", "libstdc++6", "libgcc-s1"};
  return *s;
}

// Runtime packages that hold no linked library, with the reason they are there.
const std::map<std::string, std::string>& NotLinked() {
  static const auto* m = new std::map<std::string, std::string>{
      {"ca-certificates", "TLS to the EC2 API, etcd and romanad"},
      // gRPC's own dependencies: a sanitizer build links them directly, a Debug build does not.
      {"libc-ares2", "gRPC (etcd client)"},
      {"libre2-9", "gRPC (etcd client)"},
      {"zlib1g", "gRPC (etcd client)"}};
  return *m;
}

TEST(DockerfileTest, BuildPackagesAreScriptsSetupsToolchainAndLibraries) {
  std::vector<std::string> build = DockerfileArgWords(romana::testing::ReadFile(romana::testing::SourceDir() / "Dockerfile"), "BUILD_PACKAGES");
  std::vector<std::string> setup = SetupPackages(romana::testing::ReadFile(romana::testing::SourceDir() / "scripts/setup"), {"toolchain", "libraries"});
  ASSERT_GE(setup.size(), 20u) << "scripts/setup's packages=( ... ) with # toolchain and # libraries not understood";
  std::set<std::string> b(build.begin(), build.end()), s(setup.begin(), setup.end());
  for (const std::string& p : s) {
    EXPECT_TRUE(b.count(p)) << "scripts/setup installs " << p << " but the Dockerfile's BUILD_PACKAGES does not";
  }
  for (const std::string& p : b) {
    EXPECT_TRUE(s.count(p)) << "the Dockerfile's BUILD_PACKAGES has " << p << ", scripts/setup's toolchain/libraries not";
  }
}

// The Debian package that owns each shared library the binaries link (DT_NEEDED), resolved by ldd.
// One readelf/ldd pass and one dpkg call (dpkg -S is slow per call).
std::map<std::string, std::string> LinkedLibraryPackages() {
  std::vector<std::string> argv = {
      "bash", "-c",
      "set -o pipefail; for b in \"$@\"; do readelf -d \"$b\" | sed -n 's/.*(NEEDED).*\\[\\(.*\\)\\]/\\1/p'; done "
      "| sort -u | while read -r l; do "
      "  f=$(ldd \"$@\" | awk -v l=\"$l\" '$1 == l && $2 == \"=>\" {print $3; exit}'); "
      "  f=$(readlink -f \"$f\"); echo \"$l ${f#/usr}\"; "
      "done",
      "libs"};
  for (const char* bin :
       {"romanad", "romana-agent", "romana-cni", "romana-listener", "romana-aws", "romana-vpcrouter", "romanactl"}) {
    fs::path path = romana::testing::BinaryDir() / OurBinaries().at(bin);
    EXPECT_TRUE(fs::exists(path)) << path << " is not built";
    argv.push_back(path.string());
  }
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
  EXPECT_TRUE(r.ok() && r->exit_code == 0) << "readelf/ldd failed: " << (r.ok() ? r->output : r.status().ToString());
  if (!r.ok()) return {};
  std::map<std::string, std::string> file_of;  // soname -> file without a leading /usr
  std::vector<std::string> dpkg = {"dpkg", "-S"};
  std::istringstream in(r->output);
  for (std::string soname, file; in >> soname >> file;) {
    file_of[soname] = file;
    dpkg.push_back(file);  // usrmerge: dpkg knows a library under /lib or under /usr/lib
    dpkg.push_back("/usr" + file);
  }
  absl::StatusOr<base::CommandResult> owners = base::RunCommand(dpkg);  // exits 1: half the paths are unknown
  EXPECT_TRUE(owners.ok()) << owners.status();
  std::map<std::string, std::string> package_of_file;
  std::istringstream lines(owners.ok() ? owners->output : "");
  for (std::string line; std::getline(lines, line);) {
    size_t sep = line.find(": /");
    if (sep == std::string::npos) continue;
    std::string file = line.substr(sep + 2);
    if (file.rfind("/usr/", 0) == 0) file = file.substr(4);
    package_of_file[file] = line.substr(0, line.find(':'));
  }
  std::map<std::string, std::string> out;
  for (const auto& [soname, file] : file_of) out[soname] = package_of_file[file];
  return out;
}

TEST(DockerfileTest, RuntimePackagesAreExactlyTheLinkedLibraries) {
  std::vector<std::string> runtime = DockerfileArgWords(romana::testing::ReadFile(romana::testing::SourceDir() / "Dockerfile"), "RUNTIME_PACKAGES");
  std::set<std::string> listed(runtime.begin(), runtime.end());
  ASSERT_FALSE(listed.empty()) << "no ARG RUNTIME_PACKAGES=\"...\" in the Dockerfile";
  std::map<std::string, std::string> linked = LinkedLibraryPackages();
  ASSERT_GE(linked.size(), 10u);
  std::set<std::string> needed;
  for (const auto& [soname, package] : linked) {
    ASSERT_FALSE(package.empty()) << soname << ": no Debian package owns it (is it installed from Debian?)";
    if (InBaseImage().count(package)) continue;
    // A sanitizer build (scripts/test) links its runtime; the images are Release builds.
    if (package.rfind("libasan", 0) == 0 || package.rfind("libubsan", 0) == 0) continue;
    needed.insert(package);
    EXPECT_TRUE(listed.count(package)) << "the binaries link " << soname << " from " << package
                                       << ", which the Dockerfile's RUNTIME_PACKAGES lacks";
  }
  for (const std::string& p : listed) {
    EXPECT_TRUE(needed.count(p) || NotLinked().count(p))
        << "RUNTIME_PACKAGES has " << p << ", which no binary links: drop it (or list why in NotLinked())";
    EXPECT_EQ(p.find("-dev"), std::string::npos) << p << ": a -dev package in the runtime image";
  }
}

TEST(DockerfileTest, EveryPackageExistsInDebian12) {
  std::ifstream dv("/etc/debian_version");
  std::string host;
  std::getline(dv, host);
  if (host.rfind("12", 0) != 0) GTEST_SKIP() << "the host is not Debian 12 (/etc/debian_version: " << host << ")";
  std::string dockerfile = romana::testing::ReadFile(romana::testing::SourceDir() / "Dockerfile");
  std::vector<std::string> argv = {"apt-cache", "show", "--no-all-versions"};
  for (const char* arg : {"BUILD_PACKAGES", "RUNTIME_PACKAGES"}) {
    for (const std::string& p : DockerfileArgWords(dockerfile, arg)) argv.push_back(p);
  }
  // One call (apt-cache is slow to start); a package it does not know has no "Package:" stanza.
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<std::string> known;
  std::istringstream in(r->output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Package: ", 0) == 0) known.insert(line.substr(9));
  }
  int checked = 0;
  for (size_t i = 3; i < argv.size(); ++i, ++checked) {
    EXPECT_TRUE(known.count(argv[i])) << argv[i] << " (Dockerfile) is no Debian 12 package (apt-cache show)";
  }
  EXPECT_GE(checked, 35);
}

TEST(DockerfileTest, EveryComponentHasATargetWithTheVersionLabel) {
  std::string dockerfile = romana::testing::ReadFile(romana::testing::SourceDir() / "Dockerfile");
  for (const char* t : {"romanad", "romana-agent", "romana-listener", "romana-aws", "romana-vpcrouter", "romanactl"}) {
    std::string from = std::string("FROM runtime AS ") + t + "\n";
    size_t at = dockerfile.find(from);
    ASSERT_NE(at, std::string::npos) << "no stage " << t;
    size_t end = dockerfile.find("\nFROM ", at + from.size());
    std::string stage = dockerfile.substr(at, end == std::string::npos ? std::string::npos : end - at);
    EXPECT_NE(stage.find("org.opencontainers.image.version=\"${VERSION}\""), std::string::npos) << t;
    EXPECT_NE(stage.find("ENTRYPOINT [\"/usr/local/bin/" + std::string(t) + "\"]"), std::string::npos) << t;
    // Non-root except the agent, which programs the host's network.
    EXPECT_EQ(stage.find("USER 65532") != std::string::npos, std::string(t) != "romana-agent") << t;
  }
  EXPECT_NE(dockerfile.find("/out/romana-cni"), std::string::npos) << "the agent image must carry romana-cni";
  // scripts/images passes the version from CMakeLists.txt's project().
  EXPECT_NE(romana::testing::ReadFile(romana::testing::SourceDir() / "scripts/images").find("--build-arg \"VERSION=$version\""), std::string::npos);
  EXPECT_NE(romana::testing::ReadFile(romana::testing::SourceDir() / "CMakeLists.txt").find("project(romana VERSION "), std::string::npos);
}

}  // namespace
}  // namespace romana::deploy
