// auth.h: the bearer-token check of romanad.
//
// The token is read once from a file (a Kubernetes secret mounted as a file works); surrounding
// whitespace is trimmed. Requests are compared in constant time (SHA-256 of both sides, then
// CRYPTO_memcmp), so neither the content nor the length of the token leaks through timing. The
// token is never logged. Thread-safe after construction.
#ifndef ROMANA_DAEMON_AUTH_H_
#define ROMANA_DAEMON_AUTH_H_

#include <array>
#include <string>

#include "absl/status/statusor.h"

namespace romana::daemon {

class TokenAuth {
 public:
  // Errors: NotFound/PermissionDenied when the file cannot be read; InvalidArgument when it
  // holds no token.
  static absl::StatusOr<TokenAuth> FromFile(const std::string& path);
  // REQUIRES: non-empty token.
  static TokenAuth FromToken(const std::string& token);

  // True when `authorization_header` is exactly "Bearer <token>" (scheme case-insensitive).
  bool Check(const std::string& authorization_header) const;

 private:
  std::array<unsigned char, 32> digest_{};
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_AUTH_H_
