// daemon.h: romanad assembled from its parts: the store (embedded SQLite, in-memory, or etcd),
// leadership (sole leader, or a lease election on etcd), the IPAM service with the initial
// topology, and the REST server. apps/romanad/main.cc parses flags into a DaemonConfig and
// calls Daemon::Start.
//
// Thread-safety: Start and Shutdown from the main thread.
#ifndef ROMANA_DAEMON_DAEMON_H_
#define ROMANA_DAEMON_DAEMON_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/clock.h"

namespace romana::daemon {

inline constexpr char kVersion[] = "0.1.0";

struct DaemonConfig {
  std::string listen = ":9600";        // [host]:port
  std::string advertise_url;           // HA; default http(s)://<hostname>:<port>
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string token_file;
  bool auth_reads = false;
  std::string store_path = "/var/lib/romana/romana.db";  // ":memory:" = in memory
  std::string etcd_endpoints;          // comma list; non-empty selects etcd + HA
  std::string prefix = "/romana";
  std::string etcd_ca_file;
  std::string etcd_cert_file;
  std::string etcd_key_file;
  std::string initial_network_file;
  std::string network_cidr_overrides;
  std::string cloud;                   // "" | "aws"
  std::string kubernetes_service_host; // from the environment
  std::chrono::seconds lease_ttl{5};
  std::chrono::milliseconds bookmark_interval{5000};
  size_t max_body_bytes = 1 << 20;
  std::string leader_ca_file;          // verifies an https leader when forwarding writes
  size_t watch_cache_events = 100000;  // the watch cache's event window (docs/romanad.md)
  size_t watch_cache_bytes = size_t{64} << 20;
  int http_threads = 64;               // worker threads for handlers (blocking work)
  int io_threads = 0;                  // connection threads; 0 = hardware threads
  int watch_stream_nice = 5;           // added to the watch streams' io threads' nice value
  size_t max_connections = 10000;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds idle_timeout{30000};
};

class Daemon {
 public:
  // Opens the store, starts leadership, selects the initial topology and starts serving.
  // Errors: InvalidArgument (bad configuration: exit 2), FailedPrecondition/Internal from the
  // store (exit 3), Unavailable when the address cannot be bound (exit 4).
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(const DaemonConfig& config, const base::Clock& clock);
  virtual ~Daemon() = default;
  // Stops serving, resigns leadership (so another replica takes over at once), closes the store.
  virtual void Shutdown() = 0;
};

// The process exit code for a Start() error (see above).
int ExitCodeFor(const absl::Status& status);

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_DAEMON_H_
