#include "aws/vpcrouter/spec_source.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace romana::vpcrouter {

absl::StatusOr<RouteSpec> FileRouteSpecSource::Fetch() {
  std::ifstream in(path_);
  if (!in) return absl::NotFoundError(absl::StrCat("route spec file ", path_, " cannot be read"));
  std::stringstream ss;
  ss << in.rdbuf();
  absl::StatusOr<RouteSpec> spec = ParseRouteSpecJson(ss.str());
  if (!spec.ok()) return absl::Status(spec.status().code(), absl::StrCat(path_, ": ", spec.status().message()));
  return spec;
}

absl::StatusOr<std::string> RomanadRouteSpecSource::Get(const std::string& path) {
  http::Request req{.method = "GET", .url = base_url_ + path, .headers = {{"Accept", "application/json"}}};
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  absl::StatusOr<http::Response> r = http_.Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::UnavailableError(absl::StrCat("romanad GET ", path, ": HTTP ", r->status, ": ", r->body.substr(0, 200)));
  }
  return r->body;
}

absl::StatusOr<RouteSpec> RomanadRouteSpecSource::Fetch() {
  absl::StatusOr<std::string> groups = Get("/groups");
  if (!groups.ok()) return groups.status();
  absl::StatusOr<std::string> hosts = Get("/hosts");
  if (!hosts.ok()) return hosts.status();
  absl::StatusOr<std::string> networks = Get("/networks");
  if (!networks.ok()) return networks.status();
  absl::StatusOr<std::vector<std::string>> cidrs = NetworkCidrsFromRomanad(*networks);
  if (!cidrs.ok()) return cidrs.status();
  absl::StatusOr<RouteSpec> spec = RouteSpecFromRomanad(*groups, *hosts);
  if (spec.ok()) networks_ = *std::move(cidrs);
  return spec;
}

}  // namespace romana::vpcrouter
