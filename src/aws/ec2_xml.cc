#include "aws/ec2_xml.h"

#include <pugixml.hpp>

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace romana::aws {
namespace {

constexpr char kErrorCodePayload[] = "type.romana/aws.ec2_error_code";

std::string Text(const pugi::xml_node& n, const char* child) {
  return n.child(child).text().as_string();
}

bool Bool(const pugi::xml_node& n, const char* child, bool fallback) {
  pugi::xml_node c = n.child(child);
  if (!c) return fallback;
  std::string v = absl::AsciiStrToLower(absl::StripAsciiWhitespace(c.text().as_string()));
  return v == "true";
}

absl::StatusOr<pugi::xml_node> Load(pugi::xml_document& doc, const std::string& xml,
                                    const char* root) {
  if (xml.size() > kMaxEc2ResponseBytes) {
    return absl::InvalidArgumentError(absl::StrCat("EC2 response <", root, "> is ", xml.size(),
                                                   " bytes, over the limit of ", kMaxEc2ResponseBytes, " bytes"));
  }
  pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size());
  if (!r) {
    return absl::InvalidArgumentError(
        absl::StrCat("EC2 response is not XML (", r.description(), "): ", xml.substr(0, 200)));
  }
  pugi::xml_node n = doc.document_element();
  if (std::string(n.name()) != root) {
    return absl::InvalidArgumentError(
        absl::StrCat("EC2 response: expected <", root, ">, got <", n.name(), ">"));
  }
  return n;
}

NetworkInterface ParseInterface(const pugi::xml_node& n) {
  NetworkInterface eni;
  eni.id = Text(n, "networkInterfaceId");
  eni.subnet_id = Text(n, "subnetId");
  eni.vpc_id = Text(n, "vpcId");
  eni.private_ip = Text(n, "privateIpAddress");
  eni.source_dest_check = Bool(n, "sourceDestCheck", true);
  if (pugi::xml_node att = n.child("attachment")) {
    eni.device_index = att.child("deviceIndex").text().as_int(-1);
  }
  for (pugi::xml_node ip : n.child("privateIpAddressesSet").children("item")) {
    eni.private_ips.push_back({Text(ip, "privateIpAddress"), Bool(ip, "primary", false)});
  }
  return eni;
}

Instance ParseInstance(const pugi::xml_node& n) {
  Instance inst;
  inst.id = Text(n, "instanceId");
  inst.state = n.child("instanceState").child("name").text().as_string();
  inst.availability_zone = n.child("placement").child("availabilityZone").text().as_string();
  inst.subnet_id = Text(n, "subnetId");
  inst.vpc_id = Text(n, "vpcId");
  inst.private_ip = Text(n, "privateIpAddress");
  inst.private_dns_name = Text(n, "privateDnsName");
  inst.source_dest_check = Bool(n, "sourceDestCheck", true);
  for (pugi::xml_node eni : n.child("networkInterfaceSet").children("item")) {
    inst.interfaces.push_back(ParseInterface(eni));
  }
  return inst;
}

absl::StatusCode CodeFor(const std::string& code, int http_status) {
  if (IsThrottlingCode(code)) return absl::StatusCode::kResourceExhausted;
  if (absl::EndsWith(code, ".NotFound")) {
    return absl::StatusCode::kNotFound;
  }
  if (code == "AuthFailure" || code == "UnauthorizedOperation" || absl::StartsWith(code, "AccessDenied") ||
      code == "SignatureDoesNotMatch" || code == "InvalidClientTokenId" || code == "OptInRequired") {
    return absl::StatusCode::kPermissionDenied;
  }
  if (code == "RouteAlreadyExists") return absl::StatusCode::kAlreadyExists;
  if (http_status >= 500 || code == "InternalError" || code == "Unavailable" ||
      code == "ServiceUnavailable") {
    return absl::StatusCode::kUnavailable;
  }
  if (absl::StartsWith(code, "Invalid") || absl::StartsWith(code, "Missing") ||
      code == "UnknownParameter") {
    return absl::StatusCode::kInvalidArgument;
  }
  return absl::StatusCode::kFailedPrecondition;
}

}  // namespace

bool IsThrottlingCode(const std::string& code) {
  return code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" ||
         code == "RequestThrottled" || code == "RequestThrottledException" ||
         code == "TooManyRequestsException" || code == "EC2ThrottledException";
}

absl::StatusOr<Ec2Page<Instance>> ParseDescribeInstances(const std::string& xml) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = Load(doc, xml, "DescribeInstancesResponse");
  if (!root.ok()) return root.status();
  Ec2Page<Instance> page;
  for (pugi::xml_node res : root->child("reservationSet").children("item")) {
    for (pugi::xml_node inst : res.child("instancesSet").children("item")) {
      page.items.push_back(ParseInstance(inst));
    }
  }
  page.next_token = Text(*root, "nextToken");
  return page;
}

