#include "daemon/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/json_reader.h"
#include "daemon/http_error.h"
#include "daemon/server_metrics.h"
#include "spdlog/spdlog.h"

namespace romana::daemon {


namespace {

constexpr char kForwardedHeader[] = "X-Romana-Forwarded";
// On write answers: a revision that includes the write (docs/api.md, "Reads").
constexpr char kRevisionHeader[] = "X-Romana-Revision";

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump() + "\n", "application/json");
}

bool IsJsonContentType(const std::string& value) {
  std::string v = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  std::string media = v.substr(0, v.find(';'));
  media = std::string(absl::StripAsciiWhitespace(media));
  if (media != "application/json") return false;
  if (v.find(';') == std::string::npos) return true;
  std::string params(absl::StripAsciiWhitespace(v.substr(v.find(';') + 1)));
  return params.empty() || params == "charset=utf-8" || params == "charset=\"utf-8\"";
}

}  // namespace

Server::Server(ServerOptions options, store::Store& store, Leadership& leadership, const base::Clock& clock,
               prometheus::Registry& registry, IpamService* ipam)
    : options_(std::move(options)),
      raw_store_(store),
      leadership_(leadership),
      store_(store, leadership),
      clock_(clock),
      registry_(registry),
      ipam_(ipam),
      keys_(options_.prefix) {}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerOptions options, store::Store& store,
                                                       Leadership& leadership, const base::Clock& clock,
                                                       prometheus::Registry& registry, IpamService* ipam) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return api::FieldError("tls", "--tls-cert-file and --tls-key-file must be given together");
  }
  if (options.threads < 4) return api::FieldError("threads", "must be at least 4");
  std::unique_ptr<Server> s(new Server(std::move(options), store, leadership, clock, registry, ipam));
  if (!s->options_.tls_cert_file.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(s->options_.tls_cert_file.c_str(),
                                                    s->options_.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("cannot load the TLS certificate ", s->options_.tls_cert_file,
                                                     " / key ", s->options_.tls_key_file));
    }
    s->http_ = std::move(ssl);
  } else {
    s->http_ = std::make_unique<httplib::Server>();
  }
  auto& requests = prometheus::BuildCounter()
                       .Name("romanad_http_requests_total")
                       .Help("HTTP requests by route, method and status code")
                       .Register(registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("romanad_http_request_duration_seconds")
                      .Help("Time to answer an HTTP request, by route")
                      .Register(registry);
  auto& streams = prometheus::BuildGauge().Name("romanad_watch_streams").Help("Open watch streams").Register(registry);
  auto& events = prometheus::BuildCounter().Name("romanad_watch_events_total").Help("Events sent on watch streams").Register(registry);
  auto& leader = prometheus::BuildGauge().Name("romanad_leader").Help("1 while this replica is the leader").Register(registry);
  auto& fwd = prometheus::BuildCounter().Name("romanad_forwarded_requests_total").Help("Writes forwarded to the leader").Register(registry);
  auto& cache_gauges = prometheus::BuildGauge()
                           .Name("romanad_watch_cache")
                           .Help("The watch cache: revision, oldest (revision), window_events, window_bytes, records")
                           .Register(registry);
  s->metrics_.reset(
      new Metrics{requests, latency, streams.Add({}), events.Add({}), leader.Add({}), fwd.Add({}), cache_gauges});
  absl::StatusOr<std::unique_ptr<WatchCache>> cache =
      WatchCache::Create(store, {.prefix = s->options_.prefix,
                                 .window_events = s->options_.watch_cache_events,
                                 .window_bytes = s->options_.watch_cache_bytes});
  if (!cache.ok()) return cache.status();
  s->cache_ = *std::move(cache);
  s->store_.SetCommitObserver([cache = s->cache_.get()](store::Revision r) { cache->NoteWrite(r); });

  httplib::Server& h = *s->http_;
  const int threads = s->options_.threads;
  h.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  h.set_payload_max_length(s->options_.max_body_bytes);
  h.set_keep_alive_max_count(1000);
  // httplib's stop() waits for idle keep-alive connections to time out: this bounds how long a
  // SIGTERM takes with clients connected (the default 5 s made every shutdown take 5 s).
  h.set_keep_alive_timeout(2);
  h.set_tcp_nodelay(true);  // without it Nagle + delayed ACK add ~40 ms per answer
  h.set_read_timeout(std::chrono::seconds(30));
  h.set_write_timeout(std::chrono::seconds(10));
  // Debian's compiled httplib listens with a backlog of 5: a burst of new connections (CNI
  // plugins starting pods on many nodes) would overflow it and wait a 1 s SYN retransmit. Keep
  // the listening socket so Start() can raise the backlog (listen() again adjusts it on Linux).
  Server* self = s.get();
  h.set_socket_options([self](socket_t sock) {
    int yes = 1;
    // SO_REUSEADDR as httplib's default, but not its SO_REUSEPORT: a second romanad on the port
    // must fail to start, not take half the connections.
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    self->listen_fd_ = sock;
  });
  h.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string code = "error";
    std::string message = absl::StrCat("HTTP ", res.status);
    if (res.status == 404) {
      code = "not_found";
      message = absl::StrCat("no such resource: ", req.method, " ", req.path, " (see docs/api.md)");
    } else if (res.status == 413) {
      code = "too_large";
      message = "the request body is larger than the limit (1 MiB by default, --max-body-bytes)";
    } else if (res.status == 400) {
      code = "invalid_argument";
      message = "malformed HTTP request";
    }
    res.set_content(ErrorBody(code, message).dump() + "\n", "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("http: handler threw (a bug): {}", what);
    SendJson(res, 500, ErrorBody("internal", absl::StrCat("internal error: ", what)));
  });
  s->RegisterRoutes();
  return s;
}

