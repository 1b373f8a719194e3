#include "agent/service_range.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::agent {
namespace {

TEST(ServiceRangeTest, FlagWinsAndIsValidated) {
  EXPECT_EQ(*ResolveServiceRange("10.0.0.0/16", "10.96.0.1"), "10.0.0.0/16");
  absl::StatusOr<std::string> bad = ResolveServiceRange("10.0.0.1/16", "");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("--service-cluster-ip-range"));
}

TEST(ServiceRangeTest, GuessesKopsAndKubeadm) {
  EXPECT_EQ(*ResolveServiceRange("", "100.64.0.1"), "100.64.0.0/13");
  EXPECT_EQ(*ResolveServiceRange("", "10.96.0.1"), "10.96.0.0/12");
  EXPECT_EQ(*ResolveServiceRange("", ""), "");
  EXPECT_EQ(ResolveServiceRange("", "172.20.0.1").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ServiceRangeTest, OverlapIsRejectedNamingBoth) {
  EXPECT_TRUE(CheckServiceRange("10.96.0.0/12", {"10.112.0.0/12"}).ok());
  absl::Status s = CheckServiceRange("10.96.0.0/12", {"10.112.0.0/12", "10.100.0.0/16"});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("10.100.0.0/16"));
  EXPECT_THAT(s.message(), ::testing::HasSubstr("10.96.0.0/12"));
  EXPECT_FALSE(CheckServiceRange("10.96.0.0/12", {"10.0.0.0/8"}).ok());  // network contains range
  EXPECT_TRUE(CheckServiceRange("", {"10.0.0.0/8"}).ok());
}

TEST(ServiceRangeTest, OverlapIsRecognisedByItsPayloadNotItsText) {
  absl::Status overlap = CheckServiceRange("10.96.0.0/12", {"10.100.0.0/16"});
  EXPECT_TRUE(IsServiceRangeOverlap(overlap));
  EXPECT_FALSE(IsServiceRangeOverlap(CheckServiceRange("10.96.0.0/12", {"not-a-cidr"})));
  EXPECT_FALSE(IsServiceRangeOverlap(absl::FailedPreconditionError("overlaps the service cluster IP range")));
}

}  // namespace
}  // namespace romana::agent
