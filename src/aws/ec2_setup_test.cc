#include "aws/ec2_setup.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "http/testing/fake_client.h"

namespace romana::aws {
namespace {

// Instance metadata of an instance in eu-west-1a whose first interface is in vpc-1.
void ServeMetadata(http::testing::FakeClient& http) {
  http.SetHandler([](const http::Request& r) -> absl::StatusOr<http::Response> {
    if (absl::EndsWith(r.url, "/latest/api/token")) return http::Response{200, {}, "token"};
    if (absl::EndsWith(r.url, "/placement/availability-zone")) return http::Response{200, {}, "eu-west-1a"};
    if (absl::EndsWith(r.url, "/network/interfaces/macs/")) return http::Response{200, {}, "0a:00:00:00:00:01/\n"};
    if (absl::EndsWith(r.url, "/vpc-id")) return http::Response{200, {}, "vpc-1"};
    return http::Response{404, {}, ""};
  });
}

TEST(Ec2SetupTest, FlagsThatAreGivenAreNotAskedFor) {
  http::testing::FakeClient http;
  base::FakeClock clock;
  std::string region = "us-east-1", vpc = "vpc-9";
  ASSERT_TRUE(FillFromInstanceMetadata("", http, clock, region, &vpc).ok());
  ASSERT_TRUE(FillFromInstanceMetadata("", http, clock, region, nullptr).ok());
  EXPECT_EQ(region, "us-east-1");
  EXPECT_EQ(vpc, "vpc-9");
  EXPECT_TRUE(http.requests().empty());
}

TEST(Ec2SetupTest, MissingRegionAndVpcComeFromMetadata) {
  http::testing::FakeClient http;
  ServeMetadata(http);
  base::FakeClock clock;
  std::string region, vpc;
  ASSERT_TRUE(FillFromInstanceMetadata("http://imds.test", http, clock, region, &vpc).ok());
  EXPECT_EQ(region, "eu-west-1");
  EXPECT_EQ(vpc, "vpc-1");
  ASSERT_FALSE(http.requests().empty());
  EXPECT_TRUE(absl::StartsWith(http.requests()[0].url, "http://imds.test/"));
}

TEST(Ec2SetupTest, AMetadataFailureNamesTheFlagLeftOut) {
  http::testing::FakeClient http;
  http.SetHandler([](const http::Request&) -> absl::StatusOr<http::Response> { return http::Response{404, {}, ""}; });
  base::FakeClock clock;
  std::string region = "us-east-1", vpc;
  absl::Status s = FillFromInstanceMetadata("", http, clock, region, &vpc);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::StartsWith(s.message(), "--vpc not given and instance metadata failed: ")) << s;
  EXPECT_EQ(vpc, "");
}

TEST(Ec2SetupTest, ConnectBuildsAClientOrSaysWhyNot) {
  http::testing::FakeClient http;
  base::FakeClock clock;
  absl::StatusOr<Ec2Connection> ok = ConnectEc2({.region = "us-east-1"}, http, clock);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_NE(ok->client, nullptr);
  EXPECT_NE(ok->credentials, nullptr);
  absl::StatusOr<Ec2Connection> bad = ConnectEc2({.region = ""}, http, clock);
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
}

}  // namespace
}  // namespace romana::aws
