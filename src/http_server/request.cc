#include "http_server/request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace romana::http_server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

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

std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<ParsedTarget> ParseTarget(std::string_view target) {
  if (target.empty() || target[0] != '/') return std::nullopt;
  ParsedTarget out;
  const size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (size_t hash = raw_path.find('#'); hash != std::string_view::npos) raw_path = raw_path.substr(0, hash);
  std::optional<std::string> path = PercentDecode(raw_path, /*plus_is_space=*/false);
  if (!path.has_value() || path->find('\0') != std::string::npos) return std::nullopt;
  out.path = *std::move(path);
  if (q == std::string_view::npos) return out;
  std::string_view query = target.substr(q + 1);
  if (size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  for (absl::string_view split : absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
    const std::string_view part(split.data(), split.size());
    const size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::optional<std::string> key = PercentDecode(k, true);
    std::optional<std::string> value = PercentDecode(v, true);
    out.params.emplace(key.has_value() ? *key : std::string(k), value.has_value() ? *value : std::string(v));
  }
  return out;
}

}  // namespace romana::http_server
