// Client timing with a FakeClock: retries and Watch's give-up run on injected time, against a
// loopback port nothing listens on (connection refused: Unavailable, code "transport").
#include "api/client.h"

#include "api/field_error.h"
#include "base/clock.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::api {
namespace {

std::string UnreachableServer() {
  return "http://127.0.0.1:" + std::to_string(romana::testing::FreeLoopbackPort());
}

TEST(ClientClockTest, RetriesUnavailableUntilTheRetryWindowEnds) {
  base::FakeClock clock;
  absl::StatusOr<std::unique_ptr<Client>> c = Client::Create(
      {.server = UnreachableServer(), .retry_unavailable_for = std::chrono::seconds(5), .clock = &clock});
  ASSERT_TRUE(c.ok()) << c.status();
  const auto start = clock.Now();
  absl::StatusOr<VersionInfo> v = (*c)->Version();
  EXPECT_EQ(v.status().code(), absl::StatusCode::kUnavailable) << v.status();
  EXPECT_EQ(ErrorCodeOf(v.status()), "transport");
  // Backed off 50, 100, ... 1000 ms on the fake clock, never past the window.
  EXPECT_GT(clock.Now() - start, std::chrono::seconds(4));
  EXPECT_LE(clock.Now() - start, std::chrono::seconds(5));
}

TEST(ClientClockTest, NoRetryWindowMeansOneAttempt) {
  base::FakeClock clock;
  absl::StatusOr<std::unique_ptr<Client>> c = Client::Create({.server = UnreachableServer(), .clock = &clock});
  ASSERT_TRUE(c.ok()) << c.status();
  const auto start = clock.Now();
  EXPECT_EQ((*c)->Version().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(clock.Now(), start);
}

TEST(ClientClockTest, WatchGivesUpAfterTheGivenTimeWithoutAConnection) {
  base::FakeClock clock;
  absl::StatusOr<std::unique_ptr<Client>> c = Client::Create({.server = UnreachableServer(), .clock = &clock});
  ASSERT_TRUE(c.ok()) << c.status();
  const auto start = clock.Now();
  int events = 0;
  absl::Status s = (*c)->Watch({.give_up_after = std::chrono::seconds(3)}, [&](const WatchEvent&) {
    ++events;
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(ErrorCodeOf(s), "transport");
  EXPECT_EQ(events, 0);
  EXPECT_GT(clock.Now() - start, std::chrono::seconds(3));
  EXPECT_LT(clock.Now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace romana::api
