// etcd_store.h: the Store on etcd v3 over gRPC — what production and HA romanad use.
//
// Speaks etcd's own gRPC API (KV, Watch, Lease) through a hand-written, wire-compatible subset
// of etcd's rpc.proto/kv.proto (src/store/proto/etcdpb). Tested against etcd 3.4.
//
// Endpoints and failover: requests go to one endpoint (the last one that answered). When it is
// unreachable the request moves on to the next endpoint:
//   - reads, watches and lease calls fail over on any Unavailable;
//   - a write (Commit, Compact) fails over only when it certainly did not reach etcd (connect
//     failure, "no leader"). When the connection breaks while a write is in flight, or etcd
//     answers "leader changed"/"request timed out", the write may or may not have happened:
//     Commit returns DeadlineExceeded and the caller re-reads (as with etcd's own client).
// A request that fails on every endpoint returns Unavailable (retry later).
//
// Every request has a deadline (`request_timeout`); DeadlineExceeded when it passes.
// Compacted revisions give OutOfRange (IsCompacted); a future revision gives InvalidArgument.
// Bad input is rejected before anything is sent, with the same messages as the local backends.
//
// Watch: one bidirectional stream per Watcher, served by a background thread. When the stream
// breaks, the watcher reconnects (to the next endpoint) and resumes from the revision after
// the last event it delivered, so no event is lost or repeated; it gives up with Unavailable
// after `watch_retry_window` without a connection. Watches require a leader ("hasleader"), so a
// member cut off from the cluster cancels them and the watcher moves on.
//
// Leases live in etcd; TTLs below etcd's minimum (about 1.5 x election timeout) are raised by
// etcd. KeepAlive sends one keep-alive on the Lease stream.
//
// Thread-safety: safe for concurrent use from many threads. A Watcher is used by one thread at
// a time; the store must outlive its watchers.
#ifndef ROMANA_STORE_ETCD_STORE_H_
#define ROMANA_STORE_ETCD_STORE_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace romana::store {

class EtcdConnection;

struct EtcdStoreOptions {
  // Client endpoints, "host:port", "http://host:port" or "https://host:port" (romanad:
  // --etcd-endpoints, comma-separated). REQUIRED: at least one.
  std::vector<std::string> endpoints;
  // Deadline of each request. Default: 5 s.
  std::chrono::milliseconds request_timeout{5000};
  // How long a broken watch keeps trying to reconnect before Next() returns Unavailable.
  // Default: 30 s.
  std::chrono::milliseconds watch_retry_window{30000};
  // TLS (romanad: --etcd-ca-file, --etcd-cert-file, --etcd-key-file). TLS is used when any is set
  // or an endpoint starts with https://. `ca_file`: PEM CA bundle that signed etcd's server
  // certificate (empty = the system roots). `cert_file` + `key_file`: PEM client certificate
  // and key for etcd's --client-cert-auth; REQUIRES: both or neither.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

class EtcdStore final : public Store {
 public:
  // Validates the options and sets up one channel per endpoint. Does not contact etcd: an
  // unreachable cluster shows as Unavailable on the first call. Errors: InvalidArgument naming
  // the bad option (empty endpoints, malformed endpoint, unreadable TLS file, cert without
  // key).
  static absl::StatusOr<std::unique_ptr<EtcdStore>> Create(const EtcdStoreOptions& options);
  ~EtcdStore() override;
  EtcdStore(const EtcdStore&) = delete;
  EtcdStore& operator=(const EtcdStore&) = delete;

  absl::StatusOr<std::optional<KeyValue>> Get(const std::string& key) override;
  absl::StatusOr<RangeResult> Range(const RangeRequest& request) override;
  absl::StatusOr<TxnResult> Commit(const Txn& txn) override;
  absl::StatusOr<Revision> CurrentRevision() override;
  absl::StatusOr<std::unique_ptr<Watcher>> Watch(const std::string& prefix,
                                                 Revision from) override;
  absl::Status Compact(Revision revision) override;
  absl::StatusOr<LeaseId> GrantLease(std::chrono::seconds ttl) override;
  absl::Status KeepAlive(LeaseId lease) override;
  absl::Status RevokeLease(LeaseId lease) override;

 private:
  explicit EtcdStore(std::unique_ptr<EtcdConnection> connection);
  std::unique_ptr<EtcdConnection> connection_;
};

}  // namespace romana::store

#endif  // ROMANA_STORE_ETCD_STORE_H_
