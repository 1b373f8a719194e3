// token_file.h: the one way a bearer token is read, by every binary that holds one (romanad,
// romana-agent, the CNI plugin, romanactl, romana-vpcrouter, the Kubernetes client).
//
// A token file holds one word; surrounding whitespace (the newline that `echo` or an editor
// adds, a CRLF) is not part of the token. An empty file, or one with whitespace inside the token,
// is an error: such a file is a mistake, and sending "" or a half token would only turn into a
// confusing 401 later. Error messages name the file and never contain its content.
// Thread-safe (no shared state).
#ifndef ROMANA_BASE_TOKEN_FILE_H_
#define ROMANA_BASE_TOKEN_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romana::base {

// Largest token file accepted (a Kubernetes service account token is about 1 KiB).
inline constexpr size_t kMaxTokenFileBytes = 16 * 1024;

// The token in `content`, trimmed. `source` names where it came from in errors ("--token-file
// /etc/romana/token"). Errors: InvalidArgument (empty, several words, larger than
// kMaxTokenFileBytes).
absl::StatusOr<std::string> ParseToken(absl::string_view content, absl::string_view source);

// Reads and parses the token file at `path`. Errors: NotFound (cannot be opened: missing or
// not readable), InvalidArgument as ParseToken. Re-reading is cheap: callers whose token rotates
// (Kubernetes service account tokens) call this for every request.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace romana::base

#endif  // ROMANA_BASE_TOKEN_FILE_H_
