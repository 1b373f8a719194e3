#include "ipam/builtin.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ipam/errors.h"
#include "ipam/plan.h"

namespace romana::ipam {
namespace {

const std::map<std::string, std::vector<std::string>>& Inventory() {
  static const auto* inv = new std::map<std::string, std::vector<std::string>>{
      {"ap-northeast-1", {"a", "c"}}, {"ap-northeast-2", {"a", "c"}}, {"ap-south-1", {"a", "b"}},
      {"ap-southeast-1", {"a", "b"}}, {"ca-central-1", {"a", "b"}},   {"eu-west-2", {"a", "b"}},
      {"us-west-1", {"b", "c"}},      {"ap-southeast-2", {"a", "b", "c"}}, {"eu-central-1", {"a", "b", "c"}},
      {"eu-west-1", {"a", "b", "c"}}, {"sa-east-1", {"a", "b", "c"}}, {"us-east-2", {"a", "b", "c"}},
      {"us-west-2", {"a", "b", "c"}}, {"us-east-1", {"a", "b", "c", "d", "e", "f"}},
  };
  return *inv;
}

}  // namespace

TopologySpec KubeadmTopology() {
  TopologySpec spec;
  spec.networks.push_back({kDefaultNetworkName, *net::Ipv4Cidr::Parse("10.112.0.0/12"), 0, {}, {}});
  TopologyDef def;
  def.networks = {kDefaultNetworkName};
  for (int i = 1; i <= 8; ++i) {
    GroupSpec g;
    g.name = absl::StrCat("host-group-0", i);
    def.map.push_back(g);
  }
  spec.topologies.push_back(def);
  return spec;
}

absl::StatusOr<TopologySpec> AwsTopologyForZones(const std::string& region, const std::vector<std::string>& zones,
                                                 int subgroups_per_zone) {
  if (region.empty()) return InvalidField("region", "required");
  if (zones.empty()) return InvalidField("zones", "at least one availability zone is required");
  for (const std::string& z : zones) {
    if (z.size() <= region.size() || z.compare(0, region.size(), region) != 0) {
      return InvalidField("zones", absl::StrCat("zone \"", z, "\" is not in region \"", region, "\""));
    }
  }
  int n = subgroups_per_zone;
  if (n == 0) n = zones.size() <= 4 ? 8 : zones.size() <= 8 ? 4 : 2;
  if (n < 1) return InvalidField("subgroups_per_zone", "must be at least 1");
  TopologySpec spec;
  spec.networks.push_back({kDefaultNetworkName, *net::Ipv4Cidr::Parse("100.96.0.0/11"), 0, {}, {}});
  TopologyDef def;
  def.networks = {kDefaultNetworkName};
  for (const std::string& z : zones) {
    GroupSpec az;
    az.name = absl::StrCat("failure-domain: ", z);
    for (int k = 1; k <= n; ++k) {
      GroupSpec sub;
      sub.name = absl::StrCat(z, "-group-", k < 10 ? "0" : "", k);
      sub.assignment = {{kBetaRegionLabel, region}, {kBetaZoneLabel, z}};
      az.groups.push_back(sub);
    }
    def.map.push_back(az);
  }
  spec.topologies.push_back(def);
  if (absl::Status s = ValidateTopology(spec); !s.ok()) return s;
  return spec;
}

std::vector<std::string> AwsRegions() {
  std::vector<std::string> out;
  for (const auto& [r, z] : Inventory()) out.push_back(r);
  return out;
}

std::optional<std::vector<std::string>> AwsRegionZones(const std::string& region) {
  auto it = Inventory().find(region);
  if (it == Inventory().end()) return std::nullopt;
  std::vector<std::string> zones;
  for (const std::string& s : it->second) zones.push_back(region + s);
  return zones;
}

absl::StatusOr<TopologySpec> AwsTopology(const std::string& region) {
  std::optional<std::vector<std::string>> zones = AwsRegionZones(region);
  if (!zones) {
    return absl::NotFoundError(absl::StrCat("no built-in AWS topology for region \"", region, "\" (known: ",
                                            absl::StrJoin(AwsRegions(), ", "),
                                            "); use --initial-network with your own topology"));
  }
  return AwsTopologyForZones(region, *zones);
}

std::vector<std::string> BuiltinTopologyNames() {
  std::vector<std::string> out = {"kubeadm"};
  for (const std::string& r : AwsRegions()) out.push_back("aws-" + r);
  return out;
}

absl::StatusOr<TopologySpec> BuiltinTopology(const std::string& name) {
  if (name == "kubeadm") return KubeadmTopology();
  if (name.rfind("aws-", 0) == 0 && AwsRegionZones(name.substr(4))) return AwsTopology(name.substr(4));
  return absl::NotFoundError(absl::StrCat("unknown built-in topology \"", name, "\"; known: ",
                                          absl::StrJoin(BuiltinTopologyNames(), ", ")));
}

absl::StatusOr<std::vector<std::pair<std::string, net::Ipv4Cidr>>> ParseNetworkCidrOverrides(const std::string& text) {
  std::vector<std::pair<std::string, net::Ipv4Cidr>> out;
  if (text.empty()) return out;
  std::vector<std::string> entries = absl::StrSplit(text, ',');
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string& e = entries[i];
    std::string where = absl::StrCat("--network-cidr-overrides entry ", i + 1, " \"", e, "\"");
    size_t eq = e.find('=');
    if (eq == std::string::npos) return absl::InvalidArgumentError(absl::StrCat(where, ": expected name=cidr"));
    if (e.find('=', eq + 1) != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": more than one '='"));
    }
    std::string name = e.substr(0, eq);
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": the network name is empty"));
    absl::StatusOr<net::Ipv4Cidr> cidr = net::Ipv4Cidr::Parse(e.substr(eq + 1));
    if (!cidr.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", cidr.status().message()));
    for (const auto& [n, c] : out) {
      if (n == name) return absl::InvalidArgumentError(absl::StrCat(where, ": network \"", name, "\" given twice"));
    }
    out.emplace_back(name, *cidr);
  }
  return out;
}

