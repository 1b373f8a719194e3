#include "base/token_file.h"

#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace romana::base {

absl::StatusOr<std::string> ParseToken(absl::string_view content, absl::string_view source) {
  if (content.size() > kMaxTokenFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": larger than ", kMaxTokenFileBytes, " bytes; a token file holds one token"));
  }
  absl::string_view token = absl::StripAsciiWhitespace(content);
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(source, ": holds no token"));
  for (char c : token) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": the token must be one word (no whitespace inside)"));
    }
  }
  return std::string(token);
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("token file ", path, ": cannot be read"));
  std::string content(kMaxTokenFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) return absl::NotFoundError(absl::StrCat("token file ", path, ": cannot be read"));
  content.resize(static_cast<size_t>(in.gcount()));
  return ParseToken(content, absl::StrCat("token file ", path));
}

}  // namespace romana::base
