// dataplane_bench: whole-system dataplane numbers measured on a lab (src/lab), printed as tables
// with ratios against a baseline measured in the same run.
//
//   dataplane_bench [throughput|policy|routes|all] [--seconds S] [--rounds R] [--link-gbit G]
//                   [--policies N]   (as root)
//
// throughput: iperf3 TCP, 1 stream and 4 streams, pod on node-1 -> pod on node-2 (routed by the
//   romana table, through both nodes' veths) vs node-1 -> node-2 over the same links, link-bound
//   (node-1's uplink shaped to G Gbit/s, default 4, as a NIC; target: ratio >= 0.95) and
//   CPU-bound (unshaped; printed for what the extra veth hops cost). Medians of R rounds
//   (default 3) that alternate the two sides.
// policy: pod-to-pod TCP throughput (CPU-bound, unshaped veths: where a per-packet cost would
//   show) with no policy and with N NetworkPolicies (default 1,000) over 10,000 endpoints in
//   100 namespaces registered with romanad, one of them isolating the receiving pod and allowing
//   its sender, so every new flow goes through the verdict map and a policy chain. The policies
//   are deleted and re-created between rounds (each round alternates which side comes first).
//   Target: ratio >= 0.95.
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
#include "api/client.h"
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

// NetworkPolicy JSON of the bench's mix, one per index: default deny, same-namespace allow, allow
// from the monitoring namespace on 9100, an ipBlock with except (rotating).
nlohmann::json MixPolicy(const std::string& ns, int i) {
  nlohmann::json p = {{"apiVersion", "networking.k8s.io/v1"},
                      {"kind", "NetworkPolicy"},
                      {"metadata", {{"namespace", ns}, {"name", absl::StrCat("p", i)}}},
                      {"spec", {{"podSelector", nlohmann::json::object()}, {"policyTypes", {"Ingress"}}}}};
  nlohmann::json& spec = p["spec"];
  switch (i % 4) {
    case 0:
      spec["ingress"] = nlohmann::json::array();
      break;
    case 1:
      spec["ingress"] = {{{"from", {{{"podSelector", nlohmann::json::object()}}}}}};
      break;
    case 2:
      spec["ingress"] = {{{"from", {{{"namespaceSelector", {{"matchLabels", {{"team", "monitoring"}}}}}}}},
                          {"ports", {{{"protocol", "TCP"}, {"port", 9100}}}}}};
      break;
    default:
      spec["ingress"] = {{{"from", {{{"ipBlock", {{"cidr", "10.0.0.0/8"}, {"except", {"10.1.0.0/16"}}}}}}}}};
      break;
  }
  return p;
}

