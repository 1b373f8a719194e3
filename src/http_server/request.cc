#include "http_server/request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "http/url.h"

namespace romana::http_server {

std::string Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, absl::string_view(name.data(), name.size()))) return v;
  }
  return "";
}

bool Request::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, absl::string_view(name.data(), name.size()))) return true;
  }
  return false;
}

std::string Request::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

std::optional<ParsedTarget> ParseTarget(std::string_view target) {
  if (target.empty() || target[0] != '/') return std::nullopt;
  ParsedTarget out;
  const size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (size_t hash = raw_path.find('#'); hash != std::string_view::npos) raw_path = raw_path.substr(0, hash);
  absl::StatusOr<std::string> path = http::PercentDecode(absl::string_view(raw_path.data(), raw_path.size()));
  if (!path.ok() || path->find('\0') != std::string::npos) return std::nullopt;
  out.path = *std::move(path);
  if (q == std::string_view::npos) return out;
  std::string_view query = target.substr(q + 1);
  if (size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  for (absl::string_view split : absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
    const std::string_view part(split.data(), split.size());
    const size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    absl::StatusOr<std::string> key = http::PercentDecode(absl::string_view(k.data(), k.size()), true);
    absl::StatusOr<std::string> value = http::PercentDecode(absl::string_view(v.data(), v.size()), true);
    // A malformed escape in the query is kept as it came (a handler then rejects the value).
    out.params.emplace(key.ok() ? *key : std::string(k), value.ok() ? *value : std::string(v));
  }
  return out;
}

}  // namespace romana::http_server
