// server.h: romanad's REST API server (docs/api.md) on the project's event-driven HTTP server
// (http_server/http_server.h; docs/romanad.md, "Server").
//
// Request pipeline, in order: metrics; auth (mutations always need the bearer token when one
// is configured, reads only with auth_reads; /healthz, /readyz, /metrics, /version are open);
// on a follower, mutations are forwarded to the leader (docs/romanad.md, "HA"); content type
// (POST/PUT bodies must be application/json, else 415); body size (413 above
// max_body_bytes); JSON parse (400); the handler; errors become {"error": {...}} bodies
// (http_error.h). Handlers run on a bounded pool of worker threads (they block on the store,
// the IPAM group commit, the leader), never on the io threads: the answer is sent only after
// the work finished, and no work continues after the answer. Watch streams hold no thread:
// each is a watch cache cursor driven by the cache's wakeups on the server's stream io threads
// (apart from the request io threads, at watch_stream_nice; watch_route.cc).
//
// Every object is one store key. Reads (lists, gets, GET /snapshot) and watch streams are
// served from the server's WatchCache (watch_cache.h): one store watch per replica, lists from
// memory at one revision, filtered lists from indexes, every watch stream a cursor into one
// bounded event window. A read waits until the cache holds every write this replica committed
// or relayed (read-your-writes through one replica), and `?revision=N` asks for at least N.
// Writes go through a FencedStore, so only the leader writes; each is one store transaction
// guarded by compares, so they run concurrently (IPAM mutations are batched by the
// IpamService's group commit). Write answers carry the header X-Romana-Revision: a revision
// that includes the write (a follower relaying the answer makes its own reads wait for it).
//
// Thread-safety: Start/Stop from one thread; handlers run on the server's worker threads.
#ifndef ROMANA_DAEMON_SERVER_H_
#define ROMANA_DAEMON_SERVER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/vip.h"
#include "base/clock.h"
#include "daemon/auth.h"
#include "daemon/fenced_store.h"
#include "daemon/ipam_service.h"
#include "daemon/keys.h"
#include "daemon/leadership.h"
#include "daemon/watch_cache.h"
#include "nlohmann/json.hpp"
#include "store/store.h"

namespace romana::http_server {
class HttpServer;
class Responder;
struct Request;
struct Response;
}  // namespace romana::http_server

namespace romana::http {
class CurlClient;
}  // namespace romana::http

namespace prometheus {
class Registry;
}

namespace romana::daemon {

struct ServerOptions {
  std::string host = "127.0.0.1";  // listen address
  int port = 9600;                 // 0 = any free port (see Server::port())
  std::string tls_cert_file;       // both set = HTTPS
  std::string tls_key_file;
  std::optional<TokenAuth> auth;   // nullopt = no authentication
  bool auth_reads = false;         // reads need the token too
  std::string prefix = "/romana";
  size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds bookmark_interval{5000};  // watch heartbeat (clients may ask for less)
  int threads = 64;                 // worker threads running handlers (blocking work) at once
  int io_threads = 0;               // threads serving the connections; 0 = hardware threads
  // Watch streams are written by their own io threads (as many as io_threads) at this nice
  // value above the process's (0-19): under CPU contention API requests run first.
  int watch_stream_nice = 5;
  size_t max_connections = 10000;   // open connections; beyond: 503 and close
  std::chrono::milliseconds header_timeout{10000};  // a request's header must arrive within
  std::chrono::milliseconds idle_timeout{30000};    // idle keep-alive connections close after
  size_t watch_cache_events = 100000;        // the watch cache's event window (WatchCacheOptions)
  size_t watch_cache_bytes = size_t{64} << 20;
  std::chrono::milliseconds forward_timeout{10000};   // follower -> leader
  // CA bundle (PEM) that verifies the leader's certificate when the leader serves HTTPS. Without
  // it a follower refuses to forward writes to an https leader (503 naming --leader-ca-file)
  // rather than send a client's token to a server it cannot verify.
  std::string leader_ca_file;
  std::string version = "0.1.0";
};

class Server {
 public:
  // `store`, `leadership`, `clock`, `registry` and `ipam` must outlive the server. `ipam` may
  // be nullptr (IPAM routes then answer 503).
  static absl::StatusOr<std::unique_ptr<Server>> Create(ServerOptions options, store::Store& store,
                                                        Leadership& leadership, const base::Clock& clock,
                                                        prometheus::Registry& registry, IpamService* ipam);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and serves on a background thread. Errors: Unavailable when the address cannot be bound.
  absl::Status Start();
  // The bound port (after Start).
  // InvalidArgument naming `what` when a name taken from the path is not a valid object name.
  static absl::Status CheckPathName(const std::string& name, const std::string& what);
  int port() const { return port_; }
  // Stops accepting, ends every watch stream (with their last chunk) and joins the threads.
  // Idempotent.
  void Stop();

