// http_client.h: the small HTTP interface the EC2 client, the instance-metadata client and the
// Kubernetes client use, with a libcurl implementation.
//
// HttpClient implementations must be thread-safe: Send() may be called from several threads.
// CurlHttpClient creates one curl handle per call and is thread-safe.
#ifndef ROMANA_AWS_HTTP_CLIENT_H_
#define ROMANA_AWS_HTTP_CLIENT_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romana::aws {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;                 // "http://127.0.0.1:5000/path?query"
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};  // Whole transfer; 0 = no limit (streams).
  std::chrono::milliseconds connect_timeout{5000};
  // Streaming: when set, body bytes are handed here as they arrive (and not collected in
  // HttpResponse::body). Returning false ends the transfer early; Send() then returns OK with
  // the status seen so far.
  std::function<bool(absl::string_view)> on_body_data;
  // When non-null and set to true by another thread, the transfer is aborted within about a
  // second (Send() returns Cancelled). Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;   // Names as received.
  std::string body;
  // Value of the first header named `name` (case-insensitive), or "".
  std::string Header(absl::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends the request and waits for the whole answer (or the end of the stream).
  // Any HTTP status is an OK result; errors are transport failures only: Unavailable
  // (connect/DNS/reset/timeout), Cancelled (request.cancel), InvalidArgument (bad URL).
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct CurlHttpOptions {
  std::string ca_file;            // PEM bundle to verify servers with; empty = system default.
  std::string client_cert_file;   // PEM client certificate (mutual TLS); optional.
  std::string client_key_file;    // PEM key for client_cert_file.
  bool insecure_skip_verify = false;
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpOptions options = {});
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  CurlHttpOptions options_;
};

}  // namespace romana::aws

#endif  // ROMANA_AWS_HTTP_CLIENT_H_
