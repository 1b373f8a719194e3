// The EC2 client against the real moto_server: requests, answers, errors and SigV4
// verification by moto (signature checking switched on).
#include "absl/strings/match.h"
#include "aws/ec2_xml.h"
#include "aws/testing/moto_server.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"

namespace romana::aws {
namespace {

class Ec2MotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto m = testing::MotoServer::Start();
    if (absl::IsNotFound(m.status())) {
      missing_ = std::string(m.status().message());
      return;
    }
    ASSERT_TRUE(m.ok()) << m.status();
    moto_ = m->release();
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  void SetUp() override {
    if (!missing_.empty()) ROMANA_SKIP_UNLESS_CI() << missing_;
    ASSERT_NE(moto_, nullptr);
    ASSERT_TRUE(moto_->Reset().ok());
    auto c = moto_->Client("us-east-1", creds_);
    ASSERT_TRUE(c.ok()) << c.status();
    ec2_ = *std::move(c);
  }

  static testing::MotoServer* moto_;
  static inline std::string missing_;  // why moto_server cannot run, when it is not installed
  StaticCredentialsProvider creds_{Credentials{"AKIDTEST", "test-secret"}};
  std::unique_ptr<Ec2QueryClient> ec2_;
};
testing::MotoServer* Ec2MotoTest::moto_ = nullptr;

TEST_F(Ec2MotoTest, FixtureBuildsTwoZonesAndSixInstances) {
  auto vpc = testing::MakeTestVpc(*ec2_);
  ASSERT_TRUE(vpc.ok()) << vpc.status();
  EXPECT_EQ(vpc->instances.size(), 6u);
  EXPECT_EQ(vpc->route_table_ids.size(), 2u);
  EXPECT_FALSE(vpc->main_route_table_id.empty());
  auto vpcs = ec2_->DescribeVpcs({});
  ASSERT_TRUE(vpcs.ok()) << vpcs.status();
  EXPECT_EQ(vpcs->size(), 2u);  // default VPC + ours
  auto subnets = ec2_->DescribeSubnets({{"vpc-id", {vpc->vpc_id}}});
  ASSERT_TRUE(subnets.ok());
  EXPECT_EQ(subnets->size(), 2u);
  auto zones = ec2_->DescribeAvailabilityZones();
  ASSERT_TRUE(zones.ok());
  EXPECT_GE(zones->size(), 2u);
  for (const auto& inst : vpc->instances) {
    EXPECT_TRUE(absl::StartsWith(inst.private_ip, "10.0.")) << inst.private_ip;
    EXPECT_TRUE(absl::StartsWith(inst.eni_id, "eni-"));
  }
  auto by_ip = ec2_->DescribeInstances({}, {{"private-ip-address", {vpc->instances[4].private_ip}}});
  ASSERT_TRUE(by_ip.ok());
  ASSERT_EQ(by_ip->size(), 1u);
  EXPECT_EQ((*by_ip)[0].id, vpc->instances[4].id);
}

TEST_F(Ec2MotoTest, RouteLifecycleAndErrors) {
  auto vpc = testing::MakeTestVpc(*ec2_, 2, 1);
  ASSERT_TRUE(vpc.ok()) << vpc.status();
  const std::string rt = vpc->route_table_ids[0];
  ASSERT_TRUE(ec2_->CreateRoute(rt, "100.96.0.0/24", {.network_interface_id = vpc->instances[0].eni_id}).ok());
  absl::Status no_table = ec2_->CreateRoute("rtb-00000000", "100.96.0.0/24", {.network_interface_id = vpc->instances[0].eni_id});
  EXPECT_EQ(no_table.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Ec2ErrorCode(no_table), "InvalidRouteTableID.NotFound");
  ASSERT_TRUE(ec2_->ReplaceRoute(rt, "100.96.0.0/24", {.network_interface_id = vpc->instances[1].eni_id}).ok());
  auto rts = ec2_->DescribeRouteTables({{"route-table-id", {rt}}});
  ASSERT_TRUE(rts.ok());
  ASSERT_EQ(rts->size(), 1u);
  bool found = false;
  for (const Route& r : (*rts)[0].routes) {
    if (r.destination_cidr == "100.96.0.0/24") {
      found = true;
      EXPECT_EQ(r.network_interface_id, vpc->instances[1].eni_id);
    }
  }
  EXPECT_TRUE(found);
  ASSERT_TRUE(ec2_->DeleteRoute(rt, "100.96.0.0/24").ok());
  absl::Status gone = ec2_->DeleteRoute(rt, "100.96.0.0/24");
  EXPECT_EQ(gone.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Ec2ErrorCode(gone), "InvalidRoute.NotFound");
  absl::Status bad = ec2_->ModifyInstanceSourceDestCheck("i-0123456789abcdef0", false);
  EXPECT_EQ(Ec2ErrorCode(bad), "InvalidInstanceID.NotFound");
  EXPECT_TRUE(absl::StrContains(bad.message(), "i-0123456789abcdef0")) << bad;
}

TEST_F(Ec2MotoTest, SourceDestCheckRoundTrip) {
  auto vpc = testing::MakeTestVpc(*ec2_, 1, 1);
  ASSERT_TRUE(vpc.ok()) << vpc.status();
  const auto& inst = vpc->instances[0];
  EXPECT_TRUE(*ec2_->DescribeInstanceSourceDestCheck(inst.id));
  ASSERT_TRUE(ec2_->ModifyInstanceSourceDestCheck(inst.id, false).ok());
  ASSERT_TRUE(ec2_->ModifyNetworkInterfaceSourceDestCheck(inst.eni_id, false).ok());
  EXPECT_FALSE(*ec2_->DescribeInstanceSourceDestCheck(inst.id));
  auto described = ec2_->DescribeInstances({inst.id}, {});
  ASSERT_TRUE(described.ok());
  EXPECT_FALSE((*described)[0].source_dest_check);
  EXPECT_FALSE((*described)[0].PrimaryInterface()->source_dest_check);
}

TEST_F(Ec2MotoTest, MotoVerifiesOurSignatures) {
  auto key = testing::CreateIamUserWithPolicy(
      moto_->endpoint(), "vpcrouter",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*"],"Resource":["*"]}]})");
  ASSERT_TRUE(key.ok()) << key.status();
  ASSERT_TRUE(moto_->EnableAuth(0).ok());
  StaticCredentialsProvider right(*key);
  Credentials wrong_secret = *key;
  wrong_secret.secret_access_key += "x";
  StaticCredentialsProvider wrong(wrong_secret);
  auto good = moto_->Client("us-east-1", right);
  auto bad = moto_->Client("us-east-1", wrong);
  ASSERT_TRUE(good.ok() && bad.ok());
  auto ok = (*good)->DescribeVpcs({});
  absl::StatusOr<std::vector<Vpc>> rejected = (*bad)->DescribeVpcs({});
  // Policy evaluation runs too: a call outside the policy is denied for the right key.
  absl::Status denied = (*good)->DeleteRoute("rtb-0", "10.9.0.0/16");
  ASSERT_TRUE(moto_->DisableAuth().ok());
  EXPECT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Ec2ErrorCode(rejected.status()), "AuthFailure");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied) << denied;
}

}  // namespace
}  // namespace romana::aws
