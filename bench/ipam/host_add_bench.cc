// host_add_bench: host adds through IPAM and the store (IpamStore on the embedded SQLite store,
// and on the in-memory store), into ONE flat group and into 40 groups, with the group
// membership layout of docs/store-layout.md (the host record names its group) next to the old
// one, printed as a table: time per add and bytes written per add (what romanad's watch fans
// out to every agent).
//
// The old layout (group records listing every member's name and IP, rewritten on every host
// add) is no longer in the code; it is emulated here as main wrote it: the same planned add,
// plus the add's group record with its "hosts" and "host_ips" built from the whole member list,
// in the same fenced transaction.
//
//   Usage: host_add_bench [--hosts 1000,5000] [--stores sqlite,memory] [--layouts new,old] [--dir D]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/clock.h"
#include "ipam/ipam.h"
#include "ipam/ipam_store.h"
#include "nlohmann/json.hpp"
#include "store/forwarding_store.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace romana::ipam {
namespace {

using Clock = std::chrono::steady_clock;

// A store that forwards to a real one and counts the bytes (keys + values) of the puts it commits.
class CountingStore final : public store::ForwardingStore {
 public:
  explicit CountingStore(store::Store& inner) : store::ForwardingStore(inner) {}
  uint64_t put_bytes() const { return put_bytes_; }

  absl::StatusOr<store::TxnResult> Commit(const store::Txn& txn) override {
    absl::StatusOr<store::TxnResult> r = inner().Commit(txn);
    if (r.ok()) {
      for (const store::Op& op : r->succeeded ? txn.success : txn.failure) {
        if (op.kind == store::Op::Kind::kPut) put_bytes_ += op.key.size() + op.value.size();
      }
    }
    return r;
  }

 private:
  uint64_t put_bytes_ = 0;
};

// One network 10.0.0.0/8 of `groups` leaf groups without assignment labels.
TopologySpec Groups(int groups) {
  std::string map;
  for (int g = 0; g < groups; ++g) absl::StrAppend(&map, g ? "," : "", R"({"name":"rack-)", g, R"("})");
  return *ParseTopology(absl::StrCat(
      R"({"networks":[{"name":"romana-network","cidr":"10.0.0.0/8","block_mask":29}],)",
      R"("topologies":[{"networks":["romana-network"],"map":[)", map, "]}]}"));
}

AddHostRequest Host(int i) {
  return {absl::StrCat("node-", i), net::Ipv4Address(0xAC100000u + i + 1),
          {{"kubernetes.io/hostname", absl::StrCat("node-", i)}, {"topology.kubernetes.io/zone", "us-east-1a"}}};
}

struct Row {
  double total_s = 0;
  std::vector<double> us;  // per add
  uint64_t bytes = 0;      // put bytes of the adds (keys + values, the fence key included)
  double last_kib = 0;     // bytes of the last add, KiB
};

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

// The current layout: IpamStore::AddHost, one fenced transaction per add.
absl::StatusOr<Row> RunCurrent(store::Store& base, int groups, int hosts) {
  CountingStore st(base);
  absl::StatusOr<std::unique_ptr<IpamStore>> s = IpamStore::Open(st, {});
  if (!s.ok()) return s.status();
  if (absl::Status t = (*s)->SetTopology(Groups(groups)); !t.ok()) return t;
  Row row;
  const uint64_t before = st.put_bytes();
  auto start = Clock::now();
  for (int i = 0; i < hosts; ++i) {
    const uint64_t b0 = st.put_bytes();
    auto t0 = Clock::now();
    absl::StatusOr<HostRecord> h = (*s)->AddHost(Host(i));
    row.us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!h.ok()) return h.status();
    row.last_kib = (st.put_bytes() - b0) / 1024.0;
  }
  row.total_s = std::chrono::duration<double>(Clock::now() - start).count();
  row.bytes = st.put_bytes() - before;
  return row;
}