absl::Status ApplyNetworkCidrOverrides(const std::vector<std::pair<std::string, net::Ipv4Cidr>>& overrides,
                                       TopologySpec& spec) {
  TopologySpec copy = spec;
  for (const auto& [name, cidr] : overrides) {
    bool found = false;
    for (NetworkSpec& n : copy.networks) {
      if (n.name == name) {
        n.cidr = cidr;
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> names;
      for (const NetworkSpec& n : copy.networks) names.push_back(n.name);
      return absl::InvalidArgumentError(absl::StrCat("--network-cidr-overrides: no network named \"", name,
                                                     "\" (networks: ", absl::StrJoin(names, ", "), ")"));
    }
  }
  if (absl::Status s = ValidateTopology(copy); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--network-cidr-overrides make the topology invalid: ", s.message()));
  }
  spec = std::move(copy);
  return absl::OkStatus();
}

absl::StatusOr<SelectedTopology> SelectInitialTopology(const TopologySelection& sel) {
  absl::StatusOr<std::vector<std::pair<std::string, net::Ipv4Cidr>>> overrides =
      ParseNetworkCidrOverrides(sel.network_cidr_overrides);
  if (!overrides.ok()) return overrides.status();
  SelectedTopology out;
  auto aws = [&]() -> absl::Status {
    if (!sel.availability_zone) return absl::FailedPreconditionError("the AWS topology needs the availability zone");
    absl::StatusOr<std::string> az = sel.availability_zone();
    if (!az.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot read the availability zone from instance metadata: ",
                                                 az.status().message()));
    }
    if (az->size() < 2) return absl::InvalidArgumentError(absl::StrCat("bad availability zone \"", *az, "\""));
    std::string region = az->substr(0, az->size() - 1);
    absl::StatusOr<TopologySpec> spec = AwsTopology(region);
    if (!spec.ok()) return spec.status();
    out.spec = *std::move(spec);
    out.source = "aws-" + region;
    return absl::OkStatus();
  };
  if (sel.initial_network_json.has_value()) {
    absl::StatusOr<TopologySpec> spec = ParseTopology(*sel.initial_network_json);
    if (!spec.ok()) {
      return absl::Status(spec.status().code(), absl::StrCat("--initial-network: ", spec.status().message()));
    }
    out.spec = *std::move(spec);
    out.source = "file";
  } else if (sel.cloud == "aws") {
    if (absl::Status s = aws(); !s.ok()) return s;
  } else if (!sel.cloud.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--cloud \"", sel.cloud, "\" is not supported (only \"aws\")"));
  } else if (sel.kubernetes_service_host == "10.96.0.1") {
    out.spec = KubeadmTopology();
    out.source = "kubeadm";
  } else if (sel.kubernetes_service_host == "100.64.0.1") {
    if (absl::Status s = aws(); !s.ok()) return s;
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        "unable to determine the initial network: the Kubernetes service IP is \"", sel.kubernetes_service_host,
        "\" (10.96.0.1 selects kubeadm, 100.64.0.1 selects AWS); pass --initial-network=FILE or --cloud=aws"));
  }
  if (absl::Status s = ApplyNetworkCidrOverrides(*overrides, out.spec); !s.ok()) return s;
  return out;
}

}  // namespace romana::ipam
