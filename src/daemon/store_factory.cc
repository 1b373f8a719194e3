#include "daemon/store_factory.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "http/curl_client.h"
#include "ipam/builtin.h"
#include "spdlog/spdlog.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace romana::daemon {
namespace {

// The availability zone from the EC2 instance metadata service (IMDSv2).
absl::StatusOr<std::string> ImdsAvailabilityZone() {
  const char* endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  const std::string base = endpoint != nullptr && *endpoint != '\0' ? endpoint : "http://169.254.169.254";
  http::CurlClient c;
  const auto timeout = std::chrono::seconds(2);
  absl::StatusOr<http::Response> token =
      c.Send({.method = "PUT",
              .url = base + "/latest/api/token",
              .headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}, {"Content-Type", "text/plain"}},
              .timeout = timeout,
              .connect_timeout = timeout});
  http::Headers h;
  if (token.ok() && token->status == 200) h.emplace_back("X-aws-ec2-metadata-token", token->body);
  absl::StatusOr<http::Response> zone = c.Send({.url = base + "/latest/meta-data/placement/availability-zone",
                                                .headers = h,
                                                .timeout = timeout,
                                                .connect_timeout = timeout});
  if (!zone.ok() || zone->status != 200) {
    return absl::UnavailableError("cannot read the availability zone from the EC2 instance metadata service");
  }
  return zone->body;
}

}  // namespace

absl::StatusOr<std::unique_ptr<store::Store>> OpenStore(const DaemonConfig& c, const base::Clock& clock) {
  if (!c.etcd_endpoints.empty()) {
    return OpenEtcdStore(c, clock);
  }
  if (c.store_path == ":memory:") {
    spdlog::warn("romanad: --store=:memory:: the state is lost when romanad stops");
    return std::unique_ptr<store::Store>(store::MemoryStore::Create(clock));
  }
  if (c.store_path.empty()) return api::FieldError("--store", "must name the SQLite file (or \":memory:\")");
  absl::StatusOr<std::unique_ptr<store::SqliteStore>> s = store::SqliteStore::Create({.path = c.store_path}, clock);
  if (!s.ok()) return absl::Status(s.status().code(), absl::StrCat("--store ", c.store_path, ": ", s.status().message()));
  spdlog::info("romanad: embedded store {}", c.store_path);
  return std::unique_ptr<store::Store>(*std::move(s));
}

absl::StatusOr<std::optional<InitialTopology>> SelectTopology(const DaemonConfig& c) {
  ipam::TopologySelection sel;
  if (!c.initial_network_file.empty()) {
    std::ifstream in(c.initial_network_file);
    if (!in) return api::FieldError("--initial-network", absl::StrCat(c.initial_network_file, ": cannot be read"));
    std::stringstream ss;
    ss << in.rdbuf();
    sel.initial_network_json = ss.str();
  }
  sel.cloud = c.cloud;
  sel.kubernetes_service_host = c.kubernetes_service_host;
  sel.availability_zone = &ImdsAvailabilityZone;
  sel.network_cidr_overrides = c.network_cidr_overrides;
  if (!sel.initial_network_json.has_value() && c.cloud.empty() && c.kubernetes_service_host.empty()) {
    if (!c.network_cidr_overrides.empty()) {
      return api::FieldError("--network-cidr-overrides", "needs a topology (--initial-network, --cloud or KUBERNETES_SERVICE_HOST)");
    }
    spdlog::info("romanad: no initial topology selected (no --initial-network, --cloud or KUBERNETES_SERVICE_HOST); "
                 "waiting for PUT /topology");
    return std::optional<InitialTopology>();
  }
  absl::StatusOr<ipam::SelectedTopology> t = ipam::SelectInitialTopology(sel);
  if (!t.ok()) {
    const std::string flag = sel.initial_network_json.has_value() ? "--initial-network" : "topology selection";
    return absl::Status(t.status().code(), absl::StrCat(flag, ": ", t.status().message()));
  }
  spdlog::info("romanad: initial topology from {}", t->source);
  return std::optional<InitialTopology>(InitialTopology{t->spec, t->source});
}

}  // namespace romana::daemon
