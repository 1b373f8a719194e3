// router.h: picks the route of a request by method and path pattern. Pure; not thread-safe
// while routes are added, safe for concurrent Match() afterwards.
#ifndef ROMANA_HTTP_SERVER_ROUTER_H_
#define ROMANA_HTTP_SERVER_ROUTER_H_

#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace romana::http_server {

// A pattern matching exactly `path` (regular-expression characters escaped).
std::string LiteralPattern(const std::string& path);

class Router {
 public:
  // Adds a route; `pattern` is an ECMAScript regular expression that must match the whole
  // (percent-decoded) path, e.g. "/hosts/([^/]+)". Returns the route's id (0, 1, ... in order).
  // Invalid patterns are a programming error (std::regex throws at start-up).
  size_t Add(const std::string& method, const std::string& pattern);

  // The first route added whose method and pattern match; fills `matches` (matches[0] = the
  // path, matches[i] = capture group i). nullopt when none matches.
  std::optional<size_t> Match(const std::string& method, const std::string& path,
                              std::vector<std::string>& matches) const;

 private:
  struct Entry {
    std::string method;
    std::regex pattern;
  };
  std::vector<Entry> entries_;
};

}  // namespace romana::http_server

#endif  // ROMANA_HTTP_SERVER_ROUTER_H_
