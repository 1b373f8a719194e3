// watch_scale_bench: romanad with N watch streams open (issue 11, item 5; docs/romanad.md,
// "Watch streams at scale"). One real romanad on the embedded store, then one on a real etcd
// (one member, started here like store_bench does); N GET /watch streams held from this process
// by one epoll thread reading the chunked NDJSON; 16 clients allocating addresses.
//
// Phases, interleaved round by round so that load from other processes on the machine hits
// every phase alike: (a) no watch stream open, (b) N streams all reading, (c) N streams of
// which 10% do not read. Each phase allocates --allocations addresses (16 clients), then sends
// one change that is timed until every reading stream has seen it (all of the burst before it:
// "burst drained"), then --probes single changes, each timed the same way ("delivery": one change
// reaching every stream, the issue's target). Streams are
// opened before (b) and (c) (ready when their opening BOOKMARK came and one change reached every
// reading stream) and closed (reset) after.
//
// Prints per store and N: allocation p50/p99 and the p99 ratio to phase (a); delivery to every
// reading stream p50/p99/max; the burst drain p50/max; romanad's RSS and its growth per stream; romanad's fan-out CPU
// seconds per 1,000 events delivered (CPU of the phase minus that of phase (a) of the same
// round, which made the same allocations without streams). Targets at N = 5,000: p99 ratio
// <= 2, delivery p99 < 1 s, < 32 KiB per stream.
//
// Usage: watch_scale_bench [--store embedded|etcd|both] [--watchers N[,N...]] (default 5000;
//        1000 and 10000 are the other documented sizes) [--allocations M] [--probes P]
//        [--rounds R] [--romanad PATH] (another romanad binary, e.g. main's build, for a
//        side-by-side comparison; default: this build's)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/client.h"
#include "base/testing/proc_stats.h"
#include "daemon/testing/romanad_process.h"
#include "store/testing/etcd_cluster.h"

namespace romana {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.0.0.0/12", "block_mask": 27}],
  "topologies": [{"networks": ["net1"], "map": [{"name": "g1", "groups": []}]}]})";
