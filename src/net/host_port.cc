#include "net/host_port.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace romana::net {

absl::StatusOr<HostPort> ParseHostPort(std::string_view std_text) {
  const absl::string_view text(std_text.data(), std_text.size());
  const size_t colon = text.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not host:port (no ':')"));
  }
  const absl::string_view digits = text.substr(colon + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(digits, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\": the port must be a number in 0..65535"));
  }
  return HostPort{std::string(text.substr(0, colon)), port};
}

}  // namespace romana::net
