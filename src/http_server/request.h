// request.h: the request and response values of the event-driven HTTP server (http_server.h),
// and the pure parsing of a request target. No Beast types: handlers see only these.
//
// Thread-safety: plain values; a const Request may be read from any thread.
#ifndef ROMANA_HTTP_SERVER_REQUEST_H_
#define ROMANA_HTTP_SERVER_REQUEST_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace romana::http_server {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ... (upper case, as sent)
  std::string target;  // as sent: "/a%20b?x=1"
  std::string path;    // percent-decoded path ('+' stays '+'): "/a b"
  // matches[0] is the whole path; matches[i] the i-th capture group of the route's pattern.
  std::vector<std::string> matches;
  // Query parameters, percent-decoded ('+' is a space). A repeated name keeps every value.
  std::multimap<std::string, std::string> params;
  Headers headers;  // as sent, in order
  std::string body;
  std::string remote_address;  // "ip:port" of the peer

  // The first header named `name` (case-insensitive); "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The first value of query parameter `name`; "" when absent.
  std::string Param(const std::string& name) const;
  bool HasParam(const std::string& name) const { return params.contains(name); }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;  // extra headers (Content-Type/Length and Connection are set by the server)
};

// "/a%2Fb?x=1&y=%20" -> path "/a/b", params {x: "1", y: " "}. Returns nullopt for a target
// that is not origin-form ("/..."), or whose path has a malformed or NUL percent escape.
// Malformed escapes in the query are kept literally (as browsers and curl send them).
struct ParsedTarget {
  std::string path;
  std::multimap<std::string, std::string> params;
};
std::optional<ParsedTarget> ParseTarget(std::string_view target);

}  // namespace romana::http_server

#endif  // ROMANA_HTTP_SERVER_REQUEST_H_
