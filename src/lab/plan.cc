#include "lab/plan.h"

#include "absl/strings/str_cat.h"
#include "net/ipv4.h"

namespace romana::lab {

absl::Status ValidateShape(const LabShape& s) {
  if (s.id.empty() || s.id.size() > 8 ||
      s.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("--id: '", s.id, "' must be 1-8 of [a-z0-9]"));
  }
  if (s.nodes < 1 || s.nodes > 100) return absl::InvalidArgumentError("--nodes: must be 1..100");
  if (s.pods_per_node < 0 || s.pods_per_node > 50) return absl::InvalidArgumentError("--pods: must be 0..50");
  if (s.racks < 1 || s.racks > 8) return absl::InvalidArgumentError("--racks: must be 1..8");
  if (s.racks > s.nodes) return absl::InvalidArgumentError("--racks: must not exceed --nodes");
  absl::StatusOr<net::Ipv4Cidr> cidr = net::Ipv4Cidr::Parse(s.pod_cidr);
  if (!cidr.ok()) return absl::InvalidArgumentError(absl::StrCat("--pod-cidr: ", cidr.status().message()));
  if (cidr->Overlaps(*net::Ipv4Cidr::Parse("192.168.0.0/16"))) {
    return absl::InvalidArgumentError("--pod-cidr: must not overlap 192.168.0.0/16 (the lab's node links)");
  }
  if (s.block_mask < cidr->length() + 3 || s.block_mask > 30) {
    return absl::InvalidArgumentError(
        absl::StrCat("--block-mask: must be ", cidr->length() + 3, "..30 for ", s.pod_cidr));
  }
  return absl::OkStatus();
}

std::string Prefix(const std::string& id) { return absl::StrCat("rl-", id, "-"); }
std::string SwitchNetns(const std::string& id, int rack) { return absl::StrCat(Prefix(id), "sw", rack); }
std::string MasterNetns(const std::string& id) { return absl::StrCat(Prefix(id), "master"); }
std::string RouterNetns(const std::string& id) { return absl::StrCat(Prefix(id), "router"); }
std::string NodeName(int n) { return absl::StrCat("node-", n); }
std::string NodeNetns(const std::string& id, int n) { return absl::StrCat(Prefix(id), NodeName(n)); }
std::string PodName(int n, int j) { return absl::StrCat("pod-", n, "-", j); }
std::string PodNetns(const std::string& id, int n, int j) {
  return absl::StrCat(Prefix(id), NodeName(n), "-pod-", j);
}

int RackOf(const LabShape& s, int n) { return (n - 1) % s.racks; }
std::string RackSubnet(int rack) { return absl::StrCat("192.168.", 100 + rack, ".0/24"); }
std::string RackGateway(int rack) { return absl::StrCat("192.168.", 100 + rack, ".1"); }
std::string MasterIp() { return "192.168.100.2"; }
std::string NodeIp(const LabShape& s, int n) {
  return absl::StrCat("192.168.", 100 + RackOf(s, n), ".", 10 + n);
}
std::string RackLabel(int rack) { return absl::StrCat("r", rack); }

nlohmann::json Topology(const LabShape& s) {
  nlohmann::json groups = nlohmann::json::array();
  for (int k = 0; k < s.racks; ++k) {
    groups.push_back({{"name", absl::StrCat("rack-", k)},
                      {"assignment", {{"rack", RackLabel(k)}}},
                      {"groups", nlohmann::json::array()}});
  }
  return {{"networks", {{{"name", "romana-network"}, {"cidr", s.pod_cidr}, {"block_mask", s.block_mask}}}},
          {"topologies", {{{"networks", {"romana-network"}}, {"map", groups}}}}};
}

}  // namespace romana::lab
