// watch_scale_bench: romanad with N watch streams open (issue 11, item 5). One real romanad
// (embedded store); N GET /watch streams held from this process by one epoll thread reading
// the chunked NDJSON; 16 clients allocating addresses. Prints allocation p50/p99 with 0 and N
// watchers (and the ratio), the time for one change to reach every reading watcher
// (p50/p99/max over rounds), romanad's RSS and bytes per watcher, romanad CPU seconds per 1,000
// events delivered; then the same with 10% of the watchers not reading.
// Targets at N = 5,000: p99 ratio <= 2, delivery p99 < 1 s, < 32 KiB per watcher.
//
// Usage: watch_scale_bench [--watchers N] [--allocations M] [--rounds R]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "daemon/testing/romanad_process.h"

namespace romana {
namespace {

constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.0.0.0/12", "block_mask": 27}],
  "topologies": [{"networks": ["net1"], "map": [{"name": "g1", "groups": []}]}]})";

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(v.size() * p))];
}

// romanad's resident set (bytes) and CPU seconds (user + system) from /proc.
long RssBytes(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string key;
  long kb = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> kb;
      break;
    }
  }
  return kb * 1024;
}
double CpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> f;
  size_t p = s.rfind(')');
  std::string rest = s.substr(p + 2);
  size_t start = 0;
  while (start < rest.size()) {
    size_t e = rest.find(' ', start);
    if (e == std::string::npos) e = rest.size();
    f.push_back(rest.substr(start, e - start));
    start = e + 1;
  }
  // Fields after the name: state(0) ... utime(11) stime(12).
  return (std::stod(f[11]) + std::stod(f[12])) / sysconf(_SC_CLK_TCK);
}

// N watch streams on one epoll thread. Each reading stream looks for the marker of the current
// round; Seen() says how many found it.
class Watchers {
 public:
  Watchers(int port, int n) {
    ep_ = epoll_create1(0);
    for (int i = 0; i < n; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
        std::fprintf(stderr, "connect %d: %s\n", i, std::strerror(errno));
        close(fd);
        continue;
      }
      std::string req = "GET /watch?kinds=addresses HTTP/1.1\r\nHost: romanad\r\n\r\n";
      (void)!write(fd, req.data(), req.size());
      fds_.push_back(fd);
    }
    tails_.resize(fds_.size());
    found_.assign(fds_.size(), 0);
    for (size_t i = 0; i < fds_.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      epoll_ctl(ep_, EPOLL_CTL_ADD, fds_[i], &ev);
    }
    thread_ = std::thread([this] { Loop(); });
  }
  ~Watchers() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) close(fd);
    close(ep_);
  }
  size_t size() const { return fds_.size(); }
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
  uint64_t bytes() const { return bytes_; }

 private:
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
          continue;
        }
        bytes_ += r;
        if (marker_.empty() || found_[i]) continue;
        std::string hay = tails_[i] + std::string(buf.data(), r);
        if (hay.find(marker_) != std::string::npos) {
          found_[i] = 1;
          ++seen_;
        }
        tails_[i] = hay.substr(hay.size() > 64 ? hay.size() - 64 : 0);
      }
    }
  }

  int ep_ = -1;
  std::vector<int> fds_;
  std::mutex mu_;
  std::vector<std::string> tails_;
  std::vector<char> found_;
  std::string marker_;
  std::atomic<size_t> seen_{0};
  std::atomic<uint64_t> bytes_{0};
  size_t ignored_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// 16 clients allocate `total` addresses; returns the latencies (ms).
