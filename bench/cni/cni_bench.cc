// cni_bench: CNI ADD and DEL latency of the romana plugin (with a real romanad on loopback)
// against Debian's reference bridge + host-local pair, both run by the same harness
// (romana::cni::ExecPlugin, the way a container runtime execs a plugin) on the same machine,
// alternating pod by pod so both see the same load. Prints p50/p99 per verb and the ratios.
// Target: romana ADD p50 within 1.5x of bridge+host-local.
//
// Needs root; everything happens in network namespaces it creates and removes.
//   cni_bench [--pods 100] [--romana-cni PATH] [--romanad PATH]
// Measure an unsanitized plugin: the sanitizers slow its start-up, while bridge is a Go binary.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "base/testing/test_env.h"
#include "cni/exec.h"
#include "daemon/testing/romanad_process.h"
#include "netlink/netns.h"
#include "netlink/testing/scoped_netns.h"
#include "nlohmann/json.hpp"

namespace {

using nlohmann::json;
using romana::netlink::testing::ScopedNetns;
using Clock = std::chrono::steady_clock;

constexpr char kTopology[] = R"({
  "networks": [{"name": "pods", "cidr": "10.77.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["pods"], "map": [{"name": "all", "assignment": {}, "groups": []}]}]})";

struct Samples {
  std::vector<double> add_ms, del_ms;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

// Runs one verb, returns milliseconds, or a negative value (after printing why) on failure.
double Timed(const std::string& binary, const std::string& command, const json& conf, const std::string& cid,
             const std::string& pod_path, const std::string& host_ns) {
  romana::cni::ExecOptions o;
  o.binary = binary;
  o.netns = host_ns;
  o.stdin_data = conf.dump();
  o.env = {{"CNI_COMMAND", command}, {"CNI_CONTAINERID", cid}, {"CNI_NETNS", pod_path}, {"CNI_IFNAME", "eth0"},
           {"CNI_PATH", "/usr/lib/cni"}, {"CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=bench"}};
  auto start = Clock::now();
  auto r = romana::cni::ExecPlugin(o);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (!r.ok() || r->exit_code != 0) {
    fprintf(stderr, "%s %s %s failed: %s\n", binary.c_str(), command.c_str(), cid.c_str(),
            r.ok() ? romana::cni::Describe(*r).c_str() : std::string(r.status().message()).c_str());
    return -1;
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CNI ADD/DEL latency: romana vs bridge+host-local"};
  int pods = 100;
  std::string romana_bin = (romana::testing::BinaryDir() / "apps/romana-cni/romana-cni").string();
  std::string romanad_bin;
  app.add_option("--pods", pods, "pods per plugin (>= 1)")->check(CLI::PositiveNumber);
  app.add_option("--romana-cni", romana_bin, "the plugin binary to measure (default: this build's)");
  app.add_option("--romanad", romanad_bin, "the romanad binary (default: this build's)");
  CLI11_PARSE(app, argc, argv);
  if (geteuid() != 0) {
    fprintf(stderr, "cni_bench needs root (network namespaces)\n");
    return 2;
  }
  const std::string bridge_bin = "/usr/lib/cni/bridge";
  for (const std::string& b : {romana_bin, bridge_bin, std::string("/usr/lib/cni/host-local")}) {
    if (access(b.c_str(), X_OK) != 0) {
      fprintf(stderr, "missing %s\n", b.c_str());
      return 2;
    }
  }
  auto romana_host = ScopedNetns::Create("cnib-r");
  auto bridge_host = ScopedNetns::Create("cnib-b");
  if (!romana_host.ok() || !bridge_host.ok()) {
    fprintf(stderr, "cannot create namespaces\n");
    return 1;
  }
  // romanad runs inside romana's "node" netns (this thread stays there), so the plugin reaches it
  // on 127.0.0.1 as on a real node.
  auto in_node = romana::netlink::ScopedNetnsEntry::Enter((*romana_host)->name());
  if (!in_node.ok()) {
    fprintf(stderr, "enter netns: %s\n", std::string(in_node.status().message()).c_str());
    return 1;
  }
  auto daemon = romana::testing::RomanadProcess::Start({.topology_json = kTopology, .binary = romanad_bin});
  if (!daemon.ok()) {
    fprintf(stderr, "romanad: %s\n", std::string(daemon.status().message()).c_str());
    return 1;
  }
  if (auto h = (*daemon)->client().AddHost({.name = "bench-node", .ip = "192.168.201.1"}); !h.ok()) {
    fprintf(stderr, "register node: %s\n", std::string(h.status().message()).c_str());
    return 1;
  }
  romana::testing::TempDir data;
  const json romana_conf = {{"cniVersion", "1.0.0"}, {"name", "bench-romana"}, {"type", "romana"},
                            {"romanad", (*daemon)->url()}, {"node_name", "bench-node"}, {"mtu", 1400},
                            {"log_level", "warn"}};
  const json bridge_conf = {{"cniVersion", "1.0.0"}, {"name", "bench-bridge"}, {"type", "bridge"},
                            {"bridge", "cnibr0"}, {"isGateway", true}, {"mtu", 1400},
                            {"ipam", {{"type", "host-local"}, {"subnet", "10.88.0.0/16"},
                                      {"dataDir", data.File("host-local")}}}};
  std::vector<std::unique_ptr<ScopedNetns>> romana_pods, bridge_pods;
  for (int i = 0; i < pods; ++i) {
    auto a = ScopedNetns::Create("cnib-rp");
    auto b = ScopedNetns::Create("cnib-bp");
    if (!a.ok() || !b.ok()) {
      fprintf(stderr, "cannot create pod namespaces\n");
      return 1;
    }
    romana_pods.push_back(*std::move(a));
    bridge_pods.push_back(*std::move(b));
  }
  // One untimed warm-up each (page cache, bridge creation, romanad's first block).
  Samples romana, bridge;
  int failures = 0;
  auto run = [&](bool timed, int i) {
    const std::string cid = absl::StrCat("bench", getpid(), "-", i);
    double ra = Timed(romana_bin, "ADD", romana_conf, cid, romana_pods[i]->path(), (*romana_host)->name());
    double ba = Timed(bridge_bin, "ADD", bridge_conf, cid, bridge_pods[i]->path(), (*bridge_host)->name());
    if (ra < 0 || ba < 0) ++failures;
    if (timed) {
      romana.add_ms.push_back(ra);
      bridge.add_ms.push_back(ba);
    }
  };
  auto del = [&](bool timed, int i) {
    const std::string cid = absl::StrCat("bench", getpid(), "-", i);
    double bd = Timed(bridge_bin, "DEL", bridge_conf, cid, bridge_pods[i]->path(), (*bridge_host)->name());
    double rd = Timed(romana_bin, "DEL", romana_conf, cid, romana_pods[i]->path(), (*romana_host)->name());
    if (rd < 0 || bd < 0) ++failures;
    if (timed) {
      romana.del_ms.push_back(rd);
      bridge.del_ms.push_back(bd);
    }
  };
  run(false, 0);
  del(false, 0);
  for (int i = 0; i < pods; ++i) run(true, i);
  for (int i = 0; i < pods; ++i) del(true, i);
  if (failures > 0) {
    fprintf(stderr, "%d plugin invocations failed\n", failures);
    return 1;
  }
  const double ra50 = Percentile(romana.add_ms, 50), ra99 = Percentile(romana.add_ms, 99);
  const double rd50 = Percentile(romana.del_ms, 50), rd99 = Percentile(romana.del_ms, 99);
  const double ba50 = Percentile(bridge.add_ms, 50), ba99 = Percentile(bridge.add_ms, 99);
  const double bd50 = Percentile(bridge.del_ms, 50), bd99 = Percentile(bridge.del_ms, 99);
  printf("CNI latency over %d pods per plugin (ms; plugin exec to exit, same harness, alternating)\n", pods);
  printf("%-22s %10s %10s %10s %10s\n", "plugin", "ADD p50", "ADD p99", "DEL p50", "DEL p99");
  printf("%-22s %10.2f %10.2f %10.2f %10.2f\n", "romana (+romanad)", ra50, ra99, rd50, rd99);
  printf("%-22s %10.2f %10.2f %10.2f %10.2f\n", "bridge + host-local", ba50, ba99, bd50, bd99);
  printf("%-22s %9.2fx %9.2fx %9.2fx %9.2fx\n", "ratio romana/bridge", ra50 / ba50, ra99 / ba99, rd50 / bd50, rd99 / bd99);
  printf("target: ADD p50 ratio <= 1.50 -> %s\n", ra50 / ba50 <= 1.5 ? "MET" : "NOT MET");
  return 0;
}