constexpr int kAllocClients = 16;

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(static_cast<double>(v.size()) * p))];
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// N watch streams on one epoll thread. Each stream is "open" once its opening BOOKMARK came;
// each reading stream looks for the marker of the current probe; Seen() says how many found it.
class Watchers {
 public:
  Watchers(int port, int n) {
    ep_ = epoll_create1(0);
    for (int i = 0; i < n; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
        std::fprintf(stderr, "connect %d: %s\n", i, std::strerror(errno));
        close(fd);
        continue;
      }
      const std::string req = "GET /watch?kinds=addresses HTTP/1.1\r\nHost: romanad\r\n\r\n";
      if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
        close(fd);
        continue;
      }
      fds_.push_back(fd);
    }
    tails_.resize(fds_.size());
    opened_.assign(fds_.size(), 0);
    found_.assign(fds_.size(), 0);
    for (size_t i = 0; i < fds_.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      epoll_ctl(ep_, EPOLL_CTL_ADD, fds_[i], &ev);
    }
    thread_ = std::thread([this] { Loop(); });
  }
  // Resets every connection (no TIME_WAIT left behind: rounds reopen thousands).
  ~Watchers() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) {
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
      close(fd);
    }
    close(ep_);
  }
  size_t size() const { return fds_.size(); }
  size_t Open() const { return open_; }
  // The first `k` streams stop being read (their data stays in the socket and romanad's buffer).
  void StopReading(size_t k) {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < k && i < fds_.size(); ++i) epoll_ctl(ep_, EPOLL_CTL_DEL, fds_[i], nullptr);
    ignored_ = k;
  }
  void Expect(const std::string& marker) {
    std::lock_guard lock(mu_);
    marker_ = marker;
    seen_ = 0;
    std::fill(found_.begin(), found_.end(), 0);
  }
  size_t Seen() const { return seen_; }
  size_t Reading() const { return fds_.size() - ignored_; }
  uint64_t closed() const { return closed_; }

 private:
  static bool Contains(const std::string& tail, const char* data, size_t n, const std::string& what) {
    std::string hay = tail;
    hay.append(data, std::min(n, what.size() + 64));
    if (hay.find(what) != std::string::npos) return true;
    return memmem(data, n, what.data(), what.size()) != nullptr;
  }

  void Loop() {
    std::vector<epoll_event> evs(1024);
    std::vector<char> buf(1 << 16);
    while (!stop_) {
      int n = epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), 50);
      std::lock_guard lock(mu_);
      for (int k = 0; k < n; ++k) {
        size_t i = evs[k].data.u64;
        ssize_t r = read(fds_[i], buf.data(), buf.size());
        if (r <= 0) {
          epoll_ctl(ep_, EPOLL_CTL_DEL, fds_[i], nullptr);
          ++closed_;
          continue;
        }
        const size_t got = static_cast<size_t>(r);
        if (!opened_[i] && Contains(tails_[i], buf.data(), got, "BOOKMARK")) {
          opened_[i] = 1;
          ++open_;
        }
        if (!marker_.empty() && !found_[i] && Contains(tails_[i], buf.data(), got, marker_)) {
          found_[i] = 1;
          ++seen_;
        }
        const size_t keep = std::min<size_t>(got, 64);
        tails_[i].assign(buf.data() + got - keep, keep);
      }
    }
  }

  int ep_ = -1;
  std::vector<int> fds_;
  std::mutex mu_;
  std::vector<std::string> tails_;  // the last bytes of each stream (a marker may span reads)
  std::vector<char> opened_;
  std::vector<char> found_;
  std::string marker_;
  std::atomic<size_t> open_{0};
  std::atomic<size_t> seen_{0};
  std::atomic<uint64_t> closed_{0};
  size_t ignored_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct Phase {
  std::vector<double> alloc_ms;
  std::vector<double> deliver_ms;
  std::vector<double> drain_ms;  // the change right after the allocations: the burst drained
  double cpu_s = 0;        // romanad CPU during the allocations and probes
  double events = 0;       // events delivered (changes x reading streams)
  double cpu_over_a = 0;   // cpu_s minus phase (a)'s of the same round
  long rss = 0;            // at the end of the phase
  double bytes_per_stream = 0;
  int errors = 0;
};

class Bench {
 public:
  Bench(testing::RomanadProcess& d, int allocations, int probes) : d_(d), allocations_(allocations), probes_(probes) {
    for (int t = 0; t < kAllocClients; ++t) {
      clients_.push_back(*api::Client::Create({.server = d.url(), .timeout = std::chrono::seconds(30)}));
    }
  }

