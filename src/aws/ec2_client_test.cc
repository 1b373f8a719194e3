#include "aws/ec2_client.h"

#include "absl/strings/match.h"
#include "aws/ec2_xml.h"
#include "http/testing/fake_client.h"
#include "gtest/gtest.h"

namespace romana::aws {
namespace {

class Ec2ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Ec2QueryClient::Create(
        Ec2ClientOptions{.region = "us-east-1",
                         .endpoint = "http://127.0.0.1:5000",
                         .retry = {.max_attempts = 4, .base_delay = std::chrono::milliseconds(100),
                                   .max_delay = std::chrono::milliseconds(250)},
                         .sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); },
                         .random = [] { return 0.5; }},
        http_, creds_, clock_);
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = *std::move(c);
  }
  static std::string Body(const http::Request& r) { return r.body; }

  http::testing::FakeClient http_;
  StaticCredentialsProvider creds_{Credentials{"AKIDEXAMPLE", "SECRET", "SESSION"}};
  base::FakeClock clock_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::unique_ptr<Ec2QueryClient> client_;
};

TEST_F(Ec2ClientTest, SignsFormPostWithTokenAndScope) {
  http_.Push(200, "<DeleteRouteResponse><requestId>r</requestId></DeleteRouteResponse>");
  ASSERT_TRUE(client_->DeleteRoute("rtb-1", "10.1.0.0/16").ok());
  auto reqs = http_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].url, "http://127.0.0.1:5000");
  EXPECT_EQ(reqs[0].body,
            "Action=DeleteRoute&Version=2016-11-15&RouteTableId=rtb-1&DestinationCidrBlock=10.1.0.0%2F16");
  http::Response fake_resp{0, reqs[0].headers, ""};
  EXPECT_EQ(fake_resp.Header("Host"), "127.0.0.1:5000");
  EXPECT_EQ(fake_resp.Header("X-Amz-Security-Token"), "SESSION");
  EXPECT_EQ(fake_resp.Header("X-Amz-Date"), AmzDate(clock_.WallNow()));
  std::string auth = fake_resp.Header("Authorization");
  EXPECT_TRUE(absl::StartsWith(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
  EXPECT_TRUE(absl::StrContains(auth, "/us-east-1/ec2/aws4_request"));
  EXPECT_TRUE(absl::StrContains(auth, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"));
}

TEST_F(Ec2ClientTest, FiltersAndIdsAreEncoded) {
  http_.Push(200, "<DescribeInstancesResponse><reservationSet/></DescribeInstancesResponse>");
  ASSERT_TRUE(client_->DescribeInstances({"i-1", "i-2"}, {{"vpc-id", {"vpc-1"}},
                                                          {"private-ip-address", {"10.0.1.4", "10.0.2.4"}}})
                  .ok());
  EXPECT_EQ(http_.requests()[0].body,
            "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2"
            "&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.2.Name=private-ip-address"
            "&Filter.2.Value.1=10.0.1.4&Filter.2.Value.2=10.0.2.4");
}

TEST_F(Ec2ClientTest, FollowsNextTokenAcrossPages) {
  http_.Push(200, "<DescribeRouteTablesResponse><routeTableSet><item><routeTableId>rtb-1</routeTableId></item></routeTableSet><nextToken>tok/1+</nextToken></DescribeRouteTablesResponse>");
  http_.Push(200, "<DescribeRouteTablesResponse><routeTableSet><item><routeTableId>rtb-2</routeTableId></item></routeTableSet><nextToken>tok2</nextToken></DescribeRouteTablesResponse>");
  http_.Push(200, "<DescribeRouteTablesResponse><routeTableSet><item><routeTableId>rtb-3</routeTableId></item></routeTableSet></DescribeRouteTablesResponse>");
  auto rts = client_->DescribeRouteTables({{"vpc-id", {"vpc-1"}}});
  ASSERT_TRUE(rts.ok()) << rts.status();
  ASSERT_EQ(rts->size(), 3u);
  EXPECT_EQ((*rts)[2].id, "rtb-3");
  auto reqs = http_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_FALSE(absl::StrContains(reqs[0].body, "NextToken"));
  EXPECT_TRUE(absl::StrContains(reqs[1].body, "&NextToken=tok%2F1%2B"));
  EXPECT_TRUE(absl::StrContains(reqs[2].body, "&NextToken=tok2"));
  EXPECT_TRUE(absl::StrContains(reqs[2].body, "Filter.1.Name=vpc-id"));
}

TEST_F(Ec2ClientTest, ANextTokenThatDoesNotAdvanceIsAnError) {
  for (int i = 0; i < 2; ++i) {
    http_.Push(200, "<DescribeVpcsResponse><vpcSet/><nextToken>same</nextToken></DescribeVpcsResponse>");
  }
  EXPECT_EQ(client_->DescribeVpcs({}).status().code(), absl::StatusCode::kInternal);
}

TEST_F(Ec2ClientTest, RetriesThrottlingAnd5xxWithGrowingJitteredDelays) {
  const std::string throttled =
      "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors></Response>";
  http_.Push(503, throttled);
  http_.Push(500, "<html>oops</html>");
  http_.Push(absl::UnavailableError("connection refused"));
  http_.Push(200, "<CreateRouteResponse><return>true</return></CreateRouteResponse>");
  EXPECT_TRUE(client_->CreateRoute("rtb-1", "10.1.0.0/24", {.network_interface_id = "eni-1"}).ok());
  EXPECT_EQ(http_.requests().size(), 4u);
  // Full jitter with random=0.5: 0.5*min(250, 100*2^(n-1)).
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(50),
                                                             std::chrono::milliseconds(100),
                                                             std::chrono::milliseconds(125)}));
  EXPECT_TRUE(absl::StrContains(http_.requests()[0].body, "NetworkInterfaceId=eni-1"));
  EXPECT_FALSE(absl::StrContains(http_.requests()[0].body, "InstanceId"));
}

