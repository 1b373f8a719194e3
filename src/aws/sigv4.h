// sigv4.h: AWS Signature Version 4 request signing, as pure functions.
//
// The signer works on a plain description of an HTTP request (method, raw path, raw query,
// headers, body) and returns every intermediate product (canonical request, string to sign,
// signature) so tests can compare them byte for byte with the public AWS test suite.
// Hashing and HMAC use OpenSSL. All functions are pure and thread-safe.
#ifndef ROMANA_AWS_SIGV4_H_
#define ROMANA_AWS_SIGV4_H_

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romana::aws {

// AWS credentials. `session_token` is empty for long-term keys; `expiration` is set for
// temporary credentials (instance role, STS).
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::optional<std::chrono::system_clock::time_point> expiration;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The request to sign, as it will go on the wire.
struct SigningRequest {
  std::string method;   // "GET", "POST", ...
  std::string path;     // Raw path from the request line, without the query ("/", "/a b/").
  std::string query;    // Raw query string without the leading '?'; may contain %XX escapes.
  HeaderList headers;   // Names in any case; repeated names allowed. Must include Host.
  std::string body;
};

struct SigningParams {
  std::string region;                              // REQUIRES: non-empty.
  std::string service;                             // REQUIRES: non-empty ("ec2").
  std::chrono::system_clock::time_point time;      // Signing time (X-Amz-Date).
  bool normalize_path = true;     // Remove "." and ".." segments and repeated slashes (not S3).
  bool add_content_sha256_header = false;          // Header mode: add x-amz-content-sha256.
  bool omit_session_token = false;                 // Sign without the token (never for EC2).
  enum class Mode { kHeaders, kQuery } mode = Mode::kHeaders;
  std::chrono::seconds expires{3600};              // Query mode only: X-Amz-Expires.
};

struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;             // Lower-case hex.
  std::string signed_headers;        // "host;x-amz-date"
  // Header mode: headers to add to the request (X-Amz-Date, X-Amz-Security-Token,
  // x-amz-content-sha256 when asked, Authorization), in that order.
  HeaderList headers_to_add;
  // Query mode: the complete query string to send (the request's parameters plus the
  // X-Amz-* ones and X-Amz-Signature), in canonical order.
  std::string signed_query;
};

// Signs `request`. Errors: InvalidArgument when credentials, region or service are empty or a
// query escape is malformed. Pure: no I/O, no clock.
absl::StatusOr<SigningResult> SignRequest(const SigningRequest& request,
                                          const Credentials& credentials,
                                          const SigningParams& params);

// Building blocks, exposed for tests and for callers that sign other things.
std::string Sha256Hex(absl::string_view data);
std::string HmacSha256(absl::string_view key, absl::string_view data);  // Raw 32 bytes.
// kSigning = HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request". Raw bytes.
std::string DeriveSigningKey(absl::string_view secret, absl::string_view yyyymmdd,
                             absl::string_view region, absl::string_view service);
// "20150830T123600Z" for the given time (UTC).
std::string AmzDate(std::chrono::system_clock::time_point t);

}  // namespace romana::aws

#endif  // ROMANA_AWS_SIGV4_H_
