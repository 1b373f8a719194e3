#include "aws/ec2_xml.h"

#include "gtest/gtest.h"

namespace romana::aws {
namespace {

// Recorded from moto_server 5.2.1 (trimmed as in the reference §3.4).
constexpr char kDescribeInstances[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15">
 <reservationSet><item>
  <reservationId>r-3465bcd54d8dfe6a0</reservationId><ownerId>123456789012</ownerId><groupSet/>
  <instancesSet><item>
   <networkInterfaceSet><item>
     <attachment><attachmentId>eni-attach-5d6e8225bf37a2426</attachmentId><deviceIndex>0</deviceIndex><status>attached</status></attachment>
     <networkInterfaceId>eni-d5710d9f743e1777b</networkInterfaceId>
     <privateIpAddress>10.0.1.4</privateIpAddress>
     <privateIpAddressesSet><item><primary>true</primary><privateIpAddress>10.0.1.4</privateIpAddress></item>
       <item><primary>false</primary><privateIpAddress>10.0.1.77</privateIpAddress></item></privateIpAddressesSet>
     <sourceDestCheck>true</sourceDestCheck>
     <subnetId>subnet-fbdb92f9dd82fc2d9</subnetId><vpcId>vpc-df7d225125ce84664</vpcId>
   </item>
   <item>
     <attachment><deviceIndex>1</deviceIndex></attachment>
     <networkInterfaceId>eni-second</networkInterfaceId>
     <privateIpAddress>10.0.1.9</privateIpAddress>
     <sourceDestCheck>false</sourceDestCheck>
   </item></networkInterfaceSet>
   <sourceDestCheck>false</sourceDestCheck>
   <instanceId>i-576425b40f6863047</instanceId>
   <instanceState><code>16</code><name>running</name></instanceState>
   <privateDnsName>ip-10-0-1-4.ec2.internal</privateDnsName>
   <placement><groupName/><tenancy>default</tenancy><availabilityZone>us-east-1a</availabilityZone></placement>
   <subnetId>subnet-fbdb92f9dd82fc2d9</subnetId><vpcId>vpc-df7d225125ce84664</vpcId>
   <privateIpAddress>10.0.1.4</privateIpAddress>
  </item>
  <item><instanceId>i-2</instanceId><instanceState><name>terminated</name></instanceState></item>
  </instancesSet>
 </item>
 <item><instancesSet><item><instanceId>i-3</instanceId></item></instancesSet></item>
 </reservationSet>
 <nextToken>page-2</nextToken>
 <requestId>request-id</requestId>
</DescribeInstancesResponse>)";

constexpr char kDescribeRouteTables[] = R"(<?xml version="1.0" encoding="utf-8"?>
<DescribeRouteTablesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15">
 <routeTableSet><item>
   <associationSet><item>
     <main>false</main>
     <routeTableAssociationId>rtbassoc-64d66d41fb01dd320</routeTableAssociationId>
     <routeTableId>rtb-9b9322a41661febcd</routeTableId>
     <subnetId>subnet-fbdb92f9dd82fc2d9</subnetId>
     <associationState><state>associated</state></associationState>
   </item></associationSet>
   <routeTableId>rtb-9b9322a41661febcd</routeTableId>
   <routeSet>
     <item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId>
           <origin>CreateRouteTable</origin><state>active</state></item>
     <item><destinationCidrBlock>100.96.0.0/24</destinationCidrBlock>
           <instanceId>i-005713a915dc74188</instanceId>
           <networkInterfaceId>eni-1369991b2a5ad3a00</networkInterfaceId>
           <origin>CreateRoute</origin><state>active</state></item>
   </routeSet>
   <tagSet/><vpcId>vpc-df7d225125ce84664</vpcId><ownerId>123456789012</ownerId>
 </item>
 <item><associationSet><item><main>true</main><routeTableAssociationId>rtbassoc-main</routeTableAssociationId></item></associationSet>
   <routeTableId>rtb-main</routeTableId><routeSet/><vpcId>vpc-df7d225125ce84664</vpcId></item>
 </routeTableSet>
 <requestId>request-id</requestId>
</DescribeRouteTablesResponse>)";

TEST(Ec2XmlTest, DescribeInstancesKeepsEveryFieldWeUse) {
  auto page = ParseDescribeInstances(kDescribeInstances);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->next_token, "page-2");
  const Instance& i = page->items[0];
  EXPECT_EQ(i.id, "i-576425b40f6863047");
  EXPECT_EQ(i.state, "running");
  EXPECT_EQ(i.availability_zone, "us-east-1a");
  EXPECT_EQ(i.private_ip, "10.0.1.4");
  EXPECT_EQ(i.private_dns_name, "ip-10-0-1-4.ec2.internal");
  EXPECT_EQ(i.vpc_id, "vpc-df7d225125ce84664");
  EXPECT_EQ(i.subnet_id, "subnet-fbdb92f9dd82fc2d9");
  EXPECT_FALSE(i.source_dest_check);
  ASSERT_EQ(i.interfaces.size(), 2u);
  const NetworkInterface* primary = i.PrimaryInterface();
  ASSERT_NE(primary, nullptr);
  EXPECT_EQ(primary->id, "eni-d5710d9f743e1777b");
  EXPECT_TRUE(primary->source_dest_check);  // moto quirk 5: independent of the instance's
  EXPECT_EQ(primary->device_index, 0);
  ASSERT_EQ(primary->private_ips.size(), 2u);
  EXPECT_TRUE(primary->private_ips[0].primary);
  EXPECT_FALSE(primary->private_ips[1].primary);
  EXPECT_EQ(i.InterfaceWithIp("10.0.1.77"), primary);      // secondary IP
  EXPECT_EQ(i.InterfaceWithIp("10.0.1.9")->id, "eni-second");
  EXPECT_EQ(i.InterfaceWithIp("10.9.9.9"), nullptr);
  EXPECT_EQ(page->items[1].state, "terminated");
  EXPECT_TRUE(page->items[1].source_dest_check);  // absent = AWS default
  EXPECT_EQ(page->items[2].id, "i-3");
}

