// store_bench: put-if-absent transactions (Compare::Absent + Put, a new key each time) per
// second and their p50/p99 latency, through the Store interface, for the embedded SQLite store
// and for etcd, side by side with etcd's own figure for the same workload: the same Txn sent
// with the raw generated gRPC stub, without our client layer. The ratio column shows what our
// layers cost. It starts its own single-member etcd (EtcdCluster) on loopback and keeps its
// files in a temporary directory.
//
//   build/<dir>/bench/store/store_bench [--ops 2000] [--clients 1,8]
//
// Build without sanitizers for meaningful numbers (see docs/store.md).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/clock.h"
#include "base/testing/test_env.h"
#include "etcdpb/rpc.grpc.pb.h"
#include "store/etcd_store.h"
#include "store/sqlite_store.h"
#include "store/testing/etcd_cluster.h"

namespace {

using Clock = std::chrono::steady_clock;
using romana::store::Compare;
using romana::store::Op;

struct Result {
  std::string name;
  int clients = 0;
  int64_t ops = 0;
  int64_t errors = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double tps() const { return seconds > 0 ? ops / seconds : 0; }
};

// Runs `ops` calls of `one(client, i)` split over `clients` threads; one(...) returns success.
Result Run(const std::string& name, int clients, int ops,
           const std::function<bool(int client, int i)>& one) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<int64_t> errors{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = c; i < ops; i += clients) {
        const auto t0 = Clock::now();
        if (!one(c, i)) ++errors;
        latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  Result r{name, clients, ops, errors.load()};
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  if (!all.empty()) {
    r.p50_ms = all[all.size() / 2];
    r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return r;
}

// One put-if-absent through the Store interface.
bool StorePutIfAbsent(romana::store::Store& store, const std::string& key) {
  auto r = store.Commit({.compares = {Compare::Absent(key)}, .success = {Op::Put(key, "value")}});
  return r.ok() && r->succeeded;
}

// The same transaction with the raw generated stub.
bool RawPutIfAbsent(etcdserverpb::KV::Stub& kv, const std::string& key) {
  etcdserverpb::TxnRequest request;
  auto* compare = request.add_compare();
  compare->set_key(key);
  compare->set_target(etcdserverpb::Compare::VERSION);
  compare->set_result(etcdserverpb::Compare::EQUAL);
  compare->set_version(0);
  auto* put = request.add_success()->mutable_request_put();
  put->set_key(key);
  put->set_value("value");
  etcdserverpb::TxnResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return kv.Txn(&context, request, &response).ok() && response.succeeded();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Put-if-absent transactions per second and latency: SQLite vs etcd vs raw etcd"};
  int ops = 2000;
  std::string clients_flag = "1,8";
  app.add_option("--ops", ops, "transactions per measurement")->check(CLI::PositiveNumber);
  app.add_option("--clients", clients_flag, "comma-separated client thread counts to measure");
  CLI11_PARSE(app, argc, argv);
  std::vector<int> client_counts;
  for (absl::string_view c : absl::StrSplit(clients_flag, ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(c, &n) || n < 1) {
      std::fprintf(stderr, "--clients: \"%s\" is not a positive number\n", std::string(c).c_str());
      return 2;
    }
    client_counts.push_back(n);
  }

  romana::testing::TempDir dir;
  romana::base::SystemClock clock;
  auto sqlite = romana::store::SqliteStore::Create({.path = dir.File("bench.db")}, clock);
  if (!sqlite.ok()) {
    std::fprintf(stderr, "sqlite: %s\n", sqlite.status().ToString().c_str());
    return 1;
  }
  auto cluster = romana::store::testing::EtcdCluster::Start({.members = 1});
  if (!cluster.ok()) {
    std::fprintf(stderr, "etcd: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  auto etcd = romana::store::EtcdStore::Create({.endpoints = (*cluster)->ClientEndpoints()});
  if (!etcd.ok()) {
    std::fprintf(stderr, "etcd store: %s\n", etcd.status().ToString().c_str());
    return 1;
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel((*cluster)->ClientEndpoint(0),
                                           grpc::InsecureChannelCredentials(), args);
  auto raw = etcdserverpb::KV::NewStub(channel);

  std::printf("store_bench: %d put-if-absent transactions per row (Compare::Absent + Put, new key"
              " each), one etcd member on 127.0.0.1, SQLite in %s\n\n", ops,
              dir.path().c_str());
  std::printf("%-22s %7s %7s %10s %9s %9s %7s  %s\n", "backend", "clients", "errors", "txn/s",
              "p50 ms", "p99 ms", "ratio", "ratio = txn/s / raw etcd txn/s (same clients)");
  int round = 0;
  for (int clients : client_counts) {
    ++round;
    auto key = [&](const char* who, int i) { return absl::StrCat("/bench/", round, "/", who, "/", i); };
    // Warm-up: connections and statement caches.
    StorePutIfAbsent(**etcd, key("warm", 0));
    RawPutIfAbsent(*raw, key("warm", 1));
    Result raw_result = Run("etcd raw gRPC Txn", clients, ops,
                            [&](int, int i) { return RawPutIfAbsent(*raw, key("raw", i)); });
    Result etcd_result = Run("etcd via EtcdStore", clients, ops,
                             [&](int, int i) { return StorePutIfAbsent(**etcd, key("etcd", i)); });
    Result sqlite_result = Run("embedded SqliteStore", clients, ops,
                               [&](int, int i) { return StorePutIfAbsent(**sqlite, key("sqlite", i)); });
    for (const Result& r : {raw_result, etcd_result, sqlite_result}) {
      std::printf("%-22s %7d %7lld %10.0f %9.3f %9.3f %7.2f\n", r.name.c_str(), r.clients,
                  static_cast<long long>(r.errors), r.tps(), r.p50_ms, r.p99_ms,
                  raw_result.tps() > 0 ? r.tps() / raw_result.tps() : 0.0);
    }
  }
  std::printf("\nEtcdStore overhead = 1 - ratio of 'etcd via EtcdStore'. SQLite commits with "
              "synchronous=FULL (an fsync per transaction), etcd with its own WAL fsync.\n");
  return 0;
}
