#include "agent/sysctl.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace romana::agent {

std::string SysctlPath(const std::string& root, const std::string& key) {
  return absl::StrCat(root, "/", absl::StrReplaceAll(key, {{".", "/"}}));
}

namespace {
absl::Status CheckKey(const std::string& key) {
  for (absl::string_view part : absl::StrSplit(key, '.')) {
    if (part.empty() || part.find('/') != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("sysctl key '", key, "' is malformed"));
    }
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<std::string> ReadSysctl(const std::string& root, const std::string& key) {
  if (absl::Status s = CheckKey(key); !s.ok()) return s;
  std::ifstream in(SysctlPath(root, key));
  if (!in) return absl::NotFoundError(absl::StrCat("sysctl ", key, ": cannot read ", SysctlPath(root, key)));
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

absl::Status SetSysctls(const std::string& root,
                        const std::vector<std::pair<std::string, std::string>>& settings) {
  for (const auto& [key, value] : settings) {
    if (absl::Status s = CheckKey(key); !s.ok()) return s;
    const std::string path = SysctlPath(root, key);
    {
      std::ofstream out(path, std::ios::trunc);
      out << value << "\n";
      out.flush();
      if (!out) return absl::InternalError(absl::StrCat("sysctl ", key, ": cannot write ", path));
    }
    absl::StatusOr<std::string> got = ReadSysctl(root, key);
    if (!got.ok()) return got.status();
    if (*got != value) {
      return absl::InternalError(
          absl::StrCat("sysctl ", key, ": wrote '", value, "' but it reads '", *got, "'"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> DataplaneSysctls(bool proxy_arp) {
  std::vector<std::pair<std::string, std::string>> s = {{"net.ipv4.ip_forward", "1"}};
  if (proxy_arp) s.emplace_back("net.ipv4.conf.default.proxy_arp", "1");
  return s;
}

}  // namespace romana::agent
