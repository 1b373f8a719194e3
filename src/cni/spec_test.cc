#include "cni/spec.h"

#include "gtest/gtest.h"

namespace romana::cni {
namespace {

TEST(CniSpecTest, SupportedVersions) {
  for (const char* v : {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}) EXPECT_TRUE(IsSupportedVersion(v)) << v;
  for (const char* v : {"", "0.1.0", "0.2.0", "1.2.0", "1.0", "x"}) EXPECT_FALSE(IsSupportedVersion(v)) << v;
  EXPECT_EQ(SupportedVersions().back(), kLatestVersion);
}

TEST(CniSpecTest, CompareVersions) {
  EXPECT_EQ(CompareVersions("0.4.0", "0.4.0"), 0);
  EXPECT_LT(CompareVersions("0.3.1", "0.4.0"), 0);
  EXPECT_GT(CompareVersions("1.0.0", "0.4.0"), 0);
  EXPECT_GT(CompareVersions("0.10.0", "0.9.0"), 0);
  EXPECT_EQ(CompareVersions("1.0", "1.0.0"), 0);
}

TEST(CniSpecTest, VerbAvailabilityPerVersion) {
  EXPECT_FALSE(SupportsCheck("0.3.0"));
  EXPECT_FALSE(SupportsCheck("0.3.1"));
  EXPECT_TRUE(SupportsCheck("0.4.0"));
  EXPECT_TRUE(SupportsCheck("1.1.0"));
  EXPECT_FALSE(SupportsGcAndStatus("1.0.0"));
  EXPECT_TRUE(SupportsGcAndStatus("1.1.0"));
}

TEST(CniSpecTest, RenderErrorUsesRequestVersionWhenKnown) {
  auto j = RenderError({kErrTryAgainLater, "romanad down", "connection refused"}, "0.4.0");
  EXPECT_EQ(j, nlohmann::json::parse(R"({"cniVersion":"0.4.0","code":11,"msg":"romanad down","details":"connection refused"})"));
  auto k = RenderError({kErrIncompatibleVersion, "bad", ""}, "9.9.9");
  EXPECT_EQ(k["cniVersion"], "1.1.0");
  EXPECT_FALSE(k.contains("details"));
}

TEST(CniSpecTest, VersionInfoListsEverySupportedVersion) {
  auto j = RenderVersionInfo();
  EXPECT_EQ(j["cniVersion"], "1.1.0");
  EXPECT_EQ(j["supportedVersions"], nlohmann::json({"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}));
}

}  // namespace
}  // namespace romana::cni