  // One phase: `n` streams (0 = none), of which `not_reading` are not read.
  absl::StatusOr<Phase> Run(size_t n, size_t not_reading, const std::string& tag) {
    Phase p;
    if (absl::Status s = WaitStreams(0); !s.ok()) return s;
    const long rss_before = testing::RssBytes(d_.pid());
    std::unique_ptr<Watchers> w;
    if (n > 0) {
      w = std::make_unique<Watchers>(d_.port(), static_cast<int>(n));
      const auto deadline = Clock::now() + std::chrono::seconds(60);
      while (w->Open() < w->size() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (w->Open() < n) return absl::UnavailableError(absl::StrCat(w->Open(), " of ", n, " streams opened"));
      p.bytes_per_stream = static_cast<double>(testing::RssBytes(d_.pid()) - rss_before) / static_cast<double>(n);
      w->StopReading(not_reading);
      // Steady state: one change reaches every reading stream before the phase is measured (the
      // streams' opening work in romanad is done).
      int ignored = 0;
      (void)Deliveries(*w, tag + "-settle", &ignored, 1);
    }
    const double cpu0 = testing::CpuSeconds(d_.pid());
    const auto alloc_start = Clock::now();
    p.alloc_ms = Allocate(tag, &p.errors);
    if (getenv("WATCH_SCALE_DEBUG") != nullptr) {
      std::vector<double> v = p.alloc_ms;
      std::sort(v.rbegin(), v.rend());
      std::string top;
      for (size_t i = 0; i < std::min<size_t>(12, v.size()); ++i) absl::StrAppend(&top, static_cast<int>(v[i]), " ");
      std::fprintf(stderr, "%s: %.0f ms for the allocations; slowest: %s\n", tag.c_str(), Ms(Clock::now() - alloc_start),
                   top.c_str());
      absl::StatusOr<api::RawResponse> m = d_.client().Do("GET", "/metrics");
      if (m.ok()) {
        for (absl::string_view line : absl::StrSplit(m->body, '\n')) {
          if (absl::StrContains(line, "route=\"address\"") &&
              (absl::StrContains(line, "le=\"0.1\"") || absl::StrContains(line, "le=\"1\"") ||
               absl::StrContains(line, "_sum") || absl::StrContains(line, "_count"))) {
            std::fprintf(stderr, "  %s\n", std::string(line).c_str());
          }
        }
      }
    }
    if (w) {
      p.drain_ms = Deliveries(*w, tag + "-drain", &p.errors, 1);
      p.deliver_ms = Deliveries(*w, tag, &p.errors);
    }
    if (w && getenv("WATCH_SCALE_DEBUG") != nullptr) {
      std::string d;
      for (double x : p.deliver_ms) absl::StrAppend(&d, static_cast<int>(x), " ");
      std::fprintf(stderr, "%s: burst drained in %.0f ms; deliveries ms: %s\n", tag.c_str(),
                   p.drain_ms.empty() ? 0.0 : p.drain_ms[0], d.c_str());
    }
    p.cpu_s = testing::CpuSeconds(d_.pid()) - cpu0;
    p.rss = testing::RssBytes(d_.pid());
    if (w) {
      p.events = static_cast<double>(p.alloc_ms.size() + p.drain_ms.size() + p.deliver_ms.size()) *
                 static_cast<double>(w->Reading());
      if (w->closed() > 0) std::fprintf(stderr, "%s: romanad closed %lu streams\n", tag.c_str(), w->closed());
    }
    return p;
  }

 private:
  // Waits until romanad reports `n` open watch streams (closed streams are gone).
  absl::Status WaitStreams(size_t n) {
    const std::string want = absl::StrCat("romanad_watch_streams ", n, "\n");
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      absl::StatusOr<api::RawResponse> m = d_.client().Do("GET", "/metrics");
      if (m.ok() && m->body.find(want) != std::string::npos) return absl::OkStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return absl::DeadlineExceededError(absl::StrCat("romanad did not get to ", n, " watch streams"));
  }

  // kAllocClients clients allocate allocations_ addresses; the latencies (ms).
  std::vector<double> Allocate(const std::string& tag, int* errors) {
    std::vector<double> lat;
    std::mutex mu;
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < kAllocClients; ++t) {
      ts.emplace_back([&, t] {
        std::vector<double> mine;
        for (int i; (i = next++) < allocations_;) {
          const auto s = Clock::now();
          auto a = clients_[t]->AllocateAddress({absl::StrCat(tag, "-", i, ":eth0"), "node-1", "", ""});
          if (!a.ok()) {
            if (failed++ == 0) std::fprintf(stderr, "allocation: %s\n", a.status().ToString().c_str());
            continue;
          }
          mine.push_back(Ms(Clock::now() - s));
        }
        std::lock_guard lock(mu);
        lat.insert(lat.end(), mine.begin(), mine.end());
      });
    }
    for (auto& t : ts) t.join();
    *errors += failed;
    return lat;
  }

  // One change at a time; the time until every reading stream saw it.
  std::vector<double> Deliveries(Watchers& w, const std::string& tag, int* errors, int probes = -1) {
    std::vector<double> out;
    for (int r = 0; r < (probes < 0 ? probes_ : probes); ++r) {
      const std::string name = absl::StrCat(tag, "-probe-", r, ":eth0");
      w.Expect("\"" + name + "\"");
      const auto s = Clock::now();
      if (!d_.client().AllocateAddress({name, "node-1", "", ""}).ok()) {
        ++*errors;
        continue;
      }
      while (w.Seen() < w.Reading() && Clock::now() - s < std::chrono::seconds(30)) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      if (w.Seen() < w.Reading()) ++*errors;
      out.push_back(Ms(Clock::now() - s));
    }
    return out;
  }