  // /readyz answers 200 once this is true (the daemon sets it after loading the store).
  void SetReady(bool ready) { ready_ = ready; }

  // The cache every read and watch is served from. Writes made outside the server's own store
  // (the daemon's IPAM FencedStore) must be noted with NoteWrite() so reads include them.
  WatchCache& watch_cache() { return *cache_; }

  // What a handler returns: an HTTP status and a JSON body. When `raw` is non-empty it is the
  // body instead, already rendered JSON (lists splice the stored records without re-parsing).
  struct Reply {
    int status = 200;
    nlohmann::json body;
    std::string raw;
  };

 // Prometheus metrics (server_metrics.h; named here for the helpers in server*.cc).
  struct Metrics;

 private:
  using Handler = std::function<absl::StatusOr<Reply>(const http_server::Request&, const nlohmann::json& body)>;
  enum class Access { kOpen, kRead, kWrite };

  Server(ServerOptions options, store::Store& store, Leadership& leadership, const base::Clock& clock,
         prometheus::Registry& registry, IpamService* ipam);
  void Route(const std::string& method, const std::string& pattern, const std::string& name, Access access,
             Handler handler);
  http_server::Response Serve(const http_server::Request& req, const std::string& name, Access access,
                              const Handler& handler);
  // The leader's answer to `req`, or nullopt when it cannot be reached.
  std::optional<http_server::Response> Forward(const http_server::Request& req);
  void RegisterRoutes();
  void RegisterStateRoutes();
  void RegisterNetworkPolicyRoutes();
  void RegisterVipRoutes();
  void RegisterIpamRoutes();
  void ServeWatch(const http_server::Request& req, http_server::Responder responder);

  void RegisterSnapshotRoute();
  void RegisterEndpointBatchRoute();

  // Read helpers (from the watch cache). `filters` are (field, value) pairs; empty values are
  // ignored; every field must be indexed for `plural` (StateIndex::IsIndexed).
  using Filters = std::vector<std::pair<std::string, std::string>>;
  absl::StatusOr<Reply> ListDir(const http_server::Request& req, const std::string& plural, const Filters& filters = {});
  absl::StatusOr<Reply> GetKey(const std::string& key, const std::string& what);
  // The first record of `plural` whose indexed `field` equals `value`; NotFound "<what> not found".
  absl::StatusOr<Reply> GetByIndex(const std::string& plural, const std::string& field, const std::string& value,
                                   const std::string& what);
  absl::StatusOr<Reply> DeleteKey(const std::string& key, const std::string& what);
  // VIP writes (vip_routes.cc): a record and its address claim change in one transaction.
  absl::StatusOr<Reply> PutVip(const api::Vip& vip);
  absl::StatusOr<Reply> DeleteVip(const std::string& ns, const std::string& name);
  IpamService* Ipam();

  const ServerOptions options_;
  store::Store& raw_store_;
  Leadership& leadership_;
  FencedStore store_;
  const base::Clock& clock_;
  prometheus::Registry& registry_;
  IpamService* ipam_;
  const Keys keys_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<http::CurlClient> forward_client_;  // follower -> leader; reuses its connections
  std::unique_ptr<WatchCache> cache_;  // destroyed after http_ (its streams hold cursors)
  std::unique_ptr<http_server::HttpServer> http_;
  int port_ = 0;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_SERVER_H_
