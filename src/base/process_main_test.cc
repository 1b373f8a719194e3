#include "base/process_main.h"

#include <sys/resource.h>
#include <sys/utsname.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <semaphore>
#include <thread>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::base {
namespace {

TEST(ProcessMainTest, HostNameIsTheKernelsNodeName) {
  struct utsname u {};
  ASSERT_EQ(uname(&u), 0);
  EXPECT_EQ(HostName(), u.nodename);
}

TEST(ProcessMainTest, SiblingBinaryLivesBesideTheRunningOne) {
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  EXPECT_EQ(SiblingBinaryPath("romana-cni"), (self.parent_path() / "romana-cni").string());
}

TEST(ProcessMainTest, ProcessEnvironmentHoldsThisProcesssVariablesWithEqualsSignsInValues) {
  ASSERT_EQ(setenv("ROMANA_TEST_ENV", "a=b=c", 1), 0);
  std::map<std::string, std::string> env = ProcessEnvironment();
  EXPECT_EQ(env["ROMANA_TEST_ENV"], "a=b=c");
  unsetenv("ROMANA_TEST_ENV");
  EXPECT_FALSE(ProcessEnvironment().contains("ROMANA_TEST_ENV"));
}

TEST(ProcessMainTest, CheckLoggingNamesTheBadFlag) {
  EXPECT_TRUE(CheckLogging("debug", "json").ok());
  absl::Status level = CheckLogging("loud", "text");
  EXPECT_TRUE(absl::IsInvalidArgument(level));
  EXPECT_NE(level.message().find("--log-level"), absl::string_view::npos) << level;
  absl::Status format = CheckLogging("info", "xml");
  EXPECT_TRUE(absl::IsInvalidArgument(format));
  EXPECT_NE(format.message().find("--log-format"), absl::string_view::npos) << format;
}

TEST(ProcessMainTest, RaiseOpenFileLimitTakesTheHardLimit) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit lowered = before;
  lowered.rlim_cur = std::min<rlim_t>(before.rlim_max, 256);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  RaiseOpenFileLimit();
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
  setrlimit(RLIMIT_NOFILE, &before);
}

// The signal tests send SIGTERM to this process: ctest runs each test in a process of its own,
// and the signal is blocked before any thread starts.
TEST(ProcessMainTest, RunUntilTerminationSignalEndsWhenTheRunFails) {
  BlockTerminationSignals();
  bool stopped = false;
  absl::Status s = RunUntilTerminationSignal([] { return absl::InternalError("loop broke"); },
                                             [&stopped] { stopped = true; });
  EXPECT_EQ(s, absl::InternalError("loop broke"));
  EXPECT_TRUE(stopped);
}

TEST(ProcessMainTest, RunUntilTerminationSignalStopsTheRunOnASignal) {
  BlockTerminationSignals();
  std::atomic<bool> running{false};
  std::binary_semaphore stop{0};
  std::thread signaller([&running] {
    ASSERT_TRUE(testing::WaitUntil([&running] { return running.load(); }, std::chrono::seconds(10)));
    RaiseTerminationSignal();
  });
  absl::Status s = RunUntilTerminationSignal(
      [&] {
        running = true;
        stop.acquire();  // a loop that runs until stop() is called
        return absl::OkStatus();
      },
      [&stop] { stop.release(); });
  signaller.join();
  EXPECT_TRUE(s.ok()) << s;
}

TEST(ProcessMainTest, StopOnTerminationSignalSetsTheFlag) {
  BlockTerminationSignals();
  static std::atomic<bool> stop{false};
  StopOnTerminationSignal(stop);
  RaiseTerminationSignal();
  EXPECT_TRUE(testing::WaitUntil([] { return stop.load(); }, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace romana::base