// The old layout, as main wrote it: the add's ops plus its group record listing every member's
// name and IP (sorted by name), in one transaction fenced like IpamStore's.
absl::StatusOr<Row> RunOld(store::Store& base, int groups, int hosts) {
  CountingStore st(base);
  const IpamKeys keys("/romana");
  Ipam ipam;
  if (absl::Status t = ipam.SetTopology(Groups(groups)); !t.ok()) return t;
  store::Revision fence = 0;
  int64_t transactions = 0;
  Row row;
  auto start = Clock::now();
  for (int i = 0; i < hosts; ++i) {
    const uint64_t b0 = st.put_bytes();
    auto t0 = Clock::now();
    absl::StatusOr<Planned<HostRecord>> p = ipam.PlanAddHost(Host(i));
    if (!p.ok()) return p.status();
    store::Txn txn;
    txn.compares.push_back(fence == 0 ? store::Compare::Absent(keys.Fence())
                                      : store::Compare::ModRevisionEquals(keys.Fence(), fence));
    txn.success = ChangeToOps(p->change, keys);
    for (const auto& [network, path] : p->result.groups) {
      std::vector<std::string> members = ipam.GroupHosts(network, path);
      members.insert(std::upper_bound(members.begin(), members.end(), p->result.name), p->result.name);
      std::vector<std::string> ips;
      for (const std::string& m : members) {
        ips.push_back(m == p->result.name ? p->result.ip.ToString() : ipam.GetHost(m)->ip.ToString());
      }
      nlohmann::ordered_json g = nlohmann::ordered_json::parse(ToJson(*ipam.GetGroup(network, path)));
      g["hosts"] = members;
      g["host_ips"] = ips;
      txn.success.push_back(store::Op::Put(keys.Group(network, path), g.dump()));
    }
    txn.success.push_back(store::Op::Put(keys.Fence(), std::to_string(++transactions)));
    absl::StatusOr<store::TxnResult> r = st.Commit(txn);
    if (!r.ok()) return r.status();
    if (!r->succeeded) return absl::AbortedError("lost the fence");
    fence = r->revision;
    ipam.Apply(p->change);
    row.us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    row.last_kib = (st.put_bytes() - b0) / 1024.0;
  }
  row.total_s = std::chrono::duration<double>(Clock::now() - start).count();
  row.bytes = st.put_bytes();
  return row;
}

int Main(int argc, char** argv) {
  std::vector<int> sizes = {1000, 5000};
  std::vector<std::string> stores = {"sqlite", "memory"}, layouts = {"new", "old"};
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i], v = argv[i + 1];
    if (f == "--hosts") {
      sizes.clear();
      for (absl::string_view n : absl::StrSplit(v, ',')) sizes.push_back(std::atoi(std::string(n).c_str()));
    } else if (f == "--stores") {
      stores = absl::StrSplit(v, ',');
    } else if (f == "--layouts") {
      layouts = absl::StrSplit(v, ',');
    } else if (f == "--dir") {
      dir = v;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  const std::string base = dir.empty() ? (std::filesystem::temp_directory_path() /
                                          absl::StrCat("host_add_bench.", getpid())).string()
                                       : dir;
  std::filesystem::create_directories(base);
  base::SystemClock clock;
  std::printf("| %-6s | %-6s | %6s | %5s | %9s | %9s | %9s | %12s | %14s | %10s |\n", "layout", "store", "groups",
              "hosts", "total s", "µs/add", "p99 µs", "bytes/add", "last add KiB", "total MiB");
  std::printf("|--------|--------|--------|-------|-----------|-----------|-----------|--------------|----------------|------------|\n");
  int status = 0;
  for (const std::string& store_name : stores) {
    for (int hosts : sizes) {
      for (int groups : {1, 40}) {
        for (const std::string& layout : layouts) {
          std::unique_ptr<store::Store> st;
          const std::string db = absl::StrCat(base, "/romana.db");
          std::filesystem::remove(db);
          if (store_name == "sqlite") {
            absl::StatusOr<std::unique_ptr<store::SqliteStore>> s = store::SqliteStore::Create({.path = db}, clock);
            if (!s.ok()) {
              std::fprintf(stderr, "sqlite: %s\n", s.status().ToString().c_str());
              status = 1;
              continue;
            }
            st = *std::move(s);
          } else {
            st = store::MemoryStore::Create(clock);
          }
          absl::StatusOr<Row> r = layout == "old" ? RunOld(*st, groups, hosts) : RunCurrent(*st, groups, hosts);
          st.reset();
          if (!r.ok()) {
            std::fprintf(stderr, "%s %s %d groups %d hosts: %s\n", layout.c_str(), store_name.c_str(), groups, hosts,
                         r.status().ToString().c_str());
            status = 1;
            continue;
          }
          double mean_us = r->total_s * 1e6 / hosts;
          std::printf("| %-6s | %-6s | %6d | %5d | %9.2f | %9.0f | %9.0f | %12.0f | %14.2f | %10.1f |\n", layout.c_str(),
                      store_name.c_str(), groups, hosts, r->total_s, mean_us, Pct(r->us, 0.99),
                      static_cast<double>(r->bytes) / hosts, r->last_kib, r->bytes / 1048576.0);
          std::fflush(stdout);
        }
      }
    }
  }
  if (dir.empty()) std::filesystem::remove_all(base);
  return status;
}

}  // namespace
}  // namespace romana::ipam

int main(int argc, char** argv) { return romana::ipam::Main(argc, argv); }
