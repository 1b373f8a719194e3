#include "store/etcd_connection.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "net/host_port.h"

namespace romana::store {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& field, const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(field, ": cannot read \"", path, "\""));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// "http://h:p" / "https://h:p" / "h:p" -> "h:p", checking there is a host and a port.
absl::StatusOr<std::string> ParseEndpoint(size_t index, const std::string& endpoint, bool& tls) {
  absl::string_view rest = endpoint;
  if (absl::ConsumePrefix(&rest, "https://")) {
    tls = true;
  } else {
    absl::ConsumePrefix(&rest, "http://");
  }
  absl::ConsumeSuffix(&rest, "/");
  const std::string field = absl::StrCat("etcd.endpoints[", index, "]");
  absl::StatusOr<net::HostPort> hp = net::ParseHostPort(std::string_view(rest.data(), rest.size()));
  if (!hp.ok() || hp->host.empty() || hp->port == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": \"", endpoint, "\" is not host:port (e.g. 127.0.0.1:2379 or https://etcd:2379)"));
  }
  return std::string(rest);
}

}  // namespace

absl::StatusOr<std::unique_ptr<EtcdConnection>> EtcdConnection::Create(
    const EtcdStoreOptions& options) {
  if (options.endpoints.empty()) {
    return absl::InvalidArgumentError("etcd.endpoints: at least one endpoint is required");
  }
  if (options.request_timeout.count() <= 0) {
    return absl::InvalidArgumentError("etcd.request_timeout: must be positive");
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "etcd.cert_file/etcd.key_file: a client certificate needs its key (set both or neither)");
  }
  bool tls = !options.ca_file.empty() || !options.cert_file.empty();
  std::vector<std::string> addresses;
  for (size_t i = 0; i < options.endpoints.size(); ++i) {
    absl::StatusOr<std::string> address = ParseEndpoint(i, options.endpoints[i], tls);
    if (!address.ok()) return address.status();
    addresses.push_back(*address);
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      absl::StatusOr<std::string> ca = ReadFile("etcd.ca_file", options.ca_file);
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
    }
    if (!options.cert_file.empty()) {
      absl::StatusOr<std::string> cert = ReadFile("etcd.cert_file", options.cert_file);
      if (!cert.ok()) return cert.status();
      absl::StatusOr<std::string> key = ReadFile("etcd.key_file", options.key_file);
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(ssl);
  }
  auto connection = std::unique_ptr<EtcdConnection>(new EtcdConnection(options));
  for (const std::string& address : addresses) {
    grpc::ChannelArguments args;
    // Reconnect quickly to a member that comes back; notice dead peers.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
    // Ranges and watch batches can be far larger than gRPC's 4 MiB default (etcd's own client
    // lifts the limit too).
    args.SetMaxReceiveMessageSize(-1);
    // Channels of different stores do not share connections.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->address = address;
    endpoint->channel = grpc::CreateCustomChannel(address, credentials, args);
    endpoint->kv = etcdserverpb::KV::NewStub(endpoint->channel);
    endpoint->watch = etcdserverpb::Watch::NewStub(endpoint->channel);
    endpoint->lease = etcdserverpb::Lease::NewStub(endpoint->channel);
    connection->endpoints_.push_back(std::move(endpoint));
  }
  return connection;
}

bool EtcdConnection::CertainlyNotApplied(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return false;
  const std::string& message = status.error_message();
  // etcd refused it before proposing it to raft.
  if (absl::StrContains(message, "etcdserver: no leader") ||
      absl::StrContains(message, "etcdserver: not capable") ||
      absl::StrContains(message, "etcdserver: too many requests")) {
    return true;
  }
  // gRPC never got a connection, so nothing was sent.
  return absl::StrContains(message, "failed to connect") ||
         absl::StrContains(message, "Connection refused") ||
         absl::StrContains(message, "DNS resolution failed");
}

absl::Status EtcdConnection::Map(const grpc::Status& status, Kind kind,
                                 const std::string& endpoint, const char* method) {
  const std::string& message = status.error_message();
  const std::string where = absl::StrCat("etcd ", endpoint, " ", method, ": ");
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::OUT_OF_RANGE:
      if (absl::StrContains(message, "future revision")) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, "revision: is after the current revision (", message, ")"));
      }
      return absl::OutOfRangeError(absl::StrCat(where, message));
    case grpc::StatusCode::UNAVAILABLE:
      if (kind == Kind::kWrite && !CertainlyNotApplied(status)) {
        return absl::DeadlineExceededError(absl::StrCat(
            where, message, " (the write may or may not have been applied: re-read)"));
      }
      return absl::UnavailableError(absl::StrCat(where, message));
    default:
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat(where, message));
  }
}

absl::Status EtcdConnection::Call(
    const char* method, Kind kind,
    const std::function<grpc::Status(Endpoint&, grpc::ClientContext&)>& call) {
  const size_t start = preferred();
  absl::Status last = absl::UnavailableError("etcd: no endpoint");
  for (size_t k = 0; k < endpoints_.size(); ++k) {
    const size_t i = (start + k) % endpoints_.size();
    Endpoint& endpoint = *endpoints_[i];
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + options_.request_timeout);
    grpc::Status status = call(endpoint, context);
    if (status.ok()) {
      Prefer(i);
      return absl::OkStatus();
    }
    last = Map(status, kind, endpoint.address, method);
    const bool retry = status.error_code() == grpc::StatusCode::UNAVAILABLE &&
                       (kind == Kind::kRead || CertainlyNotApplied(status));
    if (!retry) return last;
    Prefer(i + 1);
  }
  return last;
}

}  // namespace romana::store