TEST_F(Ec2ClientTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  for (int i = 0; i < 4; ++i) {
    http_.Push(400, "<Response><Errors><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></Errors></Response>");
  }
  absl::Status s = client_->DeleteRoute("rtb-1", "10.1.0.0/24");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Ec2ErrorCode(s), "Throttling");
  EXPECT_EQ(http_.requests().size(), 4u);
  EXPECT_EQ(sleeps_.size(), 3u);
}

TEST_F(Ec2ClientTest, ClientErrorsAreNotRetried) {
  http_.Push(400, "<Response><Errors><Error><Code>InvalidRoute.NotFound</Code><Message>no route with destination-cidr-block 10.1.0.0/24</Message></Error></Errors></Response>");
  absl::Status s = client_->DeleteRoute("rtb-1", "10.1.0.0/24");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Ec2ErrorCode(s), "InvalidRoute.NotFound");
  EXPECT_TRUE(absl::StrContains(s.message(), "no route with destination-cidr-block"));
  EXPECT_EQ(http_.requests().size(), 1u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(Ec2ClientTest, SourceDestCheckCalls) {
  http_.Push(200, "<ModifyInstanceAttributeResponse><requestId>r</requestId></ModifyInstanceAttributeResponse>");
  http_.Push(200, "<ModifyNetworkInterfaceAttributeResponse><return>true</return></ModifyNetworkInterfaceAttributeResponse>");
  http_.Push(200, "<DescribeInstanceAttributeResponse><sourceDestCheck><value>false</value></sourceDestCheck></DescribeInstanceAttributeResponse>");
  ASSERT_TRUE(client_->ModifyInstanceSourceDestCheck("i-1", false).ok());
  ASSERT_TRUE(client_->ModifyNetworkInterfaceSourceDestCheck("eni-1", false).ok());
  auto v = client_->DescribeInstanceSourceDestCheck("i-1");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(*v);
  auto reqs = http_.requests();
  EXPECT_EQ(reqs[0].body, "Action=ModifyInstanceAttribute&Version=2016-11-15&InstanceId=i-1&SourceDestCheck.Value=false");
  EXPECT_EQ(reqs[1].body, "Action=ModifyNetworkInterfaceAttribute&Version=2016-11-15&NetworkInterfaceId=eni-1&SourceDestCheck.Value=false");
  EXPECT_EQ(reqs[2].body, "Action=DescribeInstanceAttribute&Version=2016-11-15&InstanceId=i-1&Attribute=sourceDestCheck");
}

TEST(Ec2ClientCreateTest, ValidatesOptions) {
  http::testing::FakeClient http;
  StaticCredentialsProvider creds(Credentials{"a", "b"});
  base::FakeClock clock;
  EXPECT_EQ(Ec2QueryClient::Create({.region = ""}, http, creds, clock).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ec2QueryClient::Create({.region = "r", .endpoint = "ftp://x"}, http, creds, clock).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto c = Ec2QueryClient::Create({.region = "eu-west-1"}, http, creds, clock);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->endpoint(), "https://ec2.eu-west-1.amazonaws.com");
}

TEST(Ec2ClientCreateTest, MissingCredentialsFailBeforeSending) {
  http::testing::FakeClient http;
  EnvironmentCredentialsProvider creds(Environment{});
  base::FakeClock clock;
  auto c = Ec2QueryClient::Create({.region = "r", .endpoint = "http://127.0.0.1:1"}, http, creds, clock);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->DescribeVpcs({}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(http.requests().empty());
}

}  // namespace
}  // namespace romana::aws