TEST(Ec2XmlTest, DescribeRouteTables) {
  auto page = ParseDescribeRouteTables(kDescribeRouteTables);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_TRUE(page->next_token.empty());
  const RouteTable& rt = page->items[0];
  EXPECT_EQ(rt.id, "rtb-9b9322a41661febcd");
  EXPECT_EQ(rt.vpc_id, "vpc-df7d225125ce84664");
  EXPECT_FALSE(rt.IsMain());
  ASSERT_EQ(rt.associations.size(), 1u);
  EXPECT_EQ(rt.associations[0].subnet_id, "subnet-fbdb92f9dd82fc2d9");
  ASSERT_EQ(rt.routes.size(), 2u);
  EXPECT_EQ(rt.routes[0].gateway_id, "local");
  EXPECT_EQ(rt.routes[0].origin, "CreateRouteTable");
  EXPECT_EQ(rt.routes[1].destination_cidr, "100.96.0.0/24");
  EXPECT_EQ(rt.routes[1].instance_id, "i-005713a915dc74188");
  EXPECT_EQ(rt.routes[1].network_interface_id, "eni-1369991b2a5ad3a00");
  EXPECT_EQ(rt.routes[1].state, "active");
  EXPECT_TRUE(page->items[1].IsMain());
  EXPECT_TRUE(page->items[1].routes.empty());
}

TEST(Ec2XmlTest, VpcsSubnetsZones) {
  auto vpcs = ParseDescribeVpcs(R"(<DescribeVpcsResponse xmlns="x"><vpcSet>
    <item><vpcId>vpc-1</vpcId><cidrBlock>172.31.0.0/16</cidrBlock><isDefault>true</isDefault></item>
    <item><vpcId>vpc-2</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><isDefault>false</isDefault></item>
    </vpcSet><nextToken>t</nextToken></DescribeVpcsResponse>)");
  ASSERT_TRUE(vpcs.ok());
  ASSERT_EQ(vpcs->items.size(), 2u);
  EXPECT_TRUE(vpcs->items[0].is_default);
  EXPECT_EQ(vpcs->items[1].cidr_block, "10.0.0.0/16");
  EXPECT_EQ(vpcs->next_token, "t");
  auto subnets = ParseDescribeSubnets(R"(<DescribeSubnetsResponse><subnetSet><item>
    <subnetId>subnet-1</subnetId><vpcId>vpc-2</vpcId><cidrBlock>10.0.1.0/24</cidrBlock>
    <availabilityZone>us-east-1a</availabilityZone></item></subnetSet></DescribeSubnetsResponse>)");
  ASSERT_TRUE(subnets.ok());
  ASSERT_EQ(subnets->items.size(), 1u);
  EXPECT_EQ(subnets->items[0].availability_zone, "us-east-1a");
  auto zones = ParseDescribeAvailabilityZones(R"(<DescribeAvailabilityZonesResponse><availabilityZoneInfo>
    <item><zoneName>us-east-1a</zoneName><zoneState>available</zoneState><regionName>us-east-1</regionName></item>
    <item><zoneName>us-east-1b</zoneName><zoneState>available</zoneState><regionName>us-east-1</regionName></item>
    </availabilityZoneInfo></DescribeAvailabilityZonesResponse>)");
  ASSERT_TRUE(zones.ok());
  ASSERT_EQ(zones->size(), 2u);
  EXPECT_EQ((*zones)[1].name, "us-east-1b");
  EXPECT_EQ((*zones)[1].region, "us-east-1");
}

