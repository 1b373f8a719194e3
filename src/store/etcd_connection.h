// etcd_connection.h: EtcdStore's channels to the etcd endpoints, the failover policy and the
// mapping of etcd's gRPC errors onto the Store error codes (see etcd_store.h). Internal to the
// store module.
//
// Thread-safety: safe for concurrent use; the stubs are gRPC's thread-safe stubs.
#ifndef ROMANA_STORE_ETCD_CONNECTION_H_
#define ROMANA_STORE_ETCD_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "etcdpb/rpc.grpc.pb.h"
#include "store/etcd_store.h"

namespace romana::store {

class EtcdConnection {
 public:
  struct Endpoint {
    std::string address;  // host:port
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<etcdserverpb::KV::Stub> kv;
    std::unique_ptr<etcdserverpb::Watch::Stub> watch;
    std::unique_ptr<etcdserverpb::Lease::Stub> lease;
  };

  // Whether a request may be sent again to another endpoint after an ambiguous failure.
  enum class Kind { kRead, kWrite };

  // Errors: InvalidArgument naming the bad option.
  static absl::StatusOr<std::unique_ptr<EtcdConnection>> Create(const EtcdStoreOptions& options);

  const EtcdStoreOptions& options() const { return options_; }
  size_t size() const { return endpoints_.size(); }
  Endpoint& endpoint(size_t i) { return *endpoints_[i]; }
  // The endpoint to try first: the last one that answered.
  size_t preferred() const { return preferred_.load(); }
  void Prefer(size_t i) { preferred_.store(i % endpoints_.size()); }

  // Runs `call` against the endpoints, starting with the preferred one, with a fresh
  // ClientContext carrying the request deadline each time, failing over as etcd_store.h says.
  // Returns the mapped status of the last attempt.
  absl::Status Call(const char* method, Kind kind,
                    const std::function<grpc::Status(Endpoint&, grpc::ClientContext&)>& call);

  // Maps an etcd/gRPC status onto the Store codes (etcd_store.h), naming endpoint and method.
  static absl::Status Map(const grpc::Status& status, Kind kind, const std::string& endpoint,
                          const char* method);
  // True when a failed request certainly did not reach etcd's state machine.
  static bool CertainlyNotApplied(const grpc::Status& status);

 private:
  explicit EtcdConnection(const EtcdStoreOptions& options) : options_(options) {}

  const EtcdStoreOptions options_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::atomic<size_t> preferred_{0};
};

}  // namespace romana::store

#endif  // ROMANA_STORE_ETCD_CONNECTION_H_