  testing::RomanadProcess& d_;
  const int allocations_;
  const int probes_;
  std::vector<std::unique_ptr<api::Client>> clients_;
};

struct Options {
  std::vector<std::string> stores = {"embedded", "etcd"};
  std::vector<size_t> watchers = {5000};
  int allocations = 400;
  int probes = 5;
  int rounds = 5;
  std::string romanad;  // empty: this build's
};

void Merge(Phase& into, const Phase& p) {
  into.alloc_ms.insert(into.alloc_ms.end(), p.alloc_ms.begin(), p.alloc_ms.end());
  into.deliver_ms.insert(into.deliver_ms.end(), p.deliver_ms.begin(), p.deliver_ms.end());
  into.drain_ms.insert(into.drain_ms.end(), p.drain_ms.begin(), p.drain_ms.end());
  into.cpu_s += p.cpu_s;
  into.cpu_over_a += p.cpu_over_a;
  into.events += p.events;
  into.rss = std::max(into.rss, p.rss);
  into.bytes_per_stream = std::max(into.bytes_per_stream, p.bytes_per_stream);
  into.errors += p.errors;
}

void Row(const std::string& store, size_t n, const char* label, const Phase& p, const Phase& base, bool streams) {
  const double ratio = Pct(p.alloc_ms, 0.99) / std::max(0.001, Pct(base.alloc_ms, 0.99));
  if (!streams) {
    std::printf("| %s | %zu | %s | %.1f | %.1f | 1.00 | – | – | – | – | %.1f | – | – | %d |\n", store.c_str(), n, label,
                Pct(p.alloc_ms, 0.5), Pct(p.alloc_ms, 0.99), static_cast<double>(p.rss) / 1048576.0, p.errors);
    return;
  }
  std::printf("| %s | %zu | %s | %.1f | %.1f | %.2f | %.0f | %.0f | %.0f | %.0f / %.0f | %.1f | %.0f | %.4f | %d |\n",
              store.c_str(), n, label, Pct(p.alloc_ms, 0.5), Pct(p.alloc_ms, 0.99), ratio, Pct(p.deliver_ms, 0.5),
              Pct(p.deliver_ms, 0.99), Pct(p.deliver_ms, 1.0), Pct(p.drain_ms, 0.5), Pct(p.drain_ms, 1.0),
              static_cast<double>(p.rss) / 1048576.0,
              p.bytes_per_stream, p.events > 0 ? std::max(0.0, p.cpu_over_a) / p.events * 1000 : 0.0, p.errors);
}

