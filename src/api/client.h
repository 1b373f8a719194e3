// client.h: the C++ client of the romanad REST API (docs/api.md), used by the CNI plugin, the
// agent, the listener, the CLI and vpcrouter.
//
// Errors: every call returns absl::Status(Or). HTTP answers map to codes as follows, and the
// error body's "field", "code" and extra details travel as payloads (api/field_error.h:
// FieldOf, ErrorCodeOf, DetailOf(s, "leader"), DetailOf(s, "compact_revision")):
//   400/413/415 InvalidArgument   401 Unauthenticated   403 PermissionDenied   404 NotFound
//   409 AlreadyExists (code "already_exists") or FailedPrecondition (other conflicts)
//   410 OutOfRange (IsCompacted)   503 Unavailable (not ready / not leader)
//   507 ResourceExhausted (no free address)   other 5xx Internal
//   connection refused, reset or timed out: Unavailable (code "transport").
// Unavailable is always worth retrying; with `retry_unavailable_for` > 0 the client does so
// itself (with backoff) for every call. Every mutating call is idempotent on the server side
// (allocation is keyed by address name), so retries are safe.
//
// Transport: the project's HTTP client (http::CurlClient), which keeps a small pool of
// keep-alive connections.
//
// Thread-safety: a Client is safe for concurrent use from many threads. Watch() blocks its
// calling thread.
#ifndef ROMANA_API_CLIENT_H_
#define ROMANA_API_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/romana_policy.h"
#include "api/types.h"
#include "api/vip.h"
#include "base/clock.h"
#include "http/client.h"
#include "nlohmann/json.hpp"

