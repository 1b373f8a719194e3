// client.h: the project's one HTTP client interface. Every client in the project (the romanad
// API client, the Kubernetes client, EC2 and instance metadata, romanad's forwarding to its
// leader) sends requests through it; CurlClient (http/curl_client.h) implements it on libcurl
// and http/testing/fake_client.h scripts answers for unit tests.
//
// Contract of Send():
//   * Any HTTP status is a result, not an error: a 404 or 503 comes back as an OK StatusOr
//     whose Response::status says so.
//   * Errors are transport failures only: Unavailable (DNS, connect refused or timed out, reset,
//     TLS handshake or verification failure, total or idle timeout; the message carries the curl
//     error text), Cancelled (Request::cancel), InvalidArgument (bad URL; TLS files that cannot
//     be loaded), ResourceExhausted (a body or line beyond its bound).
//
// Implementations are thread-safe: Send() may be called from many threads at once.
#ifndef ROMANA_HTTP_CLIENT_H_
#define ROMANA_HTTP_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romana::http {

// Header names as given (sent) or as received; lookups are case-insensitive (FindHeader).
using Headers = std::vector<std::pair<std::string, std::string>>;

// Value of the first header named `name` (case-insensitive), or "".
std::string FindHeader(const Headers& headers, absl::string_view name);

struct Request {
  std::string method = "GET";
  std::string url;  // "http://127.0.0.1:9600/path?query" or https://...
  Headers headers;  // "Expect: 100-continue" is never sent; no Content-Type unless given here.
  std::string body;

  // Time limits; 0 = none. `timeout` bounds the whole exchange (use 0 for streams), `idle_timeout`
  // ends a transfer when no byte arrived (or left) for that long, counted from the start of the
  // request; it is checked about once a second, so it is not finer than that.
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds idle_timeout{0};

  // Streaming. When one of these is set, the body of a 2xx answer is handed to it as it arrives
  // and not kept in Response::body (the body of any other answer is still collected there, up
  // to max_body_bytes, so the caller can read the error). Returning false ends the transfer
  // early: Send() then returns OK with the status seen so far.
  //   on_data: each chunk as received (no buffering).
  //   on_line: each '\n'-terminated line, without the '\n' (and a '\r' before it); empty lines
  //            too. A partial line is buffered up to max_line_bytes; a longer line ends the
  //            transfer with ResourceExhausted. An unterminated last line is dropped.
  std::function<bool(absl::string_view chunk)> on_data;
  std::function<bool(absl::string_view line)> on_line;
  size_t max_line_bytes = size_t{16} << 20;
  // Bound on a collected (non-streamed) body; beyond it Send() returns ResourceExhausted.
  size_t max_body_bytes = size_t{256} << 20;

  // Called once with the status and headers of the final answer, before its body.
  std::function<void(int status, const Headers& headers)> on_headers;

  // When non-null and set to true by another thread, the transfer is aborted within about a
  // second (Send() returns Cancelled). Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;

  // Whether the client may retry this request (see CurlClientOptions::retry). Default: by
  // method (GET, HEAD, PUT, DELETE, OPTIONS are idempotent; POST and PATCH are not). A
  // streamed request is never retried once a byte of its body reached the callback.
  std::optional<bool> idempotent;
};

struct Response {
  int status = 0;
  Headers headers;   // Of the final answer, names as received.
  std::string body;  // Empty when streamed to Request::on_data / on_line.
  std::string Header(absl::string_view name) const { return FindHeader(headers, name); }
};

class Client {
 public:
  virtual ~Client() = default;
  // Sends `request` and waits for the whole answer (or the end of the stream). `request` and
  // its callbacks are only used during the call; callbacks run on the calling thread.
  virtual absl::StatusOr<Response> Send(const Request& request) = 0;
};

}  // namespace romana::http

#endif  // ROMANA_HTTP_CLIENT_H_