absl::StatusOr<Ec2Page<Vpc>> ParseDescribeVpcs(const std::string& xml) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = Load(doc, xml, "DescribeVpcsResponse");
  if (!root.ok()) return root.status();
  Ec2Page<Vpc> page;
  for (pugi::xml_node n : root->child("vpcSet").children("item")) {
    page.items.push_back({Text(n, "vpcId"), Text(n, "cidrBlock"), Bool(n, "isDefault", false)});
  }
  page.next_token = Text(*root, "nextToken");
  return page;
}

absl::StatusOr<Ec2Page<Subnet>> ParseDescribeSubnets(const std::string& xml) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = Load(doc, xml, "DescribeSubnetsResponse");
  if (!root.ok()) return root.status();
  Ec2Page<Subnet> page;
  for (pugi::xml_node n : root->child("subnetSet").children("item")) {
    page.items.push_back({Text(n, "subnetId"), Text(n, "vpcId"), Text(n, "cidrBlock"),
                          Text(n, "availabilityZone")});
  }
  page.next_token = Text(*root, "nextToken");
  return page;
}

absl::StatusOr<Ec2Page<RouteTable>> ParseDescribeRouteTables(const std::string& xml) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = Load(doc, xml, "DescribeRouteTablesResponse");
  if (!root.ok()) return root.status();
  Ec2Page<RouteTable> page;
  for (pugi::xml_node n : root->child("routeTableSet").children("item")) {
    RouteTable rt;
    rt.id = Text(n, "routeTableId");
    rt.vpc_id = Text(n, "vpcId");
    for (pugi::xml_node a : n.child("associationSet").children("item")) {
      rt.associations.push_back(
          {Text(a, "routeTableAssociationId"), Text(a, "subnetId"), Bool(a, "main", false)});
    }
    for (pugi::xml_node r : n.child("routeSet").children("item")) {
      Route route;
      route.destination_cidr = Text(r, "destinationCidrBlock");
      route.gateway_id = Text(r, "gatewayId");
      route.instance_id = Text(r, "instanceId");
      route.network_interface_id = Text(r, "networkInterfaceId");
      route.nat_gateway_id = Text(r, "natGatewayId");
      route.state = Text(r, "state");
      route.origin = Text(r, "origin");
      rt.routes.push_back(std::move(route));
    }
    page.items.push_back(std::move(rt));
  }
  page.next_token = Text(*root, "nextToken");
  return page;
}

absl::StatusOr<std::vector<AvailabilityZone>> ParseDescribeAvailabilityZones(const std::string& xml) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = Load(doc, xml, "DescribeAvailabilityZonesResponse");
  if (!root.ok()) return root.status();
  std::vector<AvailabilityZone> zones;
  for (pugi::xml_node n : root->child("availabilityZoneInfo").children("item")) {
    zones.push_back({Text(n, "zoneName"), Text(n, "zoneState"), Text(n, "regionName")});
  }
  return zones;
}

absl::StatusOr<bool> ParseSourceDestCheckAttribute(const std::string& xml) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = Load(doc, xml, "DescribeInstanceAttributeResponse");
  if (!root.ok()) return root.status();
  pugi::xml_node v = root->child("sourceDestCheck").child("value");
  if (!v) {
    return absl::InvalidArgumentError(
        "DescribeInstanceAttributeResponse: no <sourceDestCheck><value> element");
  }
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(v.text().as_string())) == "true";
}

absl::Status ParseSimpleResponse(const std::string& xml, const std::string& expected_root) {
  pugi::xml_document doc;
  absl::StatusOr<pugi::xml_node> root = Load(doc, xml, expected_root.c_str());
  if (!root.ok()) return root.status();
  if (pugi::xml_node ret = root->child("return")) {
    if (absl::AsciiStrToLower(ret.text().as_string()) != "true") {
      return absl::InternalError(absl::StrCat(expected_root, ": <return> is not true"));
    }
  }
  return absl::OkStatus();
}

absl::Status Ec2ErrorStatus(const std::string& action, int http_status, const std::string& body) {
  pugi::xml_document doc;
  std::string code, message;
  if (body.size() <= kMaxEc2ResponseBytes && doc.load_buffer(body.data(), body.size())) {
    pugi::xpath_node err = doc.select_node("//Error[Code]");
    if (err) {
      code = Text(err.node(), "Code");
      message = Text(err.node(), "Message");
    }
  }
  absl::Status status;
  if (code.empty()) {
    std::string snippet = body.substr(0, 160);
    for (char& c : snippet) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    status = absl::Status(http_status >= 500 ? absl::StatusCode::kUnavailable
                          : http_status == 401 || http_status == 403
                              ? absl::StatusCode::kPermissionDenied
                              : absl::StatusCode::kFailedPrecondition,
                          absl::StrCat("EC2 ", action, ": HTTP ", http_status,
                                       " without an EC2 error document: ", snippet));
  } else {
    status = absl::Status(CodeFor(code, http_status),
                          absl::StrCat("EC2 ", action, ": ", code, ": ", message));
    status.SetPayload(kErrorCodePayload, absl::Cord(code));
  }
  return status;
}

std::string Ec2ErrorCode(const absl::Status& status) {
  auto p = status.GetPayload(kErrorCodePayload);
  return p ? std::string(*p) : std::string();
}

}  // namespace romana::aws
