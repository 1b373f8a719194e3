#include "netlink/libnl_util.h"

#include <arpa/inet.h>
#include <net/if.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "net/ipv4.h"

namespace romana::netlink::libnl {
namespace {

// Strict IPv4 text ("10.0.0.1") to binary; false when malformed.
bool ParseIp(const std::string& text, in_addr* out) {
  absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(text);
  if (!a.ok()) return false;
  out->s_addr = htonl(a->value());
  return true;
}

}  // namespace

absl::StatusOr<AddrPtr> ParsePrefixAddr(const std::string& text, const std::string& field) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\" is not a prefix: expected a.b.c.d/len"));
  }
  in_addr ip{};
  int len = -1;
  if (!ParseIp(text.substr(0, slash), &ip)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\": \"", text.substr(0, slash), "\" is not an IPv4 address"));
  }
  if (!absl::SimpleAtoi(text.substr(slash + 1), &len) || len < 0 || len > 32) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\": prefix length must be 0..32"));
  }
  AddrPtr addr(nl_addr_build(AF_INET, &ip, sizeof(ip)));
  if (!addr) return absl::ResourceExhaustedError("nl_addr_build: out of memory");
  nl_addr_set_prefixlen(addr.get(), len);
  return addr;
}

absl::StatusOr<AddrPtr> ParseIpAddr(const std::string& text, const std::string& field) {
  in_addr ip{};
  if (!ParseIp(text, &ip)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", text, "\" is not an IPv4 address"));
  }
  AddrPtr addr(nl_addr_build(AF_INET, &ip, sizeof(ip)));
  if (!addr) return absl::ResourceExhaustedError("nl_addr_build: out of memory");
  return addr;
}

std::string FormatIp(nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_len(addr) != 4) return "0.0.0.0";
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, nl_addr_get_binary_addr(addr), buf, sizeof(buf));
  return buf;
}

std::string FormatPrefix(nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_len(addr) == 0) return "0.0.0.0/0";
  return absl::StrCat(FormatIp(addr), "/", nl_addr_get_prefixlen(addr));
}

std::string FormatMac(nl_addr* addr) {
  if (addr == nullptr || nl_addr_get_len(addr) != 6) return "";
  const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(addr));
  char buf[18];
  snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  return buf;
}

absl::StatusOr<AddrPtr> ParseMac(const std::string& text) {
  unsigned int b[6];
  char tail;
  std::string s(text);
  if (sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
             &tail) != 6) {
    return absl::InvalidArgumentError(absl::StrCat("mac \"", text, "\" is not aa:bb:cc:dd:ee:ff"));
  }
  unsigned char bytes[6];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(b[i]);
  AddrPtr addr(nl_addr_build(AF_LLC, bytes, sizeof(bytes)));
  if (!addr) return absl::ResourceExhaustedError("nl_addr_build: out of memory");
  return addr;
}

absl::Status ValidateIfName(const std::string& name, const std::string& field) {
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is empty"));
  if (name.size() >= IFNAMSIZ) {
    return absl::InvalidArgumentError(absl::StrCat(field, " \"", name, "\" is longer than ",
                                                   IFNAMSIZ - 1, " bytes"));
  }
  if (name == "." || name == ".." || name.find_first_of("/: \t\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", name, "\" is not a valid interface name"));
  }
  return absl::OkStatus();
}

}  // namespace romana::netlink::libnl
