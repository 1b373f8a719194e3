// ipam_scale_bench: IPAM at cluster scale, printed as a table.
//
//   5,000 hosts in the built-in us-east-1 topology (6 zones x 4 host groups), 150,000
//   allocations (30 pods per host, 4 namespaces), then 50,000 releases and 50,000
//   re-allocations, on the in-memory engine (what romanad does per request before its store
//   write). Then the whole state is written to the embedded store (SQLite, bulk transactions)
//   and reloaded; and a sample of allocations/releases is persisted one transaction each, next
//   to the raw store transaction latency measured in the same run (the baseline of the ratio).
//
//   Usage: ipam_scale_bench [--hosts N] [--pods-per-host N] [--churn N] [--persisted N] [--dir D]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "base/clock.h"
#include "ipam/builtin.h"
#include "ipam/ipam.h"
#include "ipam/ipam_store.h"
#include "store/sqlite_store.h"

namespace romana::ipam {
namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  std::vector<double> us;
  void Add(Clock::time_point start) {
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  double Pct(double p) {
    if (us.empty()) return 0;
    std::vector<double> s = us;
    size_t k = std::min(s.size() - 1, static_cast<size_t>(p * (s.size() - 1)));
    std::nth_element(s.begin(), s.begin() + k, s.end());
    return s[k];
  }
  double Total() const {
    double t = 0;
    for (double u : us) t += u;
    return t;
  }
};

long PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

void Row(const char* what, Stats& s, double baseline_p50 = 0) {
  char ratio[32] = "";
  if (baseline_p50 > 0) std::snprintf(ratio, sizeof(ratio), "%.1fx", s.Pct(0.5) / baseline_p50);
  std::printf("| %-44s | %9zu | %9.2f | %9.2f | %9.0f | %8s |\n", what, s.us.size(), s.Pct(0.5), s.Pct(0.99),
              s.us.empty() ? 0.0 : s.us.size() / (s.Total() / 1e6), ratio);
}

// The temporary directory this run created (removed on every exit path).
std::string* TempDirToRemove() {
  static std::string* dir = new std::string();
  return dir;
}

void Die(const absl::Status& s, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  if (!TempDirToRemove()->empty()) std::filesystem::remove_all(*TempDirToRemove());
  std::exit(1);
}

int Main(int argc, char** argv) {
  int hosts = 5000, pods_per_host = 30, churn = 50000, persisted = 2000;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    if (f == "--hosts") hosts = std::atoi(argv[i + 1]);
    else if (f == "--pods-per-host") pods_per_host = std::atoi(argv[i + 1]);
    else if (f == "--churn") churn = std::atoi(argv[i + 1]);
    else if (f == "--persisted") persisted = std::atoi(argv[i + 1]);
    else if (f == "--dir") dir = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  const std::vector<std::string> zones = *AwsRegionZones("us-east-1");
  std::mt19937 rng(2026);
  long rss_start = PeakRssKb();

  Ipam ipam;
  if (absl::Status s = ipam.SetTopology(*AwsTopology("us-east-1")); !s.ok()) Die(s, "topology");
  Stats add_host, alloc, release, realloc;
  for (int h = 0; h < hosts; ++h) {
    const std::string& z = zones[h % zones.size()];
    Labels labels = {{kZoneLabel, z}, {kRegionLabel, "us-east-1"}, {"kubernetes.io/hostname", "node-" + std::to_string(h)}};
    auto t = Clock::now();
    absl::StatusOr<HostRecord> r = ipam.AddHost({"node-" + std::to_string(h), net::Ipv4Address(0xAC100000u + h + 1), labels});
    add_host.Add(t);
    if (!r.ok()) Die(r.status(), "add host");
  }
  const int allocations = hosts * pods_per_host;
  std::vector<std::string> live;
  live.reserve(allocations + churn);
  for (int i = 0; i < allocations; ++i) {
    AllocateRequest req{"pod-" + std::to_string(i), "node-" + std::to_string(i % hosts), "ns" + std::to_string(i % 4), ""};
    auto t = Clock::now();
    absl::StatusOr<AllocateResult> r = ipam.Allocate(req);
    alloc.Add(t);
    if (!r.ok()) Die(r.status(), "allocate");
    live.push_back(req.name);
  }
  std::shuffle(live.begin(), live.end(), rng);
  for (int i = 0; i < churn && !live.empty(); ++i) {
    std::string name = live.back();
    live.pop_back();
    auto t = Clock::now();
    absl::StatusOr<AddressRecord> r = ipam.Release(name);
    release.Add(t);
    if (!r.ok()) Die(r.status(), "release");
  }
  for (int i = 0; i < churn; ++i) {
    AllocateRequest req{"re-" + std::to_string(i), "node-" + std::to_string(rng() % hosts), "ns" + std::to_string(rng() % 4), ""};
    auto t = Clock::now();
    absl::StatusOr<AllocateResult> r = ipam.Allocate(req);
    realloc.Add(t);
    if (!r.ok()) Die(r.status(), "re-allocate");
    live.push_back(req.name);
  }
  long rss_engine = PeakRssKb();

  // Routes: one per host group with hosts, vs one per node for per-node-CIDR designs, vs one per
  // block (what L2-adjacent agents install).
  size_t group_routes = 0, leaves = 0;
  for (const GroupRecord& g : ipam.Groups()) {
    if (g.leaf && !g.padding) {
      ++leaves;
      if (!ipam.GroupHosts(g.network, g.path).empty()) ++group_routes;
    }
  }
  size_t block_count = ipam.block_count();

  // Embedded store: bulk-write the state, reload it, then persist single operations.
  std::string base = dir.empty() ? (std::filesystem::temp_directory_path() /
                                    ("ipam_scale_bench." + std::to_string(getpid()))).string()
                                 : dir;
  std::filesystem::create_directories(base);
  if (dir.empty()) *TempDirToRemove() = base;
  std::string db = base + "/romana.db";
  std::filesystem::remove(db);
  base::SystemClock clock;
  double write_s = 0, reload_s = 0;
  Stats raw_put, p_alloc, p_release;
  uint64_t keys = 0;
  {
    absl::StatusOr<std::unique_ptr<store::SqliteStore>> st = store::SqliteStore::Create({.path = db}, clock);
    if (!st.ok()) Die(st.status(), "sqlite");
    IpamKeys k("/romana");
    std::vector<store::Op> ops = ChangeToOps(ipam.AllRecords(), k);
    keys = ops.size();
    auto t = Clock::now();
    for (size_t i = 0; i < ops.size(); i += 120) {
      store::Txn txn;
      txn.success.assign(ops.begin() + i, ops.begin() + std::min(ops.size(), i + 120));
      absl::StatusOr<store::TxnResult> r = (*st)->Commit(txn);
      if (!r.ok()) Die(r.status(), "bulk write");
    }
    write_s = std::chrono::duration<double>(Clock::now() - t).count();
    auto t1 = Clock::now();
    absl::StatusOr<std::unique_ptr<IpamStore>> is = IpamStore::Open(**st, {});
    reload_s = std::chrono::duration<double>(Clock::now() - t1).count();
    if (!is.ok()) Die(is.status(), "reload");
    if ((*is)->ipam().address_count() != ipam.address_count()) {
      std::fprintf(stderr, "reload mismatch: %zu vs %zu addresses\n", (*is)->ipam().address_count(),
                   ipam.address_count());
      return 1;
    }
    // Baseline, interleaved with the measured operations so that both see the same disk: one
    // raw put of an address-sized value per transaction on the same store.
    std::string value(220, 'x');
    auto raw = [&](int i) {
      auto t0 = Clock::now();
      absl::StatusOr<store::Revision> r = (*st)->Put("/bench/raw/" + std::to_string(i), value);
      raw_put.Add(t0);
      if (!r.ok()) Die(r.status(), "raw put");
    };
    for (int i = 0; i < persisted; ++i) {
      raw(i);
      AllocateRequest req{"persisted-" + std::to_string(i), "node-" + std::to_string(rng() % hosts), "ns0", ""};
      auto t0 = Clock::now();
      absl::StatusOr<AllocateResult> r = (*is)->Allocate(req);
      p_alloc.Add(t0);
      if (!r.ok()) Die(r.status(), "persisted allocate");
    }
    for (int i = 0; i < persisted; ++i) {
      raw(persisted + i);
      auto t0 = Clock::now();
      absl::StatusOr<AddressRecord> r = (*is)->Release("persisted-" + std::to_string(i));
      p_release.Add(t0);
      if (!r.ok()) Die(r.status(), "persisted release");
    }
  }
  uintmax_t db_bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(base)) db_bytes += e.file_size();
  if (dir.empty()) std::filesystem::remove_all(base);

