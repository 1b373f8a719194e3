#include "ipam/plan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace romana::ipam {
namespace {

void AddLevel(NetworkPlan& plan, const std::vector<GroupSpec>& groups, const net::Ipv4Cidr& parent_cidr,
              int parent, const std::string& parent_path, const std::string& spec_path) {
  int bits = net::BitLength(groups.size() - 1);
  uint64_t padded = uint64_t{1} << bits;
  for (uint64_t i = 0; i < padded; ++i) {
    GroupPlan g;
    g.path = absl::StrCat(parent_path, "/", i);
    g.cidr = parent_cidr.Child(bits, i);
    g.parent = parent;
    int index = static_cast<int>(plan.groups.size());
    if (parent >= 0) plan.groups[parent].children.push_back(index);
    if (i >= groups.size()) {
      g.padding = true;
      g.leaf = true;
      plan.groups.push_back(std::move(g));
      continue;
    }
    const GroupSpec& spec = groups[i];
    g.name = spec.name;
    g.assignment = spec.assignment;
    g.routing = spec.routing;
    g.spec_path = absl::StrCat(spec_path, "[", i, "]");
    g.leaf = spec.groups.empty();
    g.static_hosts = spec.hosts;
    std::string path = g.path, child_spec = g.spec_path + ".groups";
    net::Ipv4Cidr cidr = g.cidr;
    plan.groups.push_back(std::move(g));
    if (!spec.groups.empty()) AddLevel(plan, spec.groups, cidr, index, path, child_spec);
  }
}

const std::string* LabelValue(const Labels& labels, const std::string& key) {
  if (auto it = labels.find(key); it != labels.end()) return &it->second;
  const char* alias = nullptr;
  if (key == kZoneLabel) alias = kBetaZoneLabel;
  else if (key == kBetaZoneLabel) alias = kZoneLabel;
  else if (key == kRegionLabel) alias = kBetaRegionLabel;
  else if (key == kBetaRegionLabel) alias = kRegionLabel;
  if (alias == nullptr) return nullptr;
  if (auto it = labels.find(alias); it != labels.end()) return &it->second;
  return nullptr;
}

std::string GroupLabel(const GroupPlan& g) {
  return g.name.empty() ? absl::StrCat("group ", g.path) : absl::StrCat("group ", g.path, " \"", g.name, "\"");
}

}  // namespace

const GroupPlan* NetworkPlan::Find(std::string_view path) const {
  int i = IndexOf(path);
  return i < 0 ? nullptr : &groups[i];
}

int NetworkPlan::IndexOf(std::string_view path) const {
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].path == path) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<std::vector<NetworkPlan>> BuildPlans(const TopologySpec& spec) {
  if (absl::Status s = ValidateTopology(spec); !s.ok()) return s;
  std::vector<NetworkPlan> plans;
  for (const NetworkSpec& n : spec.networks) {
    for (size_t t = 0; t < spec.topologies.size(); ++t) {
      const TopologyDef& def = spec.topologies[t];
      if (std::find(def.networks.begin(), def.networks.end(), n.name) == def.networks.end()) continue;
      NetworkPlan plan;
      plan.network = n;
      plan.topology_index = static_cast<int>(t);
      AddLevel(plan, def.map, n.cidr, -1, "", absl::StrCat("topologies[", t, "].map"));
      plans.push_back(std::move(plan));
    }
  }
  return plans;
}

bool AssignmentMatches(const Labels& assignment, const Labels& labels) {
  return FirstMismatch(assignment, labels).empty();
}

std::string FirstMismatch(const Labels& assignment, const Labels& labels) {
  for (const auto& [k, v] : assignment) {
    const std::string* have = LabelValue(labels, k);
    if (have == nullptr || *have != v) return absl::StrCat(k, "=", v);
  }
  return "";
}

bool LeafAccepts(const NetworkPlan& plan, int group_index, const Labels& labels) {
  return LeafRejection(plan, group_index, labels).empty();
}

std::string LeafRejection(const NetworkPlan& plan, int group_index, const Labels& labels) {
  const GroupPlan& leaf = plan.groups[group_index];
  if (!leaf.leaf) return absl::StrCat(GroupLabel(leaf), " is not a leaf group");
  if (leaf.padding) return absl::StrCat(GroupLabel(leaf), " is a padding group and never receives hosts");
  // Top-down, so the message names the outermost group that refuses (e.g. the zone, not a rack).
  std::vector<int> chain;
  for (int i = group_index; i >= 0; i = plan.groups[i].parent) chain.push_back(i);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const GroupPlan& g = plan.groups[*it];
    std::string miss = FirstMismatch(g.assignment, labels);
    if (!miss.empty()) {
      return absl::StrCat(GroupLabel(g), " of network \"", plan.network.name, "\" requires label ", miss);
    }
  }
  return "";
}

}  // namespace romana::ipam
