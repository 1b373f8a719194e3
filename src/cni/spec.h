// spec.h: the parts of the CNI specification (github.com/containernetworking/cni SPEC.md) that
// do not depend on Romana: supported versions, well-known error codes and the error document.
// Pure; thread-safe.
#ifndef ROMANA_CNI_SPEC_H_
#define ROMANA_CNI_SPEC_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace romana::cni {

// Versions this plugin speaks, oldest first. 0.1.0/0.2.0 results have another shape (ip4/ip6)
// and are not supported.
const std::vector<std::string>& SupportedVersions();
inline constexpr char kLatestVersion[] = "1.1.0";
bool IsSupportedVersion(const std::string& version);

// Compares two "X.Y.Z" versions: <0, 0, >0. Unparseable parts compare as 0.
int CompareVersions(const std::string& a, const std::string& b);
// CHECK exists from 0.4.0, GC and STATUS from 1.1.0; results lose ips[].version in 1.0.0.
inline bool SupportsCheck(const std::string& v) { return CompareVersions(v, "0.4.0") >= 0; }
inline bool SupportsGcAndStatus(const std::string& v) { return CompareVersions(v, "1.1.0") >= 0; }

// Well-known error codes (SPEC.md "Error"), and Romana's own (100+).
enum ErrorCode : int {
  kErrIncompatibleVersion = 1,
  kErrUnsupportedField = 2,
  kErrUnknownContainer = 3,
  kErrInvalidEnvironment = 4,
  kErrIo = 5,
  kErrDecode = 6,
  kErrInvalidNetworkConfig = 7,
  kErrTryAgainLater = 11,
  kErrPluginNotAvailable = 50,
  kErrPluginNotAvailableLimitedConnectivity = 51,
  // Romana: romanad refused the request (its message is in msg/details).
  kErrRomanad = 100,
  // Romana: the kernel refused a change to links, addresses, routes or neighbours.
  kErrDataplane = 101,
  // Romana: CHECK found the attachment different from prevResult.
  kErrCheckFailed = 102,
};

struct CniError {
  int code = 0;
  std::string msg;      // short
  std::string details;  // longer, optional
};

// {"cniVersion": v, "code": c, "msg": m, "details": d}; "details" left out when empty. `version`
// is the request's version when it is one we support, else kLatestVersion.
nlohmann::json RenderError(const CniError& error, const std::string& version);

// The VERSION answer: {"cniVersion": kLatestVersion, "supportedVersions": [...]}.
nlohmann::json RenderVersionInfo();

}  // namespace romana::cni

#endif  // ROMANA_CNI_SPEC_H_