  std::printf("\nIPAM scale: %d hosts in aws-us-east-1 (%zu host groups), %d allocations, %d releases + %d re-allocations\n\n",
              hosts, leaves, allocations, churn, churn);
  std::printf("| %-44s | %9s | %9s | %9s | %9s | %8s |\n", "operation", "count", "p50 us", "p99 us", "ops/s",
              "vs put");
  std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(11, '-').c_str(),
              std::string(11, '-').c_str(), std::string(11, '-').c_str(), std::string(11, '-').c_str(),
              std::string(10, '-').c_str());
  Row("add host (in memory)", add_host);
  Row("allocate (in memory)", alloc);
  Row("release (in memory)", release);
  Row("re-allocate after churn (in memory)", realloc);
  Row("baseline: raw SQLite put, 1 key per txn", raw_put);
  Row("allocate persisted (SQLite, 1 txn each)", p_alloc, raw_put.Pct(0.5));
  Row("release persisted (SQLite, 1 txn each)", p_release, raw_put.Pct(0.5));
  std::printf("\n| %-44s | %18s |\n", "measure", "value");
  std::printf("|%s|%s|\n", std::string(46, '-').c_str(), std::string(20, '-').c_str());
  std::printf("| %-44s | %18zu |\n", "addresses allocated at the end", ipam.address_count());
  std::printf("| %-44s | %18zu |\n", "blocks (/29)", block_count);
  std::printf("| %-44s | %18.1f |\n", "peak RSS of the engine (MiB, above start)", (rss_engine - rss_start) / 1024.0);
  std::printf("| %-44s | %18.1f |\n", "peak RSS of the process (MiB)", PeakRssKb() / 1024.0);
  std::printf("| %-44s | %18llu |\n", "store keys written", static_cast<unsigned long long>(keys));
  std::printf("| %-44s | %18.2f |\n", "bulk write to SQLite (s)", write_s);
  std::printf("| %-44s | %18.2f |\n", "reload from SQLite (s)", reload_s);
  std::printf("| %-44s | %18.1f |\n", "SQLite files (MiB)", db_bytes / 1048576.0);
  std::printf("| %-44s | %18zu |\n", "upstream routes: one per host group", group_routes);
  std::printf("| %-44s | %18d |\n", "upstream routes: per-node-CIDR design", hosts);
  std::printf("| %-44s | %18.1fx |\n", "route reduction (per-node / group)",
              group_routes ? static_cast<double>(hosts) / group_routes : 0.0);
  std::printf("| %-44s | %18zu |\n", "routes if every block were routed", block_count);
  return 0;
}

}  // namespace
}  // namespace romana::ipam

int main(int argc, char** argv) { return romana::ipam::Main(argc, argv); }
