#include "base/subprocess.h"

#include <signal.h>

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

}  // namespace
}  // namespace romana::base