absl::Status RunStore(const std::string& store, const Options& o, bool* met) {
  std::unique_ptr<store::testing::EtcdCluster> etcd;
  testing::RomanadOptions ro{
      .topology_json = kTopology, .extra_args = {"--max-connections=30000"}, .binary = o.romanad};
  if (store == "etcd") {
    auto cluster = store::testing::EtcdCluster::Start({.members = 1});
    if (!cluster.ok()) return cluster.status();
    etcd = *std::move(cluster);
    ro.extra_args.push_back("--etcd-endpoints=http://" + etcd->ClientEndpoint(0));
  }
  auto d = testing::RomanadProcess::Start(ro);
  if (!d.ok()) return d.status();
  if (absl::Status s = (*d)->client().AddHost({"node-1", "192.168.80.1", {}}).status(); !s.ok()) return s;
  Bench bench(**d, o.allocations, o.probes);
  if (absl::StatusOr<Phase> warm = bench.Run(0, 0, store + "-warm"); !warm.ok()) return warm.status();
  for (size_t n : o.watchers) {
    Phase a, b, c;
    for (int r = 0; r < o.rounds; ++r) {
      const std::string tag = absl::StrCat(store, "-", n, "-", r);
      absl::StatusOr<Phase> pa = bench.Run(0, 0, tag + "-a");
      if (!pa.ok()) return pa.status();
      absl::StatusOr<Phase> pb = bench.Run(n, 0, tag + "-b");
      if (!pb.ok()) return pb.status();
      absl::StatusOr<Phase> pc = bench.Run(n, n / 10, tag + "-c");
      if (!pc.ok()) return pc.status();
      pb->cpu_over_a = pb->cpu_s - pa->cpu_s;
      pc->cpu_over_a = pc->cpu_s - pa->cpu_s;
      Merge(a, *pa);
      Merge(b, *pb);
      Merge(c, *pc);
    }
    Row(store, n, "no streams", a, a, false);
    Row(store, n, "all reading", b, a, true);
    Row(store, n, "10% not reading", c, a, true);
    std::fflush(stdout);
    if (n == 5000) {
      const double ratio = Pct(b.alloc_ms, 0.99) / std::max(0.001, Pct(a.alloc_ms, 0.99));
      const double ratio_c = Pct(c.alloc_ms, 0.99) / std::max(0.001, Pct(a.alloc_ms, 0.99));
      *met = *met && ratio <= 2 && ratio_c <= 2 && Pct(b.deliver_ms, 0.99) < 1000 && Pct(c.deliver_ms, 0.99) < 1000 &&
             b.bytes_per_stream < 32 * 1024 && b.errors == 0 && c.errors == 0;
    }
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--store") {
      o.stores = value == "both" ? std::vector<std::string>{"embedded", "etcd"} : std::vector<std::string>{value};
    } else if (flag == "--watchers") {
      o.watchers.clear();
      for (absl::string_view v : absl::StrSplit(value, ',')) {
        size_t n = 0;
        if (!absl::SimpleAtoi(v, &n) || n == 0) {
          std::fprintf(stderr, "--watchers: \"%s\" is not a positive number\n", std::string(v).c_str());
          return 2;
        }
        o.watchers.push_back(n);
      }
    } else if (flag == "--allocations") {
      o.allocations = std::atoi(value.c_str());
    } else if (flag == "--probes") {
      o.probes = std::atoi(value.c_str());
    } else if (flag == "--rounds") {
      o.rounds = std::atoi(value.c_str());
    } else if (flag == "--romanad") {
      o.romanad = value;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  for (const std::string& s : o.stores) {
    if (s != "embedded" && s != "etcd") {
      std::fprintf(stderr, "--store: \"%s\": use embedded, etcd or both\n", s.c_str());
      return 2;
    }
  }
  // Every stream is a socket here and in romanad (a child: it inherits the limit).
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  double load[3] = {0, 0, 0};
  (void)getloadavg(load, 3);
  std::printf("watch_scale_bench: %d rounds of interleaved phases; each phase %d allocations by %d clients, then 1 "
              "drain probe and %d probes; %u cores shared with this process's stream reader and clients; load average %.1f at start; romanad "
              "%s\n",
              o.rounds, o.allocations, kAllocClients, o.probes, std::thread::hardware_concurrency(), load[0],
              o.romanad.empty() ? "of this build" : o.romanad.c_str());
  std::printf("| store | streams | case | alloc p50 ms | alloc p99 ms | p99 ratio | delivery p50 ms | p99 ms | max ms | "
              "burst drained p50 / max ms | RSS MiB | bytes/stream | fan-out CPU s / 1k events | errors |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  bool met = true;
  bool ran_5000 = false;
  for (const std::string& s : o.stores) {
    if (absl::Status st = RunStore(s, o, &met); !st.ok()) {
      std::fprintf(stderr, "%s: %s\n", s.c_str(), st.ToString().c_str());
      return 1;
    }
  }
  (void)getloadavg(load, 3);
  std::printf("load average at the end: %.1f %.1f %.1f\n", load[0], load[1], load[2]);
  for (size_t n : o.watchers) ran_5000 = ran_5000 || n == 5000;
  if (ran_5000) {
    std::printf("targets at 5000 streams (p99 ratio <= 2, delivery p99 < 1000 ms, < 32768 bytes/stream, no errors): "
                "%s\n",
                met ? "met" : "NOT met");
  }
  return 0;
}

}  // namespace
}  // namespace romana

int main(int argc, char** argv) { return romana::Main(argc, argv); }