// Registers 10,000 endpoints (100 namespaces, on nodes that do not exist) with romanad, plus the
// lab's two pods as endpoints of namespace "default" (app=iperf). They stay for the whole run;
// the policies come and go (SetPolicies).
absl::Status AddEndpoints(lab::Lab& l) {
  return l.WithRomanad([&](api::Client& c) -> absl::Status {
    for (int n = 0; n < 100; ++n) {
      api::Namespace ns{absl::StrCat("ns", n), {{"team", absl::StrCat("ns", n)}}, false};
      if (absl::Status s = c.PutNamespace(ns); !s.ok()) return s;
    }
    if (absl::Status s = c.PutNamespace({"monitoring", {{"team", "monitoring"}}, false}); !s.ok()) return s;
    for (int i = 0; i < 10000; ++i) {
      api::Endpoint e;
      e.namespace_name = i % 50 == 0 ? "monitoring" : absl::StrCat("ns", i % 100);
      e.name = absl::StrCat("pod", i);
      e.node = absl::StrCat("elsewhere", i / 100);
      e.ip = absl::StrCat("10.64.", i / 256, ".", i % 256);
      e.labels = {{"app", absl::StrCat("app", i % 5)}};
      if (absl::Status s = c.PutEndpoint(e); !s.ok()) return s;
    }
    for (const lab::PodInfo& p : l.pods()) {
      api::Endpoint e;
      e.namespace_name = "default";
      e.name = p.name;
      e.node = l.nodes().at(p.node).name;
      e.ip = p.ip;
      e.labels = {{"app", "iperf"}};
      if (absl::Status s = c.PutEndpoint(e); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

// Creates (present) or deletes the bench's `policies` NetworkPolicies: the mix in the 100
// namespaces plus one in "default" that isolates the lab's pods and admits the sender.
absl::Status SetPolicies(lab::Lab& l, int policies, bool present) {
  return l.WithRomanad([&](api::Client& c) -> absl::Status {
    nlohmann::json own = MixPolicy("default", 1);  // same-namespace allow: isolates and admits the sender
    own["metadata"]["name"] = "iperf";
    if (absl::Status s = present ? c.PutNetworkPolicy("default", "iperf", own).status()
                                 : c.DeleteNetworkPolicy("default", "iperf");
        !s.ok()) {
      return s;
    }
    for (int i = 1; i < policies; ++i) {
      const std::string ns = absl::StrCat("ns", i % 100), name = absl::StrCat("p", i);
      if (absl::Status s = present ? c.PutNetworkPolicy(ns, name, MixPolicy(ns, i)).status()
                                   : c.DeleteNetworkPolicy(ns, name);
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  });
}

// Pod-to-pod throughput without and with the policy load (CPU-bound: unshaped veths). The
// policies are deleted and re-created between measurements (rounds alternate which side comes
// first), so a change in the machine's load hits both sides alike.
int PolicyThroughput(int seconds, int rounds, int policies) {
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Up(BaseOptions(absl::StrCat("bp", getpid() % 100000), 2, 1, 1));
  if (!l.ok()) {
    std::cerr << "lab: " << l.status() << "\n";
    return 1;
  }
  const lab::PodInfo& a = (*l)->pods()[0];
  const lab::PodInfo& b = (*l)->pods()[1];
  const std::string log = (*l)->dir() + "/iperf3.log";
  const std::string b_netns = (*l)->nodes().at(b.node).netns;
  if (absl::Status s = AddEndpoints(**l); !s.ok()) {
    std::cerr << "endpoints: " << s << "\n";
    return 1;
  }
  // Waits until b's node enforces the state: b has an element in the ingress verdict map exactly
  // when the policies are present. Returns the table's listing size in lines.
  auto await_enforced = [&](bool present) -> absl::StatusOr<size_t> {
    for (int i = 0; i < 600; ++i) {
      absl::StatusOr<std::string> t = (*l)->Exec(b_netns, {"nft", "list", "table", "inet", "romana"});
      if (t.ok() && (t->find(b.ip + " : jump ingress-") != std::string::npos) == present) {
        return static_cast<size_t>(std::count(t->begin(), t->end(), '\n'));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return absl::DeadlineExceededError(absl::StrCat("node-", b.node, (present ? " does not enforce" : " still enforces"),
                                                    " the policy for ", b.ip, " after 60 s"));
  };
  std::map<std::pair<bool, int>, std::vector<double>> bps;  // (policies present, streams) -> per round
  size_t listing_lines = 0;
  bool present = false;
  for (int r = 0; r < rounds; ++r) {
    for (bool want : {r % 2 == 1, r % 2 == 0}) {
      if (want != present) {
        if (absl::Status s = SetPolicies(**l, policies, want); !s.ok()) {
          std::cerr << "policies: " << s << "\n";
          return 1;
        }
        absl::StatusOr<size_t> lines = await_enforced(want);
        if (!lines.ok()) {
          std::cerr << "policies: " << lines.status() << "\n";
          return 1;
        }
        if (want) listing_lines = *lines;
        present = want;
      }
      for (int streams : {1, 4}) {
        absl::StatusOr<double> v = Iperf(b.netns, a.netns, b.ip, streams, seconds, log);
        if (!v.ok()) {
          std::cerr << "iperf3: " << v.status() << "\n";
          return 1;
        }
        bps[{present, streams}].push_back(*v);
      }
    }
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  bool pass = true;
  std::vector<std::vector<std::string>> rows;
  for (int streams : {1, 4}) {
    const double none = median(bps[{false, streams}]), with = median(bps[{true, streams}]);
    const double ratio = with / none;
    pass &= ratio >= 0.95;
    auto each = [](const std::vector<double>& v) {
      std::string out;
      for (double x : v) absl::StrAppend(&out, out.empty() ? "" : " ", absl::StrFormat("%.2f", x / 1e9));
      return out;
    };
    rows.push_back({std::to_string(streams), absl::StrFormat("%.2f", none / 1e9), absl::StrFormat("%.2f", with / 1e9),
                    absl::StrFormat("%.3f", ratio), ratio >= 0.95 ? "ok" : "BELOW TARGET",
                    absl::StrCat(each(bps[{false, streams}]), " | ", each(bps[{true, streams}]))});
  }
  std::cout << "\nTCP throughput pod-1 -> pod-2 (CPU-bound, unshaped veths), Gbit/s, median of " << rounds
            << " interleaved rounds of iperf3 " << seconds << " s: no policy vs " << policies
            << " NetworkPolicies over 10,000 endpoints (the receiver isolated by one of them; its node's "
               "inet romana table, which holds only what its pods need, lists in "
            << listing_lines << " lines)\n"
            << lab::FormatTable({"STREAMS", "NO POLICY", "WITH POLICIES", "RATIO", "TARGET >= 0.95", "ROUNDS (NONE | WITH)"},
                                rows);
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
  api::GroupHosts members;  // group membership, from the host records
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
    members = api::HostsByGroup(hosts->items);
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
  for (const api::Group& g : groups) router += g.leaf && !g.padding && members.contains({g.network, g.path});
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
  int seconds = 3, rounds = 3, policies = 1000;
  double link_gbit = 4;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") {
      seconds = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--rounds") {
      rounds = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--link-gbit") {
      link_gbit = std::max(0.1, std::atof(argv[i + 1]));
    } else if (flag == "--policies") {
      policies = std::max(1, std::atoi(argv[i + 1]));
    } else {
      what = "?";
    }
  }
  int rc = 0;
  if (what == "throughput" || what == "all") rc = std::max(rc, Throughput(seconds, rounds, link_gbit));
  if (what == "policy" || what == "all") rc = std::max(rc, PolicyThroughput(seconds, rounds, policies));
  if (what == "routes" || what == "all") rc = std::max(rc, Routes());
  if (what != "throughput" && what != "policy" && what != "routes" && what != "all") {
    std::cerr << "usage: dataplane_bench [throughput|policy|routes|all] [--seconds S] [--rounds R] [--link-gbit G] "
                 "[--policies N]\n";
    return 2;
  }
  return rc;
}
