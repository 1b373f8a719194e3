#include "cni/names.h"

#include <openssl/sha.h>

#include <cctype>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace romana::cni {

std::string AddressName(const Attachment& a) { return absl::StrCat(a.container_id, ":", a.ifname); }

std::string HostVethName(const Attachment& a) {
  const std::string key = AddressName(a);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  const std::string hex =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
  const std::string prefix = kHostVethPrefix;
  return prefix + hex.substr(0, 15 - prefix.size());  // IFNAMSIZ - 1
}

std::optional<Attachment> ParseAddressName(const std::string& name) {
  size_t colon = name.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  Attachment a{name.substr(0, colon), name.substr(colon + 1)};
  if (ValidateContainerId(a.container_id) || ValidateInterfaceName(a.ifname)) return std::nullopt;
  return a;
}

std::optional<std::string> ValidateContainerId(const std::string& id) {
  if (id.empty()) return "container id is empty";
  for (size_t i = 0; i < id.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    bool ok = std::isalnum(c) || (i > 0 && (c == '_' || c == '.' || c == '-'));
    if (!ok) {
      return absl::StrCat("container id \"", id,
                          "\" is invalid: it must start with a letter or digit and contain only "
                          "letters, digits, '_', '.' and '-'");
    }
  }
  return std::nullopt;
}

std::optional<std::string> ValidateInterfaceName(const std::string& name) {
  if (name.empty()) return "interface name is empty";
  if (name.size() > 15) {
    return absl::StrCat("interface name \"", name, "\" is longer than 15 bytes");
  }
  if (name == "." || name == "..") return absl::StrCat("interface name \"", name, "\" is not allowed");
  for (unsigned char c : name) {
    if (c == '/' || c == ':' || std::isspace(c) || c < 0x20) {
      return absl::StrCat("interface name \"", name, "\" contains '/', ':' or whitespace");
    }
  }
  return std::nullopt;
}

}  // namespace romana::cni
