#include "aws/srcdst/controller.h"

#include "aws/testing/fake_ec2.h"
#include "gtest/gtest.h"

namespace romana::srcdst {
namespace {

using nlohmann::json;

json Node(const std::string& name, const std::string& provider, const std::string& ip = "") {
  json n = {{"metadata", {{"name", name}}}, {"spec", {{"providerID", provider}}}};
  if (!ip.empty()) n["status"]["addresses"] = {{{"type", "Hostname"}, {"address", name}}, {{"type", "InternalIP"}, {"address", ip}}};
  return n;
}

aws::Instance Inst(const std::string& id, const std::string& ip) {
  aws::Instance i{.id = id, .state = "running", .private_ip = ip};
  i.interfaces.push_back({.id = "eni-" + id, .private_ip = ip, .device_index = 0});
  return i;
}

TEST(NodeInfoTest, ProviderIdAndAddresses) {
  EXPECT_EQ(*ParseAwsProviderId("aws:///us-east-1a/i-0abc"), std::make_pair(std::string("us-east-1a"), std::string("i-0abc")));
  EXPECT_EQ(ParseAwsProviderId("aws:///i-0abc")->second, "i-0abc");
  EXPECT_FALSE(ParseAwsProviderId("gce://p/z/n").ok());
  EXPECT_FALSE(ParseAwsProviderId("aws:///us-east-1a/").ok());
  auto n = NodeInfoFromJson(Node("n1", "aws:///us-east-1b/i-1", "10.0.1.4"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->instance_id, "i-1");
  EXPECT_EQ(n->zone, "us-east-1b");
  EXPECT_EQ(n->internal_ip, "10.0.1.4");
  EXPECT_FALSE(NodeInfoFromJson(json::object()).ok());
}

class ControllerTest : public ::testing::Test {
 protected:
  ControllerTest() : c_(ec2_, clock_, registry_, ControllerOptions{.recheck_interval = std::chrono::seconds(60)}) {
    ec2_.AddInstance(Inst("i-1", "10.0.1.4"));
    ec2_.AddInstance(Inst("i-2", "10.0.1.5"));
  }
  aws::testing::FakeEc2 ec2_;
  base::FakeClock clock_;
  prometheus::Registry registry_;
  SourceDestController c_;
};

TEST_F(ControllerTest, TurnsBothChecksOffViaProviderIdOrInternalIp) {
  c_.OnSync({Node("a", "aws:///us-east-1a/i-1"), Node("b", "", "10.0.1.5")});
  EXPECT_EQ(c_.Tick(), 2);
  for (const char* id : {"i-1", "i-2"}) {
    aws::Instance i = ec2_.GetInstance(id);
    EXPECT_FALSE(i.source_dest_check) << id;
    EXPECT_FALSE(i.interfaces[0].source_dest_check) << id;
  }
  auto st = c_.Status();
  EXPECT_EQ(st["a"].state, "disabled");
  EXPECT_EQ(st["b"].instance_id, "i-2");
  EXPECT_EQ(st["b"].eni_id, "eni-i-2");
  EXPECT_EQ(ec2_.writes(), 4);
}

TEST_F(ControllerTest, RechecksPeriodicallyWithoutWritesAndRepairsAReenabledCheck) {
  c_.OnSync({Node("a", "aws:///us-east-1a/i-1")});
  c_.Tick();
  const int writes = ec2_.writes();
  EXPECT_EQ(c_.Tick(), 0);               // not due yet
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(c_.Tick(), 1);               // due: read, nothing to write
  EXPECT_EQ(ec2_.writes(), writes);
  ec2_.SetSourceDestCheck("i-1", true, false);  // someone turned it back on
  clock_.Advance(std::chrono::seconds(61));
  c_.Tick();
  EXPECT_FALSE(ec2_.GetInstance("i-1").source_dest_check);
  EXPECT_EQ(ec2_.writes(), writes + 1);
  EXPECT_EQ(c_.Status()["a"].changes, 2);
}

TEST_F(ControllerTest, RetriesWithBackoffAfterErrors) {
  c_.OnSync({Node("a", "aws:///us-east-1a/i-1")});
  ec2_.FailNext(1, absl::UnavailableError("EC2 down"));
  c_.Tick();
  EXPECT_EQ(c_.Status()["a"].state, "error");
  EXPECT_EQ(c_.Status()["a"].failures, 1);
  EXPECT_EQ(c_.Tick(), 0);  // backing off
  clock_.Advance(std::chrono::seconds(3));
  EXPECT_EQ(c_.Tick(), 1);
  EXPECT_EQ(c_.Status()["a"].state, "disabled");
  EXPECT_FALSE(ec2_.GetInstance("i-1").source_dest_check);
}

TEST_F(ControllerTest, UnknownInstanceAndMissingIdentityAreErrorsAndDeletedNodesAreForgotten) {
  c_.OnSync({Node("ghost", "aws:///us-east-1a/i-404"), Node("bare", "")});
  c_.Tick();
  auto st = c_.Status();
  EXPECT_EQ(st["ghost"].state, "error");
  EXPECT_EQ(st["bare"].state, "error");
  EXPECT_NE(st["bare"].last_error.find("neither"), std::string::npos);
  c_.OnEvent("DELETED", Node("ghost", ""));
  EXPECT_EQ(c_.Status().count("ghost"), 0u);
  c_.OnSync({});
  EXPECT_TRUE(c_.Status().empty());
}

}  // namespace
}  // namespace romana::srcdst
