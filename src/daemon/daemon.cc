#include "daemon/daemon.h"

#include <fstream>
#include <sstream>

#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "base/process_main.h"
#include "daemon/keys.h"
#include "daemon/leadership.h"
#include "daemon/server.h"
#include "daemon/schema_version.h"
#include "daemon/store_factory.h"
#include "daemon/store_ipam_service.h"
#include "net/host_port.h"
#include "spdlog/spdlog.h"

namespace romana::daemon {
namespace {

absl::Status Tag(absl::Status s, const char* what) { return api::WithErrorCode(std::move(s), what); }

absl::StatusOr<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  absl::StatusOr<net::HostPort> hp = net::ParseHostPort(listen);
  if (!hp.ok()) return api::FieldError("--listen", absl::StrCat("\"", listen, "\" must be [host]:port"));
  if (hp->host.empty()) hp->host = "0.0.0.0";
  return std::make_pair(hp->host, hp->port);
}

class DaemonImpl final : public Daemon {
 public:
  ~DaemonImpl() override { Shutdown(); }

  void Shutdown() override {
    if (server_) server_->Stop();
    if (fenced_) fenced_->SetCommitObserver(nullptr);  // the cache goes with the server
    election_.reset();  // resigns: a follower takes over at once
    server_.reset();
    ipam_.reset();
    store_.reset();
  }

  static absl::StatusOr<std::unique_ptr<Daemon>> Start(const DaemonConfig& c, const base::Clock& clock) {
    auto d = std::make_unique<DaemonImpl>();
    absl::StatusOr<std::pair<std::string, int>> listen = ParseListen(c.listen);
    if (!listen.ok()) return Tag(listen.status(), "config");
    ServerOptions so;
    so.host = listen->first;
    so.port = listen->second;
    so.tls_cert_file = c.tls_cert_file;
    so.tls_key_file = c.tls_key_file;
    so.auth_reads = c.auth_reads;
    so.prefix = c.prefix;
    so.bookmark_interval = c.bookmark_interval;
    so.max_body_bytes = c.max_body_bytes;
    so.threads = c.http_threads;
    so.watch_cache_events = c.watch_cache_events;
    so.watch_cache_bytes = c.watch_cache_bytes;
    so.io_threads = c.io_threads;
    so.watch_stream_nice = c.watch_stream_nice;
    so.leader_ca_file = c.leader_ca_file;
    so.max_connections = c.max_connections;
    so.header_timeout = c.header_timeout;
    so.idle_timeout = c.idle_timeout;
    so.version = kVersion;
    if (!c.token_file.empty()) {
      absl::StatusOr<TokenAuth> auth = TokenAuth::FromFile(c.token_file);
      if (!auth.ok()) return Tag(auth.status(), "config");
      so.auth = *auth;
    } else {
      spdlog::warn("romanad: no --token-file: the API accepts writes from anyone who can reach it");
    }
    if (c.auth_reads && c.token_file.empty()) {
      return Tag(api::FieldError("--auth-reads", "needs --token-file"), "config");
    }
    // The initial topology is selected (and validated) now, so a bad file stops the start.
    absl::StatusOr<std::optional<InitialTopology>> initial = SelectTopology(c);
    if (!initial.ok()) return Tag(initial.status(), "config");

    absl::StatusOr<std::unique_ptr<store::Store>> st = OpenStore(c, clock);
    if (!st.ok()) return Tag(st.status(), "store");
    d->store_ = *std::move(st);
    const Keys keys(c.prefix);
    if (absl::Status s = CheckSchemaVersion(*d->store_, keys.SchemaVersion()); !s.ok()) return Tag(s, "store");
    if (!c.etcd_endpoints.empty()) {
      std::string advertise = c.advertise_url;
      if (advertise.empty()) {
        std::string h = so.host == "0.0.0.0" ? base::HostName() : so.host;
        advertise = absl::StrCat(c.tls_cert_file.empty() ? "http" : "https", "://", h, ":", so.port);
      }
      d->election_ = LeaseElection::Start({.key = keys.Leader(), .advertise_url = advertise, .ttl = c.lease_ttl},
                                          *d->store_, clock);
      d->leadership_ = d->election_.get();
      spdlog::info("romanad: HA on etcd; advertising {}", advertise);
    } else {
      d->leadership_ = &d->sole_;
    }
    d->fenced_ = std::make_unique<FencedStore>(*d->store_, *d->leadership_);
    d->ipam_ = CreateStoreIpamService(*d->fenced_, c.prefix, *std::move(initial), *d->leadership_);

    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::Create(so, *d->store_, *d->leadership_, clock, d->registry_, d->ipam_.get());
    if (!server.ok()) return Tag(server.status(), "config");
    d->server_ = *std::move(server);
    // IPAM writes bypass the server's own store: reads must wait for them too.
    d->fenced_->SetCommitObserver([cache = &d->server_->watch_cache()](store::Revision r) { cache->NoteWrite(r); });
    // Load the state before serving when we lead (the embedded store always does).
    if (d->leadership_->IsLeader()) {
      if (absl::Status s = d->ipam_->EnsureLoaded(); !s.ok()) return Tag(s, "store");
    }
    if (absl::Status s = d->server_->Start(); !s.ok()) return Tag(s, "listen");
    d->server_->SetReady(true);
    return std::unique_ptr<Daemon>(std::move(d));
  }

 private:
  std::unique_ptr<store::Store> store_;
  SoleLeader sole_;
  std::unique_ptr<LeaseElection> election_;
  Leadership* leadership_ = nullptr;
  std::unique_ptr<FencedStore> fenced_;
  prometheus::Registry registry_;
  std::unique_ptr<IpamService> ipam_;
  std::unique_ptr<Server> server_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(const DaemonConfig& config, const base::Clock& clock) {
  return DaemonImpl::Start(config, clock);
}

int ExitCodeFor(const absl::Status& status) {
  std::optional<std::string> code = api::ErrorCodeOf(status);
  if (code == "config") return 2;
  if (code == "store") return 3;
  if (code == "listen") return 4;
  return 1;
}

}  // namespace romana::daemon
