// ec2_api.h: the EC2 operations the AWS add-ons use, as an interface.
//
// The real implementation is Ec2QueryClient (ec2_client.h), which speaks the EC2 Query API.
// Implementations must be thread-safe.
//
// Errors common to every call: the Status built by Ec2ErrorStatus (ec2_xml.h) for EC2 error
// answers, with the EC2 error code available via Ec2ErrorCode(); Unavailable for transport
// failures and 5xx after retries; ResourceExhausted when still throttled after retries;
// PermissionDenied for AuthFailure/UnauthorizedOperation; the credentials provider's error when
// no credentials can be found. A failed write has had no effect unless EC2 itself applied it
// and the answer was lost (then a retry may see RouteAlreadyExists / InvalidRoute.NotFound).
#ifndef ROMANA_AWS_EC2_API_H_
#define ROMANA_AWS_EC2_API_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aws/ec2_types.h"

namespace romana::aws {

class Ec2Api {
 public:
  virtual ~Ec2Api() = default;

  // All pages. Empty `instance_ids` and `filters` = every instance of the region.
  virtual absl::StatusOr<std::vector<Instance>> DescribeInstances(
      const std::vector<std::string>& instance_ids, const std::vector<Ec2Filter>& filters) = 0;
  // ModifyInstanceAttribute SourceDestCheck.Value=<enabled>.
  virtual absl::Status ModifyInstanceSourceDestCheck(const std::string& instance_id, bool enabled) = 0;
  // DescribeInstanceAttribute Attribute=sourceDestCheck.
  virtual absl::StatusOr<bool> DescribeInstanceSourceDestCheck(const std::string& instance_id) = 0;
  // ModifyNetworkInterfaceAttribute SourceDestCheck.Value=<enabled>.
  virtual absl::Status ModifyNetworkInterfaceSourceDestCheck(const std::string& eni_id,
                                                             bool enabled) = 0;
  virtual absl::StatusOr<std::vector<Vpc>> DescribeVpcs(const std::vector<Ec2Filter>& filters) = 0;
  virtual absl::StatusOr<std::vector<Subnet>> DescribeSubnets(const std::vector<Ec2Filter>& filters) = 0;
  virtual absl::StatusOr<std::vector<RouteTable>> DescribeRouteTables(
      const std::vector<Ec2Filter>& filters) = 0;
  virtual absl::StatusOr<std::vector<AvailabilityZone>> DescribeAvailabilityZones() = 0;
  // REQUIRES: exactly one of target.instance_id / target.network_interface_id is set, or both
  // (then both are sent).
  virtual absl::Status CreateRoute(const std::string& route_table_id, const std::string& cidr,
                                   const RouteTarget& target) = 0;
  virtual absl::Status ReplaceRoute(const std::string& route_table_id, const std::string& cidr,
                                    const RouteTarget& target) = 0;
  virtual absl::Status DeleteRoute(const std::string& route_table_id, const std::string& cidr) = 0;
};

}  // namespace romana::aws

#endif  // ROMANA_AWS_EC2_API_H_
