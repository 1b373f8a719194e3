#include "http_server/router.h"

#include <string_view>

namespace romana::http_server {

std::string LiteralPattern(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

size_t Router::Add(const std::string& method, const std::string& pattern) {
  entries_.push_back({method, std::regex(pattern, std::regex::ECMAScript | std::regex::optimize)});
  return entries_.size() - 1;
}

std::optional<size_t> Router::Match(const std::string& method, const std::string& path,
                                    std::vector<std::string>& matches) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (e.method != method) continue;
    std::smatch m;
    if (!std::regex_match(path, m, e.pattern)) continue;
    matches.clear();
    for (const auto& sub : m) matches.push_back(sub.str());
    return i;
  }
  return std::nullopt;
}

}  // namespace romana::http_server
