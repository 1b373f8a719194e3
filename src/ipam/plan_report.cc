#include "ipam/plan_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ipam/builtin.h"
#include "nlohmann/json.hpp"

namespace romana::ipam {
namespace {

std::string AssignmentText(const Labels& a) {
  if (a.empty()) return "-";
  std::vector<std::string> kv;
  for (const auto& [k, v] : a) kv.push_back(absl::StrCat(k, "=", v));
  return absl::StrJoin(kv, ",");
}

std::string Count(uint64_t n) {
  // 16384 -> "16384", 1048576 -> "1048576": plain, but group thousands for readability.
  std::string s = std::to_string(n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

absl::StatusOr<PlanReport> BuildPlanReport(const TopologySpec& spec, std::string source) {
  absl::StatusOr<std::vector<NetworkPlan>> plans = BuildPlans(spec);
  if (!plans.ok()) return plans.status();
  PlanReport report;
  report.source = std::move(source);
  for (const NetworkPlan& p : *plans) {
    PlanReportNetwork n;
    n.name = p.network.name;
    n.cidr = p.network.cidr;
    n.block_mask = p.block_mask();
    n.block_size = uint64_t{1} << (32 - n.block_mask);
    if (!p.network.IsWildcard()) n.tenants = p.network.tenants;
    n.reserved = p.network.reserved;
    for (const GroupPlan& g : p.groups) {
      PlanReportGroup r;
      r.path = g.path;
      r.name = g.name;
      r.depth = static_cast<int>(std::count(g.path.begin(), g.path.end(), '/')) - 1;
      r.cidr = g.cidr;
      r.assignment = g.assignment;
      r.leaf = g.leaf;
      r.padding = g.padding;
      r.addresses = g.cidr.size();
      r.blocks = g.padding ? 0 : g.BlockCapacity(n.block_mask);
      if (g.padding) {
        r.routes = 0;
        ++n.padding_groups;
      } else if (g.leaf) {
        r.routes = 1;
        ++n.leaf_groups;
      } else {
        for (int c : g.children) r.routes += p.groups[c].padding ? 0 : 1;
      }
      for (const HostSpec& h : g.static_hosts) r.static_hosts.push_back(absl::StrCat(h.name, "=", h.ip.ToString()));
      n.groups.push_back(std::move(r));
    }
    n.upstream_routes = n.leaf_groups;
    report.networks.push_back(std::move(n));
  }
  return report;
}

absl::StatusOr<PlanReport> BuildPlanReportFor(const std::optional<std::string>& file_json,
                                              const std::string& builtin_name, const std::string& overrides) {
  if (file_json.has_value() == !builtin_name.empty()) {
    return absl::InvalidArgumentError("give either a topology file or a built-in name (kubeadm, aws-<region>)");
  }
  TopologySpec spec;
  std::string source = builtin_name;
  if (file_json.has_value()) {
    absl::StatusOr<TopologySpec> s = ParseTopology(*file_json);
    if (!s.ok()) return s.status();
    spec = *std::move(s);
    source = "file";
  } else {
    absl::StatusOr<TopologySpec> s = BuiltinTopology(builtin_name);
    if (!s.ok()) return absl::InvalidArgumentError(s.status().message());
    spec = *std::move(s);
  }
  absl::StatusOr<std::vector<std::pair<std::string, net::Ipv4Cidr>>> o = ParseNetworkCidrOverrides(overrides);
  if (!o.ok()) return o.status();
  if (absl::Status s = ApplyNetworkCidrOverrides(*o, spec); !s.ok()) return s;
  return BuildPlanReport(spec, source);
}

std::string FormatPlanTable(const PlanReport& report) {
  std::string out;
  for (const PlanReportNetwork& n : report.networks) {
    absl::StrAppend(&out, "network ", n.name, " ", n.cidr.ToString(), "  blocks /", n.block_mask, " (",
                    n.block_size, " addresses)  namespaces: ",
                    n.tenants.empty() ? "all" : absl::StrJoin(n.tenants, ","));
    if (!n.reserved.empty()) {
      std::vector<std::string> r;
      for (const auto& c : n.reserved) r.push_back(c.ToString());
      absl::StrAppend(&out, "  reserved: ", absl::StrJoin(r, ","));
    }
    absl::StrAppend(&out, "\n");
    size_t name_w = 4, path_w = 4;
    for (const PlanReportGroup& g : n.groups) {
      name_w = std::max(name_w, g.depth * 2 + (g.padding ? 9 : g.name.size()));
      path_w = std::max(path_w, g.path.size());
    }
    absl::StrAppend(&out, absl::StrFormat("  %-*s  %-*s  %-18s  %12s  %6s  %-7s  %s\n", path_w, "PATH", name_w,
                                          "NAME", "CIDR", "BLOCKS", "ROUTES", "KIND", "ASSIGNMENT"));
    for (const PlanReportGroup& g : n.groups) {
      std::string name = std::string(g.depth * 2, ' ') + (g.padding ? "(padding)" : g.name.empty() ? "-" : g.name);
      std::string kind = g.padding ? "padding" : g.leaf ? "leaf" : "inner";
      std::string tail = g.padding ? "(reserved for alignment: never receives hosts)" : AssignmentText(g.assignment);
      if (!g.static_hosts.empty()) absl::StrAppend(&tail, "  static hosts: ", absl::StrJoin(g.static_hosts, " "));
      absl::StrAppend(&out, absl::StrFormat("  %-*s  %-*s  %-18s  %12s  %6d  %-7s  %s\n", path_w, g.path, name_w,
                                            name, g.cidr.ToString(), g.padding ? "-" : Count(g.blocks), g.routes,
                                            kind, tail));
    }
    absl::StrAppend(&out, "  ", n.leaf_groups, " host groups", n.padding_groups > 0
                                                                  ? absl::StrCat(", ", n.padding_groups, " padding")
                                                                  : "",
                    "; an upstream router needs ", n.upstream_routes, " route", n.upstream_routes == 1 ? "" : "s",
                    " for this network, however many nodes join (a per-node-CIDR design needs one per node)\n");
  }
  return out;
}

std::string PlanReportToJson(const PlanReport& report, int indent) {
  nlohmann::ordered_json root = {{"source", report.source}};
  root["networks"] = nlohmann::ordered_json::array();
  for (const PlanReportNetwork& n : report.networks) {
    nlohmann::ordered_json j = {{"name", n.name}, {"cidr", n.cidr.ToString()}, {"block_mask", n.block_mask},
                                {"block_size", n.block_size}, {"tenants", n.tenants}};
    std::vector<std::string> reserved;
    for (const auto& c : n.reserved) reserved.push_back(c.ToString());
    j["reserved"] = reserved;
    j["leaf_groups"] = n.leaf_groups;
    j["padding_groups"] = n.padding_groups;
    j["upstream_routes"] = n.upstream_routes;
    j["groups"] = nlohmann::ordered_json::array();
    for (const PlanReportGroup& g : n.groups) {
      nlohmann::ordered_json gj = {{"path", g.path},     {"name", g.name},       {"depth", g.depth},
                                   {"cidr", g.cidr.ToString()}};
      gj["assignment"] = g.assignment.empty() ? nlohmann::ordered_json::object() : nlohmann::ordered_json(g.assignment);
      gj["leaf"] = g.leaf;
      gj["padding"] = g.padding;
      gj["addresses"] = g.addresses;
      gj["blocks"] = g.blocks;
      gj["routes"] = g.routes;
      gj["static_hosts"] = g.static_hosts;
      j["groups"].push_back(gj);
    }
    root["networks"].push_back(j);
  }
  return root.dump(indent);
}

}  // namespace romana::ipam
