// dataplane_bench: whole-system dataplane numbers measured on a lab (src/lab), printed as tables
// with ratios against a baseline measured in the same run.
//
//   sudo dataplane_bench [throughput|routes|all] [--seconds S] [--rounds R] [--link-gbit G]
//
// throughput: iperf3 TCP, 1 stream and 4 streams, pod on node-1 -> pod on node-2 (routed by the
//   romana table, through both nodes' veths) vs node-1 -> node-2 over the same links, link-bound
//   (node-1's uplink shaped to G Gbit/s, default 4, as a NIC; target: ratio >= 0.95) and
//   CPU-bound (unshaped; printed for what the extra veth hops cost). Medians of R rounds
//   (default 3) that alternate the two sides.
// routes: 3 racks x 20 nodes registered with a real romanad, 4 pods per node in two namespaces;
//   routes each node's agent computes (the agents' own ComputeRoutes) and routes the router
//   needs (one per prefix group) vs one route per node.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <numeric>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/route_calc.h"
#include "lab/exec.h"
#include "lab/lab.h"
#include "lab/plan.h"
#include "lab/report.h"
#include "nlohmann/json.hpp"

namespace {

using namespace romana;

lab::LabOptions BaseOptions(const std::string& id, int nodes, int pods, int racks) {
  lab::LabOptions o;
  o.shape = {.id = id, .nodes = nodes, .pods_per_node = pods, .racks = racks};
  o.state_root = "/run/romana-lab-bench";
  const std::string bin = ROMANA_BINARY_DIR;
  o.romanad_bin = bin + "/apps/romanad/romanad";
  o.agent_bin = bin + "/apps/romana-agent/romana-agent";
  o.cni_bin = bin + "/apps/romana-cni/romana-cni";
  o.progress = [](const std::string& l) { std::cerr << "[lab] " << l << "\n"; };
  return o;
}

// Runs an iperf3 client in `client_ns` against a one-off server in `server_ns`; bits/s.
absl::StatusOr<double> Iperf(const std::string& server_ns, const std::string& client_ns, const std::string& ip,
                             int streams, int seconds, const std::string& log) {
  absl::StatusOr<pid_t> server = lab::StartDaemon(lab::InNs(server_ns, {"iperf3", "-s", "-1", "-p", "5201"}), log);
  if (!server.ok()) return server.status();
  std::string last;
  for (int attempt = 0; attempt < 100; ++attempt) {
    absl::StatusOr<lab::Captured> c = lab::RunCapture(lab::InNs(
        client_ns, {"iperf3", "-c", ip, "-p", "5201", "-t", std::to_string(seconds), "-P", std::to_string(streams), "-J"}));
    if (!c.ok()) {
      lab::StopProcess(*server, std::chrono::seconds(1));
      return c.status();
    }
    nlohmann::json j = nlohmann::json::parse(c->out, nullptr, false);
    const nlohmann::json* bps = nullptr;
    if (j.is_object() && j.contains("end") && j["end"].contains("sum_received") &&
        j["end"]["sum_received"].contains("bits_per_second") && j["end"]["sum_received"]["bits_per_second"].is_number()) {
      bps = &j["end"]["sum_received"]["bits_per_second"];
    }
    if (c->exit_code == 0 && bps != nullptr) {
      lab::StopProcess(*server, std::chrono::seconds(1));
      return bps->get<double>();
    }
    last = j.is_object() && j.contains("error") ? j["error"].dump() : c->out + c->err;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // server not listening yet
  }
  lab::StopProcess(*server, std::chrono::seconds(1));
  return absl::InternalError("iperf3 failed: " + last);
}

// Median of interleaved rounds: node->node and pod->pod alternate, so a slow moment of the
// machine hits both sides alike. Bits/s.
struct Pair {
  double node = 0, pod = 0;
};
absl::StatusOr<Pair> MedianOfRounds(const lab::NodeInfo& n1, const lab::NodeInfo& n2, const lab::PodInfo& a,
                                    const lab::PodInfo& b, int streams, int seconds, int rounds, const std::string& log) {
  std::vector<double> node, pod;
  for (int r = 0; r < rounds; ++r) {
    absl::StatusOr<double> base = Iperf(n2.netns, n1.netns, n2.ip, streams, seconds, log);
    if (!base.ok()) return base.status();
    absl::StatusOr<double> p = Iperf(b.netns, a.netns, b.ip, streams, seconds, log);
    if (!p.ok()) return p.status();
    node.push_back(*base);
    pod.push_back(*p);
  }
  auto median = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  return Pair{median(node), median(pod)};
}

// Two measurements on one lab (2 nodes, 1 pod each, one bridge):
//   link-bound: node-1's uplink shaped to `link_gbit` with tbf, as a NIC of that speed would be;
//     what a cluster sees: the ratio shows the bytes Romana adds on the wire (none: no overlay,
//     same MTU). Target >= 0.95.
//   CPU-bound: unshaped veth links, so the CPU is the limit; the ratio shows the software cost of
//     the pod path (two more veth hops and two IP forwards than node->node). Printed, no target.
int Throughput(int seconds, int rounds, double link_gbit) {
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Up(BaseOptions(absl::StrCat("bt", getpid() % 100000), 2, 1, 1));
  if (!l.ok()) {
    std::cerr << "lab: " << l.status() << "\n";
    return 1;
  }
  const lab::PodInfo& a = (*l)->pods()[0];
  const lab::PodInfo& b = (*l)->pods()[1];
  const lab::NodeInfo& n1 = (*l)->nodes().at(1);
  const lab::NodeInfo& n2 = (*l)->nodes().at(2);
  const std::string log = (*l)->dir() + "/iperf3.log";
  bool pass = true;
  for (bool shaped : {true, false}) {
    const std::string rate = absl::StrFormat("%.0fmbit", link_gbit * 1000);
    absl::StatusOr<std::string> tc =
        shaped ? (*l)->Exec(n1.netns, {"tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate, "burst",
                                       "4mb", "latency", "20ms"})
               : (*l)->Exec(n1.netns, {"tc", "qdisc", "del", "dev", "eth0", "root"});
    if (!tc.ok()) {
      std::cerr << "tc: " << tc.status() << "\n";
      return 1;
    }
    std::vector<std::vector<std::string>> rows;
    for (int streams : {1, 4}) {
      absl::StatusOr<Pair> m = MedianOfRounds(n1, n2, a, b, streams, seconds, rounds, log);
      if (!m.ok()) {
        std::cerr << "iperf3: " << m.status() << "\n";
        return 1;
      }
      const double ratio = m->pod / m->node;
      std::string verdict = "-";
      if (shaped) {
        pass &= ratio >= 0.95;
        verdict = ratio >= 0.95 ? "ok" : "BELOW TARGET";
      }
      rows.push_back({std::to_string(streams), absl::StrFormat("%.2f", m->node / 1e9),
                      absl::StrFormat("%.2f", m->pod / 1e9), absl::StrFormat("%.3f", ratio), verdict});
    }
    std::cout << "\nTCP throughput, node-1 -> node-2 over one bridge, Gbit/s (median of " << rounds
              << " interleaved rounds of iperf3 " << seconds << " s)\n"
              << (shaped ? absl::StrFormat("link-bound: node-1's uplink shaped to %.1f Gbit/s like a NIC\n", link_gbit)
                         : std::string("CPU-bound: unshaped veth links (the pod path's two extra veth hops and "
                                       "forwards cost CPU; no target)\n"))
            << lab::FormatTable({"STREAMS", "NODE->NODE", "POD->POD", "RATIO", shaped ? "TARGET >= 0.95" : "TARGET"},
                                rows);
  }
  return pass ? 0 : 3;
}

int Routes() {
  constexpr int kRacks = 3, kPerRack = 20, kPodsPerNs = 2;
  // A lab with one node per rack (real agents) plus 57 more hosts registered with romanad.
  absl::StatusOr<std::unique_ptr<lab::Lab>> l =
      lab::Lab::Up(BaseOptions(absl::StrCat("br", getpid() % 100000), kRacks, 0, kRacks));
  if (!l.ok()) {
    std::cerr << "lab: " << l.status() << "\n";
    return 1;
  }
  lab::LabShape shape = (*l)->shape();
  shape.nodes = kRacks * kPerRack;
  agent::ClusterSnapshot snap;
  std::map<std::string, int> rack_of;
  std::vector<api::Group> groups;
  absl::Status s = (*l)->WithRomanad([&](api::Client& c) -> absl::Status {
    for (int n = 1; n <= shape.nodes; ++n) {
      if (n > kRacks) {
        absl::StatusOr<api::Host> h = c.AddHost({lab::NodeName(n), lab::NodeIp(shape, n),
                                                 {{"rack", lab::RackLabel(lab::RackOf(shape, n))}}});
        if (!h.ok()) return h.status();
      }
      rack_of[lab::NodeName(n)] = lab::RackOf(shape, n);
      // Two Kubernetes namespaces: two blocks per node, allocated one after the other.
      for (const char* ns : {"default", "other"}) {
        for (int j = 0; j < kPodsPerNs; ++j) {
          absl::StatusOr<api::Allocation> a =
              c.AllocateAddress({absl::StrCat("bench-", n, "-", ns, "-", j), lab::NodeName(n), ns, "default"});
          if (!a.ok()) return a.status();
        }
      }
    }
    absl::StatusOr<api::List<api::Host>> hosts = c.ListHosts();
    if (!hosts.ok()) return hosts.status();
    absl::StatusOr<api::List<api::Block>> blocks = c.ListBlocks();
    if (!blocks.ok()) return blocks.status();
    absl::StatusOr<api::List<api::Group>> g = c.ListGroups();
    if (!g.ok()) return g.status();
    for (const api::Host& h : hosts->items) snap.hosts.push_back({h.name, h.ip});
    for (const api::Block& b : blocks->items) snap.blocks.push_back({b.cidr, b.host});
    groups = g->items;
    return absl::OkStatus();
  });
  if (!s.ok()) {
    std::cerr << "romanad: " << s << "\n";
    return 1;
  }
  std::vector<int> per_node;
  int merged_total = 0, unmerged_total = 0;
  for (int n = 1; n <= shape.nodes; ++n) {
    int rack = lab::RackOf(shape, n);
    agent::RouteCalcResult r = agent::ComputeRoutes(snap, {lab::NodeName(n), {lab::RackSubnet(rack)}});
    per_node.push_back(static_cast<int>(r.routes.size()));
    merged_total += static_cast<int>(r.routes.size());
    for (const agent::BlockInfo& b : snap.blocks) {
      if (b.host != lab::NodeName(n) && rack_of.contains(b.host) && rack_of[b.host] == rack) ++unmerged_total;
    }
  }
  int router = 0;
  for (const api::Group& g : groups) router += g.leaf && !g.padding && !g.hosts.empty();
  const int nodes = shape.nodes;
  auto avg = [&](int total) { return absl::StrFormat("%.1f", static_cast<double>(total) / nodes); };
  std::vector<std::vector<std::string>> rows = {
      {"routes per node (romana table)", avg(merged_total),
       absl::StrCat(*std::min_element(per_node.begin(), per_node.end()), "..", *std::max_element(per_node.begin(), per_node.end())),
       std::to_string(nodes - 1), absl::StrFormat("%.3f", static_cast<double>(merged_total) / nodes / (nodes - 1))},
      {"  of which: block routes before merging", avg(unmerged_total), "", "", ""},
      {"routes per router", std::to_string(router), "", std::to_string(nodes),
       absl::StrFormat("%.3f", static_cast<double>(router) / nodes)}};
  std::cout << "\nRoutes for " << kRacks << " racks x " << kPerRack << " nodes, " << 2 * kPodsPerNs
            << " pods per node in 2 namespaces (" << snap.blocks.size() << " blocks of /" << shape.block_mask << ")\n"
            << lab::FormatTable({"WHAT", "ROMANA", "MIN..MAX", "ONE-ROUTE-PER-NODE", "RATIO"}, rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (getuid() != 0) {
    std::cerr << "dataplane_bench: needs root (it builds a lab of network namespaces)\n";
    return 1;
  }
  std::string what = argc > 1 ? argv[1] : "all";
  int seconds = 3, rounds = 3;
  double link_gbit = 4;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") {
      seconds = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--rounds") {
      rounds = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--link-gbit") {
      link_gbit = std::max(0.1, std::atof(argv[i + 1]));
    } else {
      what = "?";
    }
  }
  int rc = 0;
  if (what == "throughput" || what == "all") rc = std::max(rc, Throughput(seconds, rounds, link_gbit));
  if (what == "routes" || what == "all") rc = std::max(rc, Routes());
  if (what != "throughput" && what != "routes" && what != "all") {
    std::cerr << "usage: dataplane_bench [throughput|routes|all] [--seconds S] [--rounds R] [--link-gbit G]\n";
    return 2;
  }
  return rc;
}
