#include "base/subprocess.h"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>

#include <fstream>
#include <sstream>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::base {
namespace {

TEST(SubprocessTest, ReportsExitCodeAndOutput) {
  absl::StatusOr<CommandResult> r = RunCommand({"sh", "-c", "echo hello; exit 3"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->output, "hello\n");
}

TEST(SubprocessTest, FeedsStdin) {
  absl::StatusOr<CommandResult> r = RunCommand({"cat"}, "abc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "abc");
}

TEST(SubprocessTest, MissingBinaryIsNotFound) {
  absl::StatusOr<std::unique_ptr<Subprocess>> p =
      Subprocess::Start({.argv = {"/nonexistent/romana-binary"}});
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
}

TEST(SubprocessTest, StopTerminatesAndWaitTimesOut) {
  absl::StatusOr<std::unique_ptr<Subprocess>> p = Subprocess::Start({.argv = {"sleep", "60"}});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE((*p)->Running());
  EXPECT_EQ((*p)->Wait(std::chrono::milliseconds(20)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ((*p)->Stop(), 128 + SIGTERM);
  EXPECT_FALSE((*p)->Running());
}

TEST(SubprocessTest, ExtraEnvReachesChild) {
  romana::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Subprocess>> p = Subprocess::Start(
      {.argv = {"sh", "-c", "echo $ROMANA_X"}, .extra_env = {{"ROMANA_X", "42"}},
       .output_path = dir.File("out")});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ((*p)->Wait(std::chrono::seconds(10)).value_or(-1), 0);
  std::ifstream in(dir.File("out"));
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "42\n");
}

TEST(RunCaptureTest, KeepsStdoutAndStderrApartAndFeedsStdin) {
  absl::StatusOr<CaptureResult> r =
      RunCapture({.argv = {"sh", "-c", "cat; echo err >&2; exit 4"}, .stdin_data = "in"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 4);
  EXPECT_EQ(r->out, "in");
  EXPECT_EQ(r->err, "err\n");
}

TEST(RunCaptureTest, EnvironmentIsOnlyWhatIsGivenWithoutInherit) {
  absl::StatusOr<CaptureResult> r = RunCapture(
      {.argv = {"/bin/sh", "-c", "env"}, .env = {{"ROMANA_ONLY", "1"}}, .inherit_env = false});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->out.find("ROMANA_ONLY=1"), std::string::npos) << r->out;
  EXPECT_EQ(r->out.find("HOME="), std::string::npos) << r->out;
}

TEST(RunCaptureTest, MissingBinaryIsNotFoundAndOverrunIsKilled) {
  EXPECT_EQ(RunCapture({.argv = {"/nonexistent/romana-binary"}}).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<CaptureResult> slow =
      RunCapture({.argv = {"sleep", "30"}, .timeout = std::chrono::milliseconds(100)});
  EXPECT_EQ(slow.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(SubprocessTest, ReleasedChildOutlivesItsHandle) {
  absl::StatusOr<std::unique_ptr<Subprocess>> p = Subprocess::Start({.argv = {"sleep", "30"}, .new_session = true});
  ASSERT_TRUE(p.ok()) << p.status();
  const pid_t pid = (*p)->Release();
  p->reset();
  EXPECT_EQ(kill(pid, 0), 0);  // still running after the handle is gone
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace
}  // namespace romana::base
