// ec2_xml.h: parsing of EC2 Query API XML responses (pugixml). Pure functions, thread-safe.
//
// Each Parse* function takes the raw body of a successful (HTTP 2xx) response. Errors:
// InvalidArgument when the body is not XML, lacks the expected root element, or is larger than
// kMaxEc2ResponseBytes. (pugixml parses without recursion, so deep nesting cannot overflow the
// stack; the size bound also bounds the nesting.)
#ifndef ROMANA_AWS_EC2_XML_H_
#define ROMANA_AWS_EC2_XML_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aws/ec2_types.h"

namespace romana::aws {

// The largest EC2 answer parsed: a DescribeInstances page of 1,000 instances is a few MiB.
inline constexpr size_t kMaxEc2ResponseBytes = size_t{32} << 20;

// A page of a paginated Describe* answer. `next_token` is empty on the last page.
template <typename T>
struct Ec2Page {
  std::vector<T> items;
  std::string next_token;
};

absl::StatusOr<Ec2Page<Instance>> ParseDescribeInstances(const std::string& xml);
absl::StatusOr<Ec2Page<Vpc>> ParseDescribeVpcs(const std::string& xml);
absl::StatusOr<Ec2Page<Subnet>> ParseDescribeSubnets(const std::string& xml);
absl::StatusOr<Ec2Page<RouteTable>> ParseDescribeRouteTables(const std::string& xml);
absl::StatusOr<std::vector<AvailabilityZone>> ParseDescribeAvailabilityZones(const std::string& xml);
// DescribeInstanceAttribute with Attribute=sourceDestCheck.
absl::StatusOr<bool> ParseSourceDestCheckAttribute(const std::string& xml);
// Checks that the body's root element is `<expected_root>` (e.g. "CreateRouteResponse") and,
// when it has a <return> element, that it is "true". Errors: InvalidArgument / Internal.
absl::Status ParseSimpleResponse(const std::string& xml, const std::string& expected_root);

// Builds the Status for an EC2 error answer. `http_status` >= 300. The body is
// `<Response><Errors><Error><Code>..</Code><Message>..</Message>` (or `<ErrorResponse>`);
// anything else (moto answers unimplemented filters with an HTML page) still gives an error
// that names the HTTP status and the start of the body. The EC2 error code is attached as a
// payload (see Ec2ErrorCode) and chooses the absl code: *.NotFound -> NotFound,
// AuthFailure/UnauthorizedOperation/AccessDenied* -> PermissionDenied, throttling ->
// ResourceExhausted, RouteAlreadyExists -> AlreadyExists, InvalidParameter*/Invalid* ->
// InvalidArgument, 5xx -> Unavailable, others FailedPrecondition.
absl::Status Ec2ErrorStatus(const std::string& action, int http_status, const std::string& body);

// The EC2 error code ("InvalidRoute.NotFound") carried by a status from Ec2ErrorStatus, or "".
std::string Ec2ErrorCode(const absl::Status& status);

// True for EC2 error codes that mean "slow down and retry".
bool IsThrottlingCode(const std::string& code);

}  // namespace romana::aws

#endif  // ROMANA_AWS_EC2_XML_H_