Server::~Server() { Stop(); }

absl::Status Server::Start() {
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
  } else {
    port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.host, ":", options_.port));
  }
  if (listen_fd_ >= 0 && ::listen(listen_fd_, SOMAXCONN) != 0) {
    spdlog::warn("romanad: cannot raise the listen backlog: {}", std::strerror(errno));
  }
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  spdlog::info("romanad: serving the REST API on {}://{}:{}", options_.tls_cert_file.empty() ? "http" : "https",
               options_.host, port_);
  return absl::OkStatus();
}

void Server::Stop() {
  if (stopping_.exchange(true)) return;
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
  if (cache_) cache_->Stop();
}

void Server::Route(const std::string& method, const std::string& pattern, const std::string& name, Access access,
                   Handler handler) {
  auto fn = [this, name, access, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    Serve(req, res, name, access, handler);
  };
  if (method == "GET") http_->Get(pattern, fn);
  else if (method == "POST") http_->Post(pattern, fn);
  else if (method == "PUT") http_->Put(pattern, fn);
  else if (method == "DELETE") http_->Delete(pattern, fn);
}

void Server::Serve(const httplib::Request& req, httplib::Response& res, const std::string& name, Access access,
                   const Handler& handler) {
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&] {
    metrics_->requests.Add({{"route", name}, {"method", req.method}, {"code", std::to_string(res.status)}}).Increment();
    metrics_->latency
        .Add({{"route", name}}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                         0.05, 0.1, 0.25, 0.5, 1, 2.5})
        .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  auto fail = [&](const absl::Status& s) {
    HttpError e = ToHttpError(s);
    SendJson(res, e.status, e.body);
  };
  // Auth.
  if (options_.auth.has_value() && (access == Access::kWrite || (access == Access::kRead && options_.auth_reads))) {
    if (!options_.auth->Check(req.get_header_value("Authorization"))) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendJson(res, 401, ErrorBody("unauthenticated",
                                   req.has_header("Authorization")
                                       ? "the bearer token is wrong"
                                       : "this call needs \"Authorization: Bearer <token>\" (romanad --token-file)"));
      finish();
      return;
    }
  }
  // Followers forward writes to the leader.
  if (access == Access::kWrite && !leadership_.IsLeader()) {
    if (!Forward(req, res)) fail(NotLeaderError(leadership_.LeaderUrl()));
    finish();
    return;
  }
  // Body.
  nlohmann::json body;
  if (req.method == "POST" || req.method == "PUT") {
    if (!IsJsonContentType(req.get_header_value("Content-Type"))) {
      SendJson(res, 415,
               ErrorBody("unsupported_media_type",
                         absl::StrCat("the body must be JSON with Content-Type: application/json (got \"",
                                      req.get_header_value("Content-Type"), "\")")));
      finish();
      return;
    }
    absl::StatusOr<nlohmann::json> parsed = api::ParseJson(req.body);
    if (!parsed.ok()) {
      fail(parsed.status());
      finish();
      return;
    }
    body = *std::move(parsed);
  }
  absl::StatusOr<Reply> reply = handler(req, body);
  if (reply.ok()) {
    if (access == Access::kWrite) res.set_header(kRevisionHeader, std::to_string(cache_->noted_write()));
    if (reply->raw.empty()) {
      SendJson(res, reply->status, reply->body);
    } else {
      res.status = reply->status;
      res.set_content(reply->raw, "application/json");
    }
  } else {
    if (reply.status().code() == absl::StatusCode::kInternal || reply.status().code() == absl::StatusCode::kDataLoss ||
        reply.status().code() == absl::StatusCode::kUnknown) {
      spdlog::error("http: {} {}: {}", req.method, req.path, reply.status().ToString());
    }
    fail(reply.status());
  }
  finish();
}

