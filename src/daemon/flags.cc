#include "daemon/flags.h"

namespace romana::daemon {

void AddDaemonFlags(CLI::App& app, DaemonFlags& flags) {
  DaemonConfig& c = flags.config;
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", c.listen, "Address:port of the REST API ([host]:port; \":9600\" = all interfaces)");
  app.add_option("--advertise-url", c.advertise_url,
                 "URL other replicas use to reach this one (HA; default http(s)://<hostname>:<port>)");
  app.add_option("--tls-cert-file", c.tls_cert_file, "Serve HTTPS with this certificate (PEM; needs --tls-key-file)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key-file", c.tls_key_file, "Private key (PEM) for --tls-cert-file")->check(CLI::ExistingFile);
  app.add_option("--token-file", c.token_file,
                 "File holding the bearer token that mutating calls must send (e.g. a mounted Kubernetes secret); "
                 "unset = no authentication")
      ->check(CLI::ExistingFile);
  app.add_flag("--auth-reads", c.auth_reads, "Also require the token for reads (GET, /watch)");
  app.add_option("--store", c.store_path,
                 "Embedded store: the SQLite file (created if missing; its directory must exist). Ignored with "
                 "--etcd-endpoints. \":memory:\" keeps the state in memory only (tests)");
  app.add_option("--etcd-endpoints", c.etcd_endpoints,
                 "Comma-separated etcd v3 endpoints (http(s)://host:port); selects the etcd store and HA");
  app.add_option("--etcd-prefix", c.prefix, "Key prefix of all Romana state (in etcd and in the embedded store)");
  app.add_option("--leader-ca-file", c.leader_ca_file,
                 "CA bundle to verify the leader's certificate when a follower forwards writes (needed with TLS)")
      ->check(CLI::ExistingFile);
  app.add_option("--etcd-ca-file", c.etcd_ca_file, "CA bundle to verify etcd's certificate")->check(CLI::ExistingFile);
  app.add_option("--etcd-cert-file", c.etcd_cert_file, "Client certificate for etcd (mutual TLS)")->check(CLI::ExistingFile);
  app.add_option("--etcd-key-file", c.etcd_key_file, "Client key for etcd (mutual TLS)")->check(CLI::ExistingFile);
  app.add_option("--initial-network,--initial-topology-file", c.initial_network_file,
                 "Topology JSON applied when the store holds no topology yet (overrides the built-in choice)")
      ->check(CLI::ExistingFile);
  app.add_option("--network-cidr-overrides", c.network_cidr_overrides,
                 "Rewrite network CIDRs before use: name=cidr[,name=cidr]; unknown names are an error");
  app.add_option("--cloud", c.cloud, "\"aws\": use the AWS/kops built-in topology for this instance's region")
      ->check(CLI::IsMember({"", "aws"}));
  app.add_option("--lease-ttl", flags.lease_ttl_seconds, "HA: seconds the leader's etcd lease lives (the failover time)")
      ->check(CLI::Range(2, 60));
  app.add_option("--watch-bookmark-interval-ms", flags.bookmark_interval_ms,
                 "Watch streams send a BOOKMARK at least this often")
      ->check(CLI::Range(10, 600000));
  app.add_option("--max-body-bytes", c.max_body_bytes, "Largest accepted request body (413 above)")
      ->check(CLI::Range(1024, 64 << 20));
  app.add_option("--http-threads", c.http_threads,
                 "Worker threads running API handlers (store transactions, IPAM, forwarding to the leader) at once")
      ->check(CLI::Range(4, 4096));
  app.add_option("--watch-cache-events", c.watch_cache_events,
                 "Watch cache: events kept for watch streams (a stream further behind ends with \"compacted\")")
      ->check(CLI::Range(size_t{100}, size_t{10000000}));
  app.add_option("--watch-cache-bytes", c.watch_cache_bytes, "Watch cache: bytes of event lines kept at most")
      ->check(CLI::Range(size_t{1} << 16, size_t{1} << 34));
  app.add_option("--io-threads", c.io_threads, "Threads serving the connections (0 = one per hardware thread)")
      ->check(CLI::Range(0, 256));
  app.add_option("--watch-stream-nice", c.watch_stream_nice,
                 "Watch streams are written by their own io threads at this nice value above romanad's: under CPU "
                 "contention API requests run first (0 = same priority)")
      ->check(CLI::Range(0, 19));
  app.add_option("--max-connections", c.max_connections,
                 "Open connections (watch streams included); a connection beyond gets 503 and is closed")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--http-header-timeout-ms", flags.header_timeout_ms,
                 "A request's header must arrive within this time of its first byte (slow clients are cut off)")
      ->check(CLI::Range(100, 600000));
  app.add_option("--http-idle-timeout-ms", flags.idle_timeout_ms, "Idle keep-alive connections are closed after this")
      ->check(CLI::Range(100, 3600000));
  app.add_option("--log-level", flags.logging.level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", flags.logging.format, "text|json")->check(CLI::IsMember({"text", "json"}));
  app.set_version_flag("--version", std::string(kVersion));
  app.footer(
      "Environment: KUBERNETES_SERVICE_HOST selects the built-in topology when no --initial-network is given\n"
      "(10.96.0.1: kubeadm; 100.64.0.1: AWS/kops).\n"
      "Exit codes: 0 clean shutdown (SIGTERM/SIGINT), 1 runtime failure, 2 bad flags or configuration,\n"
      "3 the store cannot be opened, 4 the listen address cannot be bound.");
}

DaemonConfig DaemonConfigFrom(const DaemonFlags& flags, const std::string& kubernetes_service_host) {
  DaemonConfig c = flags.config;
  c.lease_ttl = std::chrono::seconds(flags.lease_ttl_seconds);
  c.bookmark_interval = std::chrono::milliseconds(flags.bookmark_interval_ms);
  c.header_timeout = std::chrono::milliseconds(flags.header_timeout_ms);
  c.idle_timeout = std::chrono::milliseconds(flags.idle_timeout_ms);
  c.kubernetes_service_host = kubernetes_service_host;
  return c;
}

}  // namespace romana::daemon
