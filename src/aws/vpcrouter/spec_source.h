// spec_source.h: where romana-vpcrouter gets its route spec.
//
// Sources are polled by the router (Fetch() every --spec_poll_interval). A failed Fetch()
// leaves the router on its last good spec. Implementations are used from one thread.
//   FileRouteSpecSource     --route_spec FILE / -m configfile -f FILE (vpc-router's JSON)
//   FixedRouteSpecSource    -m fixedconf --fixed_cidr C --fixed_hosts a:b
//   RomanadRouteSpecSource  -m romanad --romanad_url URL (GET /groups + GET /hosts)
//   EtcdRouteSpecSource     -m etcd (see etcd_spec_source.h)
#ifndef ROMANA_AWS_VPCROUTER_SPEC_SOURCE_H_
#define ROMANA_AWS_VPCROUTER_SPEC_SOURCE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "http/client.h"
#include "aws/vpcrouter/route_spec.h"

namespace romana::vpcrouter {

class RouteSpecSource {
 public:
  virtual ~RouteSpecSource() = default;
  // The current spec. Errors: Unavailable (source unreachable), InvalidArgument (bad content,
  // field named), NotFound (file/key missing).
  virtual absl::StatusOr<RouteSpec> Fetch() = 0;
  virtual std::string Describe() const = 0;
  // The CIDRs of the Romana networks the last successful Fetch() saw (canonical, sorted);
  // empty for sources that do not know them (file, fixed: see --romana_networks).
  virtual std::vector<std::string> Networks() const { return {}; }
};

class FileRouteSpecSource final : public RouteSpecSource {
 public:
  explicit FileRouteSpecSource(std::string path) : path_(std::move(path)) {}
  absl::StatusOr<RouteSpec> Fetch() override;
  std::string Describe() const override { return "file " + path_; }

 private:
  std::string path_;
};

class FixedRouteSpecSource final : public RouteSpecSource {
 public:
  explicit FixedRouteSpecSource(RouteSpec spec) : spec_(std::move(spec)) {}
  absl::StatusOr<RouteSpec> Fetch() override { return spec_; }
  std::string Describe() const override { return "fixed"; }

 private:
  RouteSpec spec_;
};

class RomanadRouteSpecSource final : public RouteSpecSource {
 public:
  // `http` must outlive this object. `base_url` like "http://10.96.0.99:9600"; `token` is sent
  // as a Bearer token when romanad protects reads.
  RomanadRouteSpecSource(http::Client& http, std::string base_url, std::string token = "")
      : http_(http), base_url_(std::move(base_url)), token_(std::move(token)) {}
  // Reads GET /groups, GET /hosts and GET /networks.
  absl::StatusOr<RouteSpec> Fetch() override;
  std::string Describe() const override { return "romanad " + base_url_; }
  std::vector<std::string> Networks() const override { return networks_; }

 private:
  absl::StatusOr<std::string> Get(const std::string& path);
  http::Client& http_;
  std::string base_url_;
  std::string token_;
  std::vector<std::string> networks_;
};

}  // namespace romana::vpcrouter

#endif  // ROMANA_AWS_VPCROUTER_SPEC_SOURCE_H_
