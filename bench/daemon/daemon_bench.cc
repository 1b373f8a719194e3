// daemon_bench: what romanad costs on top of its store.
//
// For the embedded store (SQLite) and for etcd (one member), in the same run:
//   - romanad: N clients allocate addresses through the REST API (POST /address) of a real
//     romanad binary; allocations/s and p50/p99 latency;
//   - the store alone: N threads run the transaction an allocation needs (one compare-guarded
//     put of the address key plus a put of its block key) directly through the Store interface.
// The table shows both and the ratio (daemon rate / store rate); target: the daemon adds < 20%.
//
// Usage: daemon_bench [--clients N] [--allocations M]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "base/clock.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "store/etcd_store.h"
#include "store/sqlite_store.h"
#include "store/testing/etcd_cluster.h"

namespace romana {
namespace {

constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.0.0.0/12", "block_mask": 27}],
  "topologies": [{"networks": ["net1"], "map": [{"name": "g1", "groups": []}, {"name": "g2", "groups": []}]}]})";

struct Result {
  double rate = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int errors = 0;
};

Result Summarize(std::vector<double>& lat_ms, double seconds, int errors) {
  Result r;
  r.errors = errors;
  if (lat_ms.empty()) return r;
  std::sort(lat_ms.begin(), lat_ms.end());
  r.rate = lat_ms.size() / seconds;
  r.p50_ms = lat_ms[lat_ms.size() / 2];
  r.p99_ms = lat_ms[std::min(lat_ms.size() - 1, lat_ms.size() * 99 / 100)];
  return r;
}

// Runs `op(thread, i)` `total` times over `threads` threads; measures each call.
Result Run(int threads, int total, const std::function<bool(int, int)>& op) {
  std::vector<double> lat;
  std::mutex mu;
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::vector<double> mine;
      for (int i; (i = next++) < total;) {
        const auto s = std::chrono::steady_clock::now();
        if (!op(t, i)) {
          ++errors;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
      }
      std::lock_guard lock(mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : ts) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Summarize(lat, secs, errors);
}

Result DaemonRun(testing::RomanadProcess& d, int clients, int total, const std::string& tag) {
  for (int h = 0; h < 4; ++h) {
    (void)d.client().AddHost({absl::StrCat("bench-", h), absl::StrCat("192.168.200.", h + 1), {}});
  }
  std::vector<std::unique_ptr<api::Client>> cs;
  for (int c = 0; c < clients; ++c) cs.push_back(*api::Client::Create({.server = d.url(), .token = d.token()}));
  return Run(clients, total, [&](int t, int i) {
    return cs[t]->AllocateAddress({absl::StrCat(tag, "-", i, ":eth0"), absl::StrCat("bench-", i % 4), "default", "default"}).ok();
  });
}

Result StoreRun(store::Store& s, int threads, int total, const std::string& tag) {
  return Run(threads, total, [&](int t, int i) {
    const std::string key = absl::StrCat("/bench/addresses/", tag, "-", i);
    store::Txn txn;
    txn.compares.push_back(store::Compare::Absent(key));
    txn.success.push_back(store::Op::Put(key, std::string(180, 'a')));
    txn.success.push_back(store::Op::Put(absl::StrCat("/bench/blocks/", i % 64), std::string(120, 'b')));
    auto r = s.Commit(txn);
    return r.ok() && r->succeeded;
  });
}

void Row(const char* backend, int clients, const Result& d, const Result& s) {
  std::printf("%-9s %7d %12.0f %9.2f %9.2f %12.0f %9.2f %9.2f %8.2f %6d\n", backend, clients, d.rate, d.p50_ms, d.p99_ms,
              s.rate, s.p50_ms, s.p99_ms, s.rate > 0 ? d.rate / s.rate : 0.0, d.errors + s.errors);
}

int Main(int argc, char** argv) {
  int clients = 8;
  int total = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--clients")) clients = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--allocations")) total = std::atoi(argv[i + 1]);
  }
  std::printf("romanad allocation throughput vs the store's own transaction rate (%d allocations)\n", total);
  std::printf("%-9s %7s %12s %9s %9s %12s %9s %9s %8s %6s\n", "backend", "clients", "daemon/s", "p50 ms", "p99 ms",
              "store tx/s", "p50 ms", "p99 ms", "ratio", "errors");
  base::SystemClock clock;
  for (int n : {1, clients}) {
    // Embedded: the daemon on its SQLite file; the baseline on another SQLite file.
    testing::TempDir dir;
    auto d = testing::RomanadProcess::Start({.topology_json = kTopology, .token = "bench"});
    if (!d.ok()) {
      std::fprintf(stderr, "%s\n", d.status().ToString().c_str());
      return 1;
    }
    Result dr = DaemonRun(**d, n, total, absl::StrCat("e", n));
    auto sq = store::SqliteStore::Create({.path = dir.File("baseline.db")}, clock);
    Result sr = StoreRun(**sq, n, total, absl::StrCat("e", n));
    Row("embedded", n, dr, sr);
  }
  for (int n : {1, clients}) {
    auto cluster = store::testing::EtcdCluster::Start({.members = 1});
    if (!cluster.ok()) {
      std::fprintf(stderr, "%s\n", cluster.status().ToString().c_str());
      return 1;
    }
    const std::string ep = (*cluster)->ClientEndpoint(0);
    auto d = testing::RomanadProcess::Start(
        {.topology_json = kTopology, .token = "bench", .extra_args = {"--etcd-endpoints=http://" + ep}});
    if (!d.ok()) {
      std::fprintf(stderr, "%s\n", d.status().ToString().c_str());
      return 1;
    }
    Result dr = DaemonRun(**d, n, total, absl::StrCat("x", n));
    auto es = store::EtcdStore::Create({.endpoints = {ep}});
    Result sr = StoreRun(**es, n, total, absl::StrCat("x", n));
    Row("etcd", n, dr, sr);
  }
  std::printf("ratio = daemon allocations/s / store transactions/s (1.00 = the daemon costs nothing; target >= 0.80)\n");
  return 0;
}

}  // namespace
}  // namespace romana

int main(int argc, char** argv) { return romana::Main(argc, argv); }
