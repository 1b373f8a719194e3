#include "cni/spec.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace romana::cni {

const std::vector<std::string>& SupportedVersions() {
  static const auto* versions =
      new std::vector<std::string>{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};
  return *versions;
}

bool IsSupportedVersion(const std::string& version) {
  const auto& v = SupportedVersions();
  return std::find(v.begin(), v.end(), version) != v.end();
}

int CompareVersions(const std::string& a, const std::string& b) {
  std::vector<std::string> pa = absl::StrSplit(a, '.');
  std::vector<std::string> pb = absl::StrSplit(b, '.');
  for (size_t i = 0; i < 3; ++i) {
    int x = 0, y = 0;
    if (i < pa.size() && !absl::SimpleAtoi(pa[i], &x)) x = 0;
    if (i < pb.size() && !absl::SimpleAtoi(pb[i], &y)) y = 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

nlohmann::json RenderError(const CniError& error, const std::string& version) {
  nlohmann::json j;
  j["cniVersion"] = IsSupportedVersion(version) ? version : std::string(kLatestVersion);
  j["code"] = error.code;
  j["msg"] = error.msg;
  if (!error.details.empty()) j["details"] = error.details;
  return j;
}

nlohmann::json RenderVersionInfo() {
  return {{"cniVersion", kLatestVersion}, {"supportedVersions", SupportedVersions()}};
}

}  // namespace romana::cni
