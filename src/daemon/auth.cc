#include "daemon/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/token_file.h"

namespace romana::daemon {
namespace {

std::array<unsigned char, 32> Digest(const std::string& s) {
  std::array<unsigned char, 32> d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

}  // namespace

absl::StatusOr<TokenAuth> TokenAuth::FromFile(const std::string& path) {
  absl::StatusOr<std::string> token = base::ReadTokenFile(path);
  if (!token.ok()) return absl::Status(token.status().code(), absl::StrCat("--token-file: ", token.status().message()));
  return FromToken(*token);
}

TokenAuth TokenAuth::FromToken(const std::string& token) {
  TokenAuth a;
  a.digest_ = Digest(token);
  return a;
}

bool TokenAuth::Check(const std::string& header) const {
  constexpr absl::string_view kBearer = "bearer ";
  if (header.size() <= kBearer.size() || !absl::StartsWithIgnoreCase(header, kBearer)) {
    // Still do the work so a missing header costs the same as a wrong one.
    std::array<unsigned char, 32> d = Digest(header);
    (void)CRYPTO_memcmp(d.data(), digest_.data(), d.size());
    return false;
  }
  std::array<unsigned char, 32> d = Digest(header.substr(kBearer.size()));
  return CRYPTO_memcmp(d.data(), digest_.data(), d.size()) == 0;
}

}  // namespace romana::daemon