std::vector<double> Allocate(testing::RomanadProcess& d, int total, const std::string& tag) {
  std::vector<double> lat;
  std::mutex mu;
  std::atomic<int> next{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 16; ++t) {
    ts.emplace_back([&, t] {
      auto c = api::Client::Create({.server = absl::StrCat("http://127.0.0.1:", d.port())});
      std::vector<double> mine;
      for (int i; (i = next++) < total;) {
        const auto s = std::chrono::steady_clock::now();
        auto a = (*c)->AllocateAddress({absl::StrCat(tag, "-", i, ":eth0"), "node-1", "", ""});
        if (!a.ok()) continue;
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
      }
      std::lock_guard lock(mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : ts) t.join();
  return lat;
}

// One change per round; the time until every reading watcher saw it.
std::vector<double> Deliveries(testing::RomanadProcess& d, Watchers& w, int rounds, const std::string& tag) {
  std::vector<double> out;
  for (int r = 0; r < rounds; ++r) {
    const std::string name = absl::StrCat(tag, "-probe-", r, ":eth0");
    w.Expect("\"" + name + "\"");
    const auto s = std::chrono::steady_clock::now();
    if (!d.client().AllocateAddress({name, "node-1", "", ""}).ok()) continue;
    while (w.Seen() < w.Reading() && std::chrono::steady_clock::now() - s < std::chrono::seconds(30)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    out.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
  }
  return out;
}

int Main(int argc, char** argv) {
  int watchers = 5000, allocations = 2000, rounds = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--watchers")) watchers = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--allocations")) allocations = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
  }
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  auto d = testing::RomanadProcess::Start({.topology_json = kTopology});
  if (!d.ok()) {
    std::fprintf(stderr, "romanad: %s\n", d.status().ToString().c_str());
    return 1;
  }
  if (!(*d)->client().AddHost({"node-1", "192.168.80.1", {}}).ok()) return 1;
  const pid_t pid = (*d)->pid();
  std::vector<double> base = Allocate(**d, allocations, "base");
  const long rss0 = RssBytes(pid);

  Watchers w((*d)->port(), watchers);
  while (w.bytes() < w.size() * 40) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // opening bookmarks
  const long rss1 = RssBytes(pid);
  const double cpu0 = CpuSeconds(pid);
  std::vector<double> loaded = Allocate(**d, allocations, "loaded");
  std::vector<double> deliver = Deliveries(**d, w, rounds, "all");
  const double cpu1 = CpuSeconds(pid);
  const double events = static_cast<double>(allocations + rounds) * w.size();

  w.StopReading(w.size() / 10);
  std::vector<double> loaded_slow = Allocate(**d, allocations, "slow");
  std::vector<double> deliver_slow = Deliveries(**d, w, rounds, "slow");
  const double cpu2 = CpuSeconds(pid);
  const double events_slow = static_cast<double>(allocations + rounds) * w.Reading();
  const long rss2 = RssBytes(pid);

  std::printf("watch_scale_bench: romanad (embedded store), %zu watch streams, 16 allocating clients, %d allocations\n",
              w.size(), allocations);
  std::printf("| case | alloc p50 ms | alloc p99 ms | p99 ratio | delivery p50 ms | p99 ms | max ms | RSS MiB | bytes/watcher | CPU s / 1k events |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  std::printf("| 0 watchers | %.2f | %.2f | 1.00 | – | – | – | %.1f | – | – |\n", Pct(base, 0.5), Pct(base, 0.99),
              rss0 / 1048576.0);
  std::printf("| %zu watchers | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f | %.0f | %.4f |\n", w.size(),
              Pct(loaded, 0.5), Pct(loaded, 0.99), Pct(loaded, 0.99) / std::max(0.001, Pct(base, 0.99)),
              Pct(deliver, 0.5), Pct(deliver, 0.99), Pct(deliver, 1.0), rss1 / 1048576.0,
              static_cast<double>(rss1 - rss0) / std::max<size_t>(1, w.size()), (cpu1 - cpu0) / events * 1000);
  std::printf("| %zu watchers, 10%% not reading | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f | %.0f | %.4f |\n",
              w.size(), Pct(loaded_slow, 0.5), Pct(loaded_slow, 0.99),
              Pct(loaded_slow, 0.99) / std::max(0.001, Pct(base, 0.99)), Pct(deliver_slow, 0.5),
              Pct(deliver_slow, 0.99), Pct(deliver_slow, 1.0), rss2 / 1048576.0,
              static_cast<double>(rss2 - rss0) / std::max<size_t>(1, w.size()), (cpu2 - cpu1) / events_slow * 1000);
  return 0;
}

}  // namespace
}  // namespace romana

int main(int argc, char** argv) { return romana::Main(argc, argv); }
