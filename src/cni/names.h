// names.h: the names Romana derives from a CNI attachment (container id + interface name).
// Pure; thread-safe.
//
//   address name  "<container id>:<ifname>"  - the key romanad allocates by, so a retried ADD
//                                             gets the same address (docs/api.md)
//   host veth     "romana" + 9 hex digits of SHA-256("<container id>:<ifname>")  (15 bytes, the
//                                             kernel's limit)
#ifndef ROMANA_CNI_NAMES_H_
#define ROMANA_CNI_NAMES_H_

#include <optional>
#include <string>

namespace romana::cni {

inline constexpr char kHostVethPrefix[] = "romana";

struct Attachment {
  std::string container_id;
  std::string ifname;
  bool operator==(const Attachment&) const = default;
  auto operator<=>(const Attachment&) const = default;
};

std::string AddressName(const Attachment& attachment);
std::string HostVethName(const Attachment& attachment);
// Inverse of AddressName: splits at the LAST ':' (ifnames never contain ':'). nullopt when the
// name is not of that form (no ':', or an empty side, or an invalid container id/ifname), so
// addresses that other clients allocated under other names are never mistaken for ours.
std::optional<Attachment> ParseAddressName(const std::string& name);

// The CNI rules: a container id is non-empty, starts with [A-Za-z0-9] and continues with
// [A-Za-z0-9_.-]; an interface name is 1..15 bytes, not "." or "..", without '/', ':' or
// whitespace. The error text names the value and the rule.
std::optional<std::string> ValidateContainerId(const std::string& id);
std::optional<std::string> ValidateInterfaceName(const std::string& name);

}  // namespace romana::cni

#endif  // ROMANA_CNI_NAMES_H_