bool Server::Forward(const httplib::Request& req, httplib::Response& res) {
  const std::string leader = leadership_.LeaderUrl();
  if (leader.empty() || req.has_header(kForwardedHeader)) return false;
  httplib::Client c(leader);
  c.set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(options_.forward_timeout));
  c.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(options_.forward_timeout));
  c.set_tcp_nodelay(true);
  c.enable_server_certificate_verification(false);  // the leader's URL comes from our own store
  httplib::Headers headers{{kForwardedHeader, "1"}};
  if (req.has_header("Authorization")) headers.emplace("Authorization", req.get_header_value("Authorization"));
  std::string path = req.path;
  if (!req.params.empty()) {
    std::string q;
    for (const auto& [k, v] : req.params) {
      absl::StrAppend(&q, q.empty() ? "?" : "&", httplib::detail::encode_query_param(k), "=",
                      httplib::detail::encode_query_param(v));
    }
    path += q;
  }
  const std::string ct = req.get_header_value("Content-Type");
  httplib::Result r(nullptr, httplib::Error::Unknown);
  if (req.method == "POST") r = c.Post(path, headers, req.body, ct);
  else if (req.method == "PUT") r = c.Put(path, headers, req.body, ct);
  else if (req.method == "DELETE") r = c.Delete(path, headers, req.body, ct);
  if (!r) {
    spdlog::warn("http: forwarding {} {} to the leader {} failed: {}", req.method, req.path, leader,
                 httplib::to_string(r.error()));
    return false;
  }
  metrics_->forwarded.Increment();
  // Reads here must now include the leader's write (read-your-writes through this replica).
  int64_t revision = 0;
  if (absl::SimpleAtoi(r->get_header_value(kRevisionHeader), &revision) && revision > 0) {
    cache_->NoteWrite(revision);
    res.set_header(kRevisionHeader, std::to_string(revision));
  }
  res.status = r->status;
  res.set_content(r->body, r->get_header_value("Content-Type"));
  return true;
}

void Server::RegisterRoutes() {
  Route("GET", "/version", "version", Access::kOpen, [this](const httplib::Request&, const nlohmann::json&) -> absl::StatusOr<Reply> {
    return Reply{200, {{"version", options_.version}, {"api", "v1"}}};
  });
  Route("GET", "/healthz", "healthz", Access::kOpen, [](const httplib::Request&, const nlohmann::json&) -> absl::StatusOr<Reply> {
    return Reply{200, {{"status", "ok"}}};
  });
  Route("GET", "/readyz", "readyz", Access::kOpen, [this](const httplib::Request&, const nlohmann::json&) -> absl::StatusOr<Reply> {
    if (!ready_) return api::WithErrorCode(absl::UnavailableError("romanad is still loading its state"), "not_ready");
    if (!leadership_.Settled()) return api::WithErrorCode(absl::UnavailableError("no leader is known yet"), "not_ready");
    if (absl::StatusOr<store::Revision> r = raw_store_.CurrentRevision(); !r.ok()) {
      return api::WithErrorCode(absl::UnavailableError(absl::StrCat("the store is unreachable: ", r.status().message())),
                                "not_ready");
    }
    nlohmann::json body = {{"status", "ok"}, {"leader", leadership_.IsLeader()}};
    if (std::string url = leadership_.LeaderUrl(); !url.empty()) body["leader_url"] = url;
    return Reply{200, body};
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    metrics_->leader.Set(leadership_.IsLeader() ? 1 : 0);
    const WatchCache::Stats c = cache_->stats();
    for (const auto& [what, value] : std::vector<std::pair<std::string, double>>{
             {"revision", static_cast<double>(c.revision)},
             {"oldest", static_cast<double>(c.oldest)},
             {"window_events", static_cast<double>(c.window_events)},
             {"window_bytes", static_cast<double>(c.window_bytes)},
             {"records", static_cast<double>(c.records)}}) {
      metrics_->cache.Add({{"what", what}}).Set(value);
    }
    prometheus::TextSerializer serializer;
    res.set_content(serializer.Serialize(registry_.Collect()), "text/plain; version=0.0.4");
  });
  http_->Get("/watch", [this](const httplib::Request& req, httplib::Response& res) { ServeWatch(req, res); });
  RegisterStateRoutes();
  RegisterNetworkPolicyRoutes();
  RegisterIpamRoutes();
  RegisterSnapshotRoute();
}

}  // namespace romana::daemon
