// EC2 Query API answers: every response parser and the error decoder.
#include "aws/ec2_xml.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace aws = romana::aws;
  const std::string xml = romana::fuzz::AsString(data, size);
  (void)aws::ParseDescribeInstances(xml);
  (void)aws::ParseDescribeVpcs(xml);
  (void)aws::ParseDescribeSubnets(xml);
  (void)aws::ParseDescribeRouteTables(xml);
  (void)aws::ParseDescribeAvailabilityZones(xml);
  (void)aws::ParseSourceDestCheckAttribute(xml);
  (void)aws::ParseSimpleResponse(xml, "CreateRouteResponse");
  (void)aws::Ec2ErrorStatus("DescribeInstances", 400, xml);
  return 0;
}
