// result.h: the CNI Result (what ADD prints and what CHECK/DEL get back as prevResult), in one
// version-independent form, rendered and parsed per spec version. Pure; thread-safe.
//
// Per version:
//   0.3.0, 0.3.1, 0.4.0  ips[] carry "version": "4"
//   1.0.0                ips[] have no "version"
//   1.1.0                as 1.0.0, and interfaces[] carry "mtu" when known
#ifndef ROMANA_CNI_RESULT_H_
#define ROMANA_CNI_RESULT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::cni {

struct Interface {
  std::string name;
  std::string mac;      // "" = left out
  std::string sandbox;  // netns path for interfaces inside a sandbox; "" = host side
  int mtu = 0;          // 0 = left out (rendered only for >= 1.1.0)
  bool operator==(const Interface&) const = default;
};

struct IpConfig {
  std::string address;  // "10.112.0.3/32"
  std::string gateway;  // "" = left out
  int interface = -1;   // index into Result::interfaces; -1 = left out
  bool operator==(const IpConfig&) const = default;
};

struct RouteConfig {
  std::string dst;  // "0.0.0.0/0"
  std::string gw;   // "" = left out
  bool operator==(const RouteConfig&) const = default;
};

struct Result {
  std::vector<Interface> interfaces;
  std::vector<IpConfig> ips;
  std::vector<RouteConfig> routes;
  nlohmann::json dns = nlohmann::json::object();  // passed through as is
  bool operator==(const Result&) const = default;
};

// Renders `result` in `version` (REQUIRES: IsSupportedVersion(version)).
nlohmann::json RenderResult(const Result& result, const std::string& version);

// Parses a result of any supported version (as found in prevResult). IPv6 entries are kept.
// Errors: InvalidArgument naming the field ("prevResult.ips[0].address must be a string").
absl::StatusOr<Result> ParseResult(const nlohmann::json& json);

// `ours` appended after `prev` (a previous plugin's result in a chain), with ours' interface
// indices shifted past prev's interfaces; routes appended; prev's dns kept when ours is empty.
Result MergeResults(const Result& prev, const Result& ours);

}  // namespace romana::cni

#endif  // ROMANA_CNI_RESULT_H_