TEST(Ec2XmlTest, SourceDestCheckAttribute) {
  auto v = ParseSourceDestCheckAttribute(
      R"(<DescribeInstanceAttributeResponse xmlns="x"><instanceId>i-1</instanceId><sourceDestCheck><value>false</value></sourceDestCheck></DescribeInstanceAttributeResponse>)");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(*v);
  auto t = ParseSourceDestCheckAttribute(
      R"(<DescribeInstanceAttributeResponse><sourceDestCheck><value>true</value></sourceDestCheck></DescribeInstanceAttributeResponse>)");
  EXPECT_TRUE(*t);
  EXPECT_FALSE(ParseSourceDestCheckAttribute("<DescribeInstanceAttributeResponse/>").ok());
}

TEST(Ec2XmlTest, SimpleResponses) {
  EXPECT_TRUE(ParseSimpleResponse(R"(<CreateRouteResponse xmlns="x"><return>true</return><requestId>request-id</requestId></CreateRouteResponse>)",
                                  "CreateRouteResponse").ok());
  EXPECT_TRUE(ParseSimpleResponse(R"(<ModifyInstanceAttributeResponse xmlns="x"><requestId>request-id</requestId></ModifyInstanceAttributeResponse>)",
                                  "ModifyInstanceAttributeResponse").ok());
  EXPECT_FALSE(ParseSimpleResponse(R"(<CreateRouteResponse><return>false</return></CreateRouteResponse>)",
                                   "CreateRouteResponse").ok());
  EXPECT_EQ(ParseSimpleResponse("<Other/>", "CreateRouteResponse").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSimpleResponse("not xml <", "CreateRouteResponse").code(), absl::StatusCode::kInvalidArgument);
}

TEST(Ec2XmlTest, ErrorResponsesSurfaceCodeAndMessage) {
  absl::Status s = Ec2ErrorStatus("ModifyInstanceAttribute", 400,
      R"(<?xml version="1.0" encoding="UTF-8"?><Response xmlns="x"><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID 'i-0123456789abcdef0' does not exist</Message></Error></Errors><RequestID>request-id</RequestID></Response>)");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Ec2ErrorCode(s), "InvalidInstanceID.NotFound");
  EXPECT_NE(s.message().find("The instance ID 'i-0123456789abcdef0' does not exist"), std::string::npos);
  EXPECT_NE(s.message().find("ModifyInstanceAttribute"), std::string::npos);

  absl::Status auth = Ec2ErrorStatus("DescribeVpcs", 401,
      R"(<ErrorResponse><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message><Type>Sender</Type></Error></Errors></ErrorResponse>)");
  EXPECT_EQ(auth.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Ec2ErrorCode(auth), "AuthFailure");

  EXPECT_EQ(Ec2ErrorStatus("CreateRoute", 400, "<Response><Errors><Error><Code>RouteAlreadyExists</Code><Message>m</Message></Error></Errors></Response>").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Ec2ErrorStatus("X", 503, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>m</Message></Error></Errors></Response>").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Ec2ErrorStatus("X", 400, "<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>m</Message></Error></Errors></Response>").code(),
            absl::StatusCode::kInvalidArgument);
  // moto answers an unimplemented filter with an HTML 500 page.
  absl::Status html = Ec2ErrorStatus("DescribeRouteTables", 500, "<!doctype html>\n<title>500 Internal Server Error</title>");
  EXPECT_EQ(html.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Ec2ErrorCode(html), "");
  EXPECT_NE(html.message().find("HTTP 500"), std::string::npos);
}

// Hostile answers: deep nesting is parsed without recursion (an error, not a crash), and an
// answer over the size bound is refused naming the limit.
TEST(Ec2XmlTest, HostileAnswersAreErrorsNotCrashes) {
  std::string deep = "<DescribeVpcsResponse>";
  for (int i = 0; i < 200000; ++i) deep += "<a>";
  for (int i = 0; i < 200000; ++i) deep += "</a>";
  deep += "</DescribeVpcsResponse>";
  EXPECT_TRUE(ParseDescribeVpcs(deep).ok());  // unknown elements are ignored, however deep
  EXPECT_EQ(Ec2ErrorStatus("DescribeVpcs", 500, deep).code(), absl::StatusCode::kUnavailable);
  std::string big = "<DescribeVpcsResponse><x>" + std::string(kMaxEc2ResponseBytes, 'a') + "</x></DescribeVpcsResponse>";
  absl::StatusOr<Ec2Page<Vpc>> r = ParseDescribeVpcs(big);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("over the limit"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace romana::aws
