// ec2_types.h: plain value types for the EC2 objects the add-ons read and write.
// Only the fields we use are kept. Copyable values; no behaviour beyond small lookups.
#ifndef ROMANA_AWS_EC2_TYPES_H_
#define ROMANA_AWS_EC2_TYPES_H_

#include <string>
#include <vector>

namespace romana::aws {

struct PrivateIpAddress {
  std::string address;
  bool primary = false;
};

struct NetworkInterface {
  std::string id;                 // "eni-..."
  std::string subnet_id;
  std::string vpc_id;
  std::string private_ip;         // The ENI's primary private IP.
  std::vector<PrivateIpAddress> private_ips;  // Primary and secondary.
  int device_index = -1;          // From the attachment; 0 = primary ENI.
  bool source_dest_check = true;
  // True when `ip` is one of this ENI's private addresses.
  bool HasIp(const std::string& ip) const;
};

struct Instance {
  std::string id;                 // "i-..."
  std::string state;              // "pending", "running", "terminated", ...
  std::string availability_zone;
  std::string subnet_id;
  std::string vpc_id;
  std::string private_ip;
  std::string private_dns_name;
  bool source_dest_check = true;
  std::vector<NetworkInterface> interfaces;
  // The ENI at device index 0 (or the one holding private_ip), or nullptr.
  const NetworkInterface* PrimaryInterface() const;
  // The ENI that has `ip` among its private addresses, or nullptr.
  const NetworkInterface* InterfaceWithIp(const std::string& ip) const;
};

struct Vpc {
  std::string id;
  std::string cidr_block;
  bool is_default = false;
};

struct Subnet {
  std::string id;
  std::string vpc_id;
  std::string cidr_block;
  std::string availability_zone;
};

struct Route {
  std::string destination_cidr;
  std::string gateway_id;            // "local", "igw-..."
  std::string instance_id;
  std::string network_interface_id;
  std::string nat_gateway_id;
  std::string state;                 // "active" | "blackhole"
  std::string origin;                // "CreateRouteTable" | "CreateRoute" | ...
  bool operator==(const Route&) const = default;
};

struct RouteTableAssociation {
  std::string id;
  std::string subnet_id;             // Empty for the main association.
  bool main = false;
  bool operator==(const RouteTableAssociation&) const = default;
};

struct RouteTable {
  std::string id;
  std::string vpc_id;
  std::vector<RouteTableAssociation> associations;
  std::vector<Route> routes;
  bool IsMain() const;
  bool operator==(const RouteTable&) const = default;
};

struct AvailabilityZone {
  std::string name;
  std::string state;
  std::string region;
};

// An EC2 filter (Filter.N.Name / Filter.N.Value.M).
struct Ec2Filter {
  std::string name;
  std::vector<std::string> values;
};

// Target of a route: exactly one of the two should be set (we always send the ENI; see
// route_planner.h for why).
struct RouteTarget {
  std::string instance_id;
  std::string network_interface_id;
  bool operator==(const RouteTarget&) const = default;
};

}  // namespace romana::aws

#endif  // ROMANA_AWS_EC2_TYPES_H_