namespace romana::api {

struct ClientOptions {
  // "http://127.0.0.1:9600" or "https://host:port". REQUIRES: scheme, host and port.
  std::string server = "http://127.0.0.1:9600";
  // Bearer token sent with every request (empty = none). Never logged.
  std::string token;
  // For https: CA bundle to verify the server with (empty = system default); and whether to
  // verify at all.
  std::string ca_file;
  bool verify_tls = true;
  // Per-request connect timeout, and how long an answer may go without a byte (checked about
  // once a second; not used for the body of a watch, see WatchOptions).
  std::chrono::milliseconds timeout{10000};
  // Retry Unavailable answers (and transport errors) until this much time has passed; 0 = no
  // retries. Backoff starts at 50 ms and doubles up to 1 s.
  std::chrono::milliseconds retry_unavailable_for{0};
  // The time for retries, backoff and Watch's give_up_after (nullptr = the system clock). Not
  // owned; must outlive the Client. Tests pass a base::FakeClock.
  base::Clock* clock = nullptr;
};

// A raw answer, for callers (the CLI with -o json) that print the server's JSON as is.
struct RawResponse {
  int status = 0;
  std::string body;
};

struct BlockFilter {
  std::string network;  // empty = all
  std::string host;     // empty = all
};

struct EndpointFilter {
  std::string node;
  std::string namespace_name;
};

// Allocation result: the address and whether this call created it (false = it existed
// already under that name: the server answered 200 instead of 201).
struct Allocation {
  Address address;
  bool created = false;
};

// GET /snapshot: several kinds read at one revision (watch from revision + 1). Only the kinds
// asked for are filled.
struct StateSnapshot {
  std::vector<nlohmann::json> topology;  // the applied topology, when there is one
  std::vector<Network> networks;
  std::vector<Group> groups;
  std::vector<Host> hosts;
  std::vector<Block> blocks;
  std::vector<Address> addresses;
  std::vector<Policy> policies;
  std::vector<Namespace> namespaces;
  std::vector<Endpoint> endpoints;
  std::vector<nlohmann::json> network_policies;  // as stored (networking.k8s.io/v1 JSON)
  std::vector<Vip> vips;
  Revision revision = 0;
};

struct WatchOptions {
  // Deliver every change with revision >= this (e.g. list revision + 1). 0 = from now.
  Revision revision = 0;
  // Plural kinds ("hosts", "blocks", ...); empty = all.
  std::vector<std::string> kinds;
  // Also pass BOOKMARK events to the handler (they always advance the resume point).
  bool deliver_bookmarks = false;
  // Checked before every event and at every bookmark (so at least every bookmark_interval);
  // returning true ends Watch() with OK.
  std::function<bool()> stop;
  // Asks the server for a BOOKMARK at least this often while nothing else happens.
  std::chrono::milliseconds bookmark_interval{1000};
  // How long the stream may stay silent (no event, no bookmark) before the client treats the
  // connection as dead and reconnects. The server sends a bookmark every few seconds.
  std::chrono::milliseconds idle_timeout{30000};
  // Give up when no connection could be made for this long (Unavailable). 0 = retry forever.
  std::chrono::milliseconds give_up_after{0};
};

class Client {
 public:
  // Errors: InvalidArgument when options.server is not a valid http(s) URL.
  static absl::StatusOr<std::unique_ptr<Client>> Create(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientOptions& options() const { return options_; }

  // --- service ---
  absl::StatusOr<VersionInfo> Version();
  absl::Status Healthz();
  absl::Status Readyz();  // Unavailable until the daemon is ready

  // --- topology, networks, groups ---
  absl::StatusOr<nlohmann::json> GetTopology();
  // Replaces the topology; returns the applied topology. FailedPrecondition (409) with detail
  // "conflicts" (a JSON array as text) when existing hosts/allocations do not fit.
  absl::StatusOr<nlohmann::json> PutTopology(const nlohmann::json& topology);
  absl::StatusOr<List<Network>> ListNetworks();
  absl::StatusOr<Network> GetNetwork(const std::string& name);
  absl::StatusOr<List<Group>> ListGroups();

  // --- hosts ---
  absl::StatusOr<List<Host>> ListHosts();
  absl::StatusOr<Host> GetHost(const std::string& name);
  // AlreadyExists when the name or IP is taken; InvalidArgument when no group accepts it.
  absl::StatusOr<Host> AddHost(const HostRequest& host);
  absl::StatusOr<Host> RelabelHost(const std::string& name, const Labels& labels);
  // Frees the host's blocks and addresses. NotFound if unknown.
  absl::Status RemoveHost(const std::string& name);
  // The host's agent's report (romanad sets `updated`). NotFound if the host is unknown.
  absl::Status PutHostStatus(const HostStatus& status);
  absl::StatusOr<HostStatus> GetHostStatus(const std::string& host);
  absl::StatusOr<List<HostStatus>> ListHostStatus();

  // --- blocks ---
  absl::StatusOr<List<Block>> ListBlocks(const BlockFilter& filter = {});

  // --- addresses ---
  // Idempotent per request.name: a retry gets the same address (created = false).
  absl::StatusOr<Allocation> AllocateAddress(const AddressRequest& request);
  absl::StatusOr<Address> GetAddress(const std::string& name);
  absl::StatusOr<Address> GetAddressByIp(const std::string& ip);
  // Releases by name; returns the released address. NotFound if unknown.
  absl::StatusOr<Address> ReleaseAddress(const std::string& name);
  absl::StatusOr<Address> ReleaseAddressByIp(const std::string& ip);
  absl::StatusOr<List<Address>> ListAddresses(const std::string& host = "");

  // --- policies ---
  absl::StatusOr<List<Policy>> ListPolicies();
  absl::StatusOr<Policy> GetPolicy(const std::string& id);
  // Creates or replaces by id. Returns true when created (201), false when replaced (200).
  // InvalidArgument (400) naming the field when the policy is invalid (nothing stored).
  absl::StatusOr<bool> PutPolicy(const Policy& policy);
  absl::Status DeletePolicy(const std::string& id);

  // --- namespaces and endpoints ---
  absl::StatusOr<List<Namespace>> ListNamespaces();
  absl::Status PutNamespace(const Namespace& ns);
  absl::Status DeleteNamespace(const std::string& name);
  absl::StatusOr<List<Endpoint>> ListEndpoints(const EndpointFilter& filter = {});
  absl::Status PutEndpoint(const Endpoint& endpoint);
  absl::Status DeleteEndpoint(const std::string& namespace_name, const std::string& name);

  // --- several kinds at one revision ---
  // `kinds`: plural kinds as in WatchOptions::kinds (empty = all). The agent's start-up list and
  // re-list. InvalidArgument (field "kinds") for an unknown kind.
  absl::StatusOr<StateSnapshot> Snapshot(const std::vector<std::string>& kinds);

  // --- Kubernetes NetworkPolicies (networking.k8s.io/v1 JSON, stored as they are) ---
  // Every policy, or those of one namespace when `namespace_name` is not empty.
  absl::StatusOr<List<nlohmann::json>> ListNetworkPolicies(const std::string& namespace_name = "");
  // NotFound if unknown.
  absl::StatusOr<nlohmann::json> GetNetworkPolicy(const std::string& namespace_name, const std::string& name);
  // Creates or replaces `policy` (its metadata.namespace/name may be left out; if given they must
  // equal the arguments). Returns true when created (201), false when replaced (200).
  // InvalidArgument naming the field (e.g. "spec.ingress[0].ports[0].endPort") when invalid;
  // nothing is stored then.
  absl::StatusOr<bool> PutNetworkPolicy(const std::string& namespace_name, const std::string& name,
                                        const nlohmann::json& policy);
  // NotFound if unknown.
  absl::Status DeleteNetworkPolicy(const std::string& namespace_name, const std::string& name);

  // --- VIPs (api/vip.h) ---
  // Every VIP, or those whose node / namespace equals the filter's (empty = any).
  absl::StatusOr<List<Vip>> ListVips(const std::string& node = "", const std::string& namespace_name = "");
  // NotFound if unknown.
  absl::StatusOr<Vip> GetVip(const std::string& namespace_name, const std::string& name);
  // Creates or replaces. InvalidArgument naming the field ("ip", "node": not a registered host);
  // AlreadyExists (field "ip") when another VIP has that address. Nothing is stored on error.
  absl::Status PutVip(const Vip& vip);
  // NotFound if unknown.
  absl::Status DeleteVip(const std::string& namespace_name, const std::string& name);

  // --- watch ---
  // Follows GET /watch and calls `on_event` for each PUT/DELETE (and BOOKMARK if asked), in
  // revision order, each change exactly once. When the connection drops it reconnects (with
  // backoff) from the last revision seen + 1, so the handler never sees a gap or a repeat.
  // Returns:
  //   OK when options.stop() returned true;
  //   the handler's error when it returned one (the stream stops);
  //   OutOfRange (IsCompacted) with DetailOf(s, "compact_revision") when the revision was
  //     compacted (before or during the stream): re-list, then watch from list revision + 1;
  //   InvalidArgument/Unauthenticated for a bad request; Unavailable after give_up_after;
  //   ResourceExhausted when one event line is longer than 16 MiB.
  absl::Status Watch(const WatchOptions& options,
                     const std::function<absl::Status(const WatchEvent&)>& on_event);

  // --- raw access (the CLI's -o json) ---
  // Sends one request with the token; never retries. Transport errors are Unavailable; any
  // HTTP answer (also 4xx/5xx) is returned as is.
  absl::StatusOr<RawResponse> Do(const std::string& method, const std::string& path_and_query,
                                 const std::string& body = "");
  // Converts a non-2xx answer into the Status described above (OK for 2xx).
  static absl::Status StatusFromResponse(int http_status, const std::string& body);

 private:
  Client(ClientOptions options, std::unique_ptr<http::Client> http);
  absl::Status TransportError(const absl::Status& status) const;
  // Do() plus StatusFromResponse() plus retries; returns the parsed JSON body of a 2xx answer.
  absl::StatusOr<nlohmann::json> Call(const std::string& method, const std::string& path,
                                      const std::string& body = "", int* http_status = nullptr);

  const ClientOptions options_;
  const std::unique_ptr<http::Client> http_;
  base::SystemClock system_clock_;
  base::Clock& clock_;  // options_.clock or system_clock_
};

// True for the status Watch() returns when its revision was compacted.
bool IsCompacted(const absl::Status& status);
// The compact revision carried by such a status (0 if unknown).
Revision CompactRevisionOf(const absl::Status& status);

}  // namespace romana::api

#endif  // ROMANA_API_CLIENT_H_
