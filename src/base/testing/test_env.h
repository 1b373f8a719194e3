// test_env.h: hermetic helpers for tests: temporary directories, free loopback ports,
// waiting for a condition, and where the source tree and built binaries are.
#ifndef ROMANA_BASE_TESTING_TEST_ENV_H_
#define ROMANA_BASE_TESTING_TEST_ENV_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace romana::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int FreeLoopbackPort();

// Polls `condition` until it returns true or `timeout` passes; returns its last value.
// The poll interval starts at 1 ms and backs off to 50 ms.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The project's source directory and build directory (compiled into every test).
std::filesystem::path SourceDir();
std::filesystem::path BinaryDir();

// ../shared/testdata/<sub> when that folder exists, else empty.
std::filesystem::path SharedTestdata(const std::string& sub);

// The whole content of the file at `path`; "" when it cannot be read (the caller's assertion on
// the content then fails and names the file).
std::string ReadFile(const std::filesystem::path& path);

// True when the process runs as root (network-namespace tests skip otherwise).
bool IsRoot();

// "<prefix><pid mod 100000><n>", n counting up per process: a short name no other test run on
// the machine uses at the same time (lab ids, namespace names).
std::string UniqueName(const std::string& prefix);

// True in CI: the environment has CI or ROMANA_CI set to anything but "", "0" or "false"
// (.ci/run sets CI=true). There every tool a test needs must be installed (scripts/setup).
bool InCi();

}  // namespace romana::testing

// For a test whose tool (a binary, a CNI plugin) is missing: skips with `message` on a developer's
// machine, FAILS with it in CI (InCi()), so a missing install step never passes as a skip. Use in a
// TEST body or SetUp(): `if (!exists) ROMANA_SKIP_UNLESS_CI() << "podman is not installed";`.
// (Shared test data, ../shared/testdata, is not a tool: tests skip without it everywhere.)
// (One statement, as GTEST_SKIP() and GTEST_FAIL() expand to, so it nests in an unbraced if.)
#define ROMANA_SKIP_UNLESS_CI()                                                                              \
  return ::testing::internal::AssertHelper(                                                                  \
             ::romana::testing::InCi() ? ::testing::TestPartResult::kFatalFailure                            \
                                       : ::testing::TestPartResult::kSkip,                                   \
             __FILE__, __LINE__,                                                                             \
             ::romana::testing::InCi() ? "missing in CI (scripts/setup installs or checks every tool the "   \
                                         "tests use)"                                                        \
                                       : "") = ::testing::Message()

#endif  // ROMANA_BASE_TESTING_TEST_ENV_H_
