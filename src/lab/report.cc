#include "lab/report.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace romana::lab {

std::string FormatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w(header.size());
  for (size_t i = 0; i < header.size(); ++i) w[i] = header[i].size();
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t i = 0; i < w.size(); ++i) {
      std::string cell = i < r.size() ? r[i] : "";
      absl::StrAppend(&s, i ? "  " : "  ", cell, std::string(w[i] - cell.size(), ' '));
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(header);
  std::vector<std::string> dashes;
  for (size_t x : w) dashes.push_back(std::string(x, '-'));
  out += line(dashes);
  for (const auto& r : rows) out += line(r);
  return out;
}

absl::Status PrintCluster(const Lab& lab, std::ostream& out) {
  api::List<api::Host> hosts;
  api::List<api::Group> groups;
  api::List<api::Block> blocks;
  absl::Status s = lab.WithRomanad([&](api::Client& c) -> absl::Status {
    absl::StatusOr<api::List<api::Host>> h = c.ListHosts();
    if (!h.ok()) return h.status();
    absl::StatusOr<api::List<api::Group>> g = c.ListGroups();
    if (!g.ok()) return g.status();
    absl::StatusOr<api::List<api::Block>> b = c.ListBlocks();
    if (!b.ok()) return b.status();
    hosts = *h;
    groups = *g;
    blocks = *b;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  std::map<std::string, std::string> group_cidr;
  for (const api::Group& g : groups.items) group_cidr[g.network + g.path] = g.cidr;

  std::vector<std::vector<std::string>> rows;
  for (const auto& [n, node] : lab.nodes()) {
    std::string group = "-";
    for (const api::Host& h : hosts.items) {
      if (h.name != node.name) continue;
      for (const auto& [net, path] : h.groups) group = absl::StrCat(path, " ", group_cidr[net + path]);
    }
    absl::StatusOr<bool> ready = lab.AgentReady(n);
    int pods = static_cast<int>(std::count_if(lab.pods().begin(), lab.pods().end(), [&](const PodInfo& p) { return p.node == n; }));
    rows.push_back({node.name, node.ip, absl::StrCat("r", node.rack), group, ready.ok() && *ready ? "ready" : "NOT READY",
                    std::to_string(pods), node.netns});
  }
  out << "\nNodes\n" << FormatTable({"NODE", "IP", "RACK", "GROUP", "AGENT", "PODS", "NETNS"}, rows);

  rows.clear();
  api::GroupHosts members = api::HostsByGroup(hosts.items);
  for (const api::Group& g : groups.items) {
    if (!g.leaf) continue;
    std::vector<std::string> labels;
    for (const auto& [k, v] : g.assignment) labels.push_back(absl::StrCat(k, "=", v));
    rows.push_back({g.path, g.name, g.cidr, absl::StrJoin(labels, ","), g.padding ? "(padding)" : absl::StrJoin(members[{g.network, g.path}], ",")});
  }
  out << "\nPrefix groups (leaf)\n" << FormatTable({"PATH", "NAME", "CIDR", "ASSIGNMENT", "HOSTS"}, rows);

  rows.clear();
  for (const api::Block& b : blocks.items) {
    rows.push_back({b.cidr, b.host, b.owner, std::to_string(b.allocated), b.group});
  }
  out << "\nBlocks\n" << FormatTable({"BLOCK", "HOST", "OWNER", "ALLOCATED", "GROUP"}, rows);

  rows.clear();
  for (const PodInfo& p : lab.pods()) rows.push_back({p.name, NodeName(p.node), p.ip, p.netns});
  out << "\nPods\n" << FormatTable({"POD", "NODE", "IP", "NETNS"}, rows);

  rows.clear();
  for (const auto& [n, node] : lab.nodes()) {
    absl::StatusOr<std::string> t = lab.RouteTable(n);
    std::vector<std::string> lines;
    if (t.ok()) lines = absl::StrSplit(*t, '\n', absl::SkipEmpty());
    if (lines.empty()) lines.push_back(t.ok() ? "(none)" : t.status().ToString());
    for (size_t i = 0; i < lines.size(); ++i) rows.push_back({i == 0 ? node.name : "", lines[i]});
  }
  out << "\nRoutes: table romana (10) on each node, proto 82 (one per remote block of an L2 neighbour, merged)\n"
      << FormatTable({"NODE", "ROUTE"}, rows);
  if (lab.shape().racks > 1) {
    absl::StatusOr<std::string> r = lab.RouterRoutes();
    rows.clear();
    if (r.ok()) {
      for (absl::string_view l : absl::StrSplit(*r, '\n', absl::SkipEmpty())) rows.push_back({std::string(l)});
    }
    out << "\nRoutes: router (one per prefix group, via a live node of the group)\n" << FormatTable({"ROUTE"}, rows);
  }
  return absl::OkStatus();
}

void PrintMatrix(const Matrix& m, std::ostream& out) {
  std::vector<std::string> header = {"FROM \\ TO"};
  for (const PodInfo& p : m.pods) header.push_back(p.name);
  std::vector<std::vector<std::string>> rows;
  for (size_t s = 0; s < m.pods.size(); ++s) {
    std::vector<std::string> row = {absl::StrCat(m.pods[s].name, " ", m.pods[s].ip)};
    for (size_t d = 0; d < m.pods.size(); ++d) {
      if (s == d) {
        row.push_back("-");
        continue;
      }
      const Reach& r = m.cells[s][d];
      row.push_back(absl::StrCat(r.ping ? "ping" : "PING-FAIL", "/", r.tcp ? "tcp" : "TCP-FAIL"));
    }
    rows.push_back(row);
  }
  out << "\nPod-to-pod connectivity (ICMP echo / TCP connect)\n" << FormatTable(header, rows);
  out << absl::StrCat("\n", m.pairs, " pairs: ", m.pairs - m.ping_failures, " ping ok, ", m.pairs - m.tcp_failures,
                      " tcp ok", m.all_ok() ? "  => full mesh OK" : "  => FAILURES", "\n");
}

}  // namespace romana::lab
