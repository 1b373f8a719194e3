#include "daemon/server.h"

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
#include "http/curl_client.h"
#include "http_server/http_server.h"
#include "spdlog/spdlog.h"

namespace romana::daemon {

using http_server::HttpServer;
using http_server::Request;
using http_server::Response;

namespace {

constexpr char kForwardedHeader[] = "X-Romana-Forwarded";
// On write answers: a revision that includes the write (docs/api.md, "Reads").
constexpr char kRevisionHeader[] = "X-Romana-Revision";

Response JsonResponse(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump() + "\n";
  return r;
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
  if (options.io_threads < 0) return api::FieldError("io_threads", "must not be negative");
  if (options.watch_stream_nice < 0 || options.watch_stream_nice > 19) {
    return api::FieldError("watch_stream_nice", "must be between 0 and 19");
  }
  if (options.max_connections < 1) return api::FieldError("max_connections", "must be at least 1");
  std::unique_ptr<Server> s(new Server(std::move(options), store, leadership, clock, registry, ipam));
  const ServerOptions& o = s->options_;
  http_server::ServerOptions ho;
  ho.host = o.host;
  ho.port = o.port;
  ho.tls_cert_file = o.tls_cert_file;
  ho.tls_key_file = o.tls_key_file;
  ho.io_threads = o.io_threads;
  ho.stream_io_threads = o.io_threads;
  ho.stream_nice = o.watch_stream_nice;
  ho.worker_threads = o.threads;
  ho.max_connections = o.max_connections;
  ho.max_body_bytes = o.max_body_bytes;
  ho.header_timeout = o.header_timeout;
  ho.idle_timeout = o.idle_timeout;
  ho.not_found = [](const Request& req) {
    return JsonResponse(404, ErrorBody("not_found", absl::StrCat("no such resource: ", req.method, " ", req.path,
                                                                  " (see docs/api.md)")));
  };
  absl::StatusOr<std::unique_ptr<HttpServer>> http = HttpServer::Create(std::move(ho));
  if (!http.ok()) return http.status();
  s->http_ = *std::move(http);
  http::CurlClientOptions fo;
  fo.tls.ca_file = o.leader_ca_file;
  s->forward_client_ = std::make_unique<http::CurlClient>(std::move(fo));
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
  auto& conns = prometheus::BuildGauge().Name("romanad_http_connections").Help("Open HTTP connections").Register(registry);
  s->metrics_.reset(new Metrics{requests, latency, streams.Add({}), events.Add({}), leader.Add({}), fwd.Add({}),
                                cache_gauges, conns.Add({})});
  absl::StatusOr<std::unique_ptr<WatchCache>> cache =
      WatchCache::Create(store, {.prefix = s->options_.prefix,
                                 .window_events = s->options_.watch_cache_events,
                                 .window_bytes = s->options_.watch_cache_bytes});
  if (!cache.ok()) return cache.status();
  s->cache_ = *std::move(cache);
  s->store_.SetCommitObserver([cache = s->cache_.get()](store::Revision r) { cache->NoteWrite(r); });
  s->RegisterRoutes();
  return s;
}

Server::~Server() { Stop(); }

absl::Status Server::Start() {
  if (absl::Status st = http_->Start(); !st.ok()) return st;
  port_ = http_->port();
  spdlog::info("romanad: serving the REST API on {}://{}:{}", options_.tls_cert_file.empty() ? "http" : "https",
               options_.host, port_);
  return absl::OkStatus();
}

void Server::Stop() {
  if (stopping_.exchange(true)) return;
  // Streams end first (they hold cache cursors), then the cache's store watch.
  if (http_) http_->Stop();
  if (cache_) cache_->Stop();
}

void Server::Route(const std::string& method, const std::string& pattern, const std::string& name, Access access,
                   Handler handler) {
  http_->Handle(method, pattern, [this, name, access, handler = std::move(handler)](const Request& req) {
    return Serve(req, name, access, handler);
  });
}

Response Server::Serve(const Request& req, const std::string& name, Access access, const Handler& handler) {
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&](Response res) {
    metrics_->requests.Add({{"route", name}, {"method", req.method}, {"code", std::to_string(res.status)}}).Increment();
    metrics_->latency
        .Add({{"route", name}}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                         0.05, 0.1, 0.25, 0.5, 1, 2.5})
        .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return res;
  };
  auto fail = [&](const absl::Status& s) {
    HttpError e = ToHttpError(s);
    Response res = JsonResponse(e.status, e.body);
    if (e.retry_after_seconds > 0) res.headers.emplace_back("Retry-After", std::to_string(e.retry_after_seconds));
    return finish(std::move(res));
  };
  // Auth.
  if (options_.auth.has_value() && (access == Access::kWrite || (access == Access::kRead && options_.auth_reads))) {
    if (!options_.auth->Check(req.Header("Authorization"))) {
      Response res = JsonResponse(
          401, ErrorBody("unauthenticated", req.HasHeader("Authorization")
                                                ? "the bearer token is wrong"
                                                : "this call needs \"Authorization: Bearer <token>\" (romanad --token-file)"));
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      return finish(std::move(res));
    }
  }
  // Followers forward writes to the leader.
  if (access == Access::kWrite && !leadership_.IsLeader()) {
    std::optional<Response> forwarded = Forward(req);
    if (!forwarded.has_value()) return fail(NotLeaderError(leadership_.LeaderUrl()));
    return finish(*std::move(forwarded));
  }
  // Body.
  nlohmann::json body;
  if (req.method == "POST" || req.method == "PUT") {
    if (!IsJsonContentType(req.Header("Content-Type"))) {
      return finish(JsonResponse(
          415, ErrorBody("unsupported_media_type",
                         absl::StrCat("the body must be JSON with Content-Type: application/json (got \"",
                                      req.Header("Content-Type"), "\")"))));
    }
    absl::StatusOr<nlohmann::json> parsed = api::ParseJson(req.body);
    if (!parsed.ok()) return fail(parsed.status());
    body = *std::move(parsed);
  }
  absl::StatusOr<Reply> reply = handler(req, body);
  if (!reply.ok()) {
    if (reply.status().code() == absl::StatusCode::kInternal || reply.status().code() == absl::StatusCode::kDataLoss ||
        reply.status().code() == absl::StatusCode::kUnknown) {
      spdlog::error("http: {} {}: {}", req.method, req.path, reply.status().ToString());
    }
    return fail(reply.status());
  }
  Response res;
  if (reply->raw.empty()) {
    res = JsonResponse(reply->status, reply->body);
  } else {
    res.status = reply->status;
    res.body = std::move(reply->raw);
  }
  if (access == Access::kWrite) res.headers.emplace_back(kRevisionHeader, std::to_string(cache_->noted_write()));
  return finish(std::move(res));
}

std::optional<Response> Server::Forward(const Request& req) {
  const std::string leader = leadership_.LeaderUrl();
  if (leader.empty() || req.HasHeader(kForwardedHeader)) return std::nullopt;
  // Never send a client's token to a server this replica cannot verify: the leader's URL comes
  // from the store, so whoever can write there could otherwise collect tokens.
  const bool https = absl::StartsWithIgnoreCase(leader, "https://");
  if (https && options_.leader_ca_file.empty()) {
    return JsonResponse(
        503, ErrorBody("unavailable",
                       absl::StrCat("this replica is not the leader and cannot forward the write to the leader at ",
                                    leader, ": verifying its certificate needs --leader-ca-file; send writes to the "
                                    "leader directly")));
  }
  if (!https && req.HasHeader("Authorization")) {
    return JsonResponse(
        503, ErrorBody("unavailable",
                       absl::StrCat("this replica is not the leader and does not forward a bearer token to the leader "
                                    "at ", leader, ": a plain http URL cannot be verified (serve TLS with "
                                    "--tls-cert-file, advertise an https URL and give followers --leader-ca-file); "
                                    "send writes to the leader directly")));
  }
  http::Request out;
  out.method = req.method;
  out.url = leader + req.target;  // path and query exactly as the client sent them
  out.headers.emplace_back(kForwardedHeader, "1");
  if (req.HasHeader("Authorization")) out.headers.emplace_back("Authorization", req.Header("Authorization"));
  if (req.HasHeader("Content-Type")) out.headers.emplace_back("Content-Type", req.Header("Content-Type"));
  out.body = req.body;
  out.timeout = options_.forward_timeout;
  out.connect_timeout = std::min(options_.forward_timeout, std::chrono::milliseconds(5000));
  absl::StatusOr<http::Response> r = forward_client_->Send(out);
  if (!r.ok()) {
    spdlog::warn("http: forwarding {} {} to the leader {} failed: {}", req.method, req.path, leader,
                 r.status().ToString());
    return std::nullopt;
  }
  metrics_->forwarded.Increment();
  Response res;
  // Reads here must now include the leader's write (read-your-writes through this replica).
  int64_t revision = 0;
  if (absl::SimpleAtoi(r->Header(kRevisionHeader), &revision) && revision > 0) {
    cache_->NoteWrite(revision);
    res.headers.emplace_back(kRevisionHeader, std::to_string(revision));
  }
  if (!r->Header("Retry-After").empty()) res.headers.emplace_back("Retry-After", r->Header("Retry-After"));
  res.status = r->status;
  res.content_type = r->Header("Content-Type");
  res.body = std::move(r->body);
  return res;
}

void Server::RegisterRoutes() {
  Route("GET", "/version", "version", Access::kOpen, [this](const Request&, const nlohmann::json&) -> absl::StatusOr<Reply> {
    return Reply{200, {{"version", options_.version}, {"api", "v1"}}};
  });
  Route("GET", "/healthz", "healthz", Access::kOpen, [](const Request&, const nlohmann::json&) -> absl::StatusOr<Reply> {
    return Reply{200, {{"status", "ok"}}};
  });
  Route("GET", "/readyz", "readyz", Access::kOpen, [this](const Request&, const nlohmann::json&) -> absl::StatusOr<Reply> {
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
  http_->Handle("GET", "/metrics", [this](const Request&) {
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
    metrics_->connections.Set(static_cast<double>(http_->open_connections()));
    Response res;
    res.content_type = "text/plain; version=0.0.4";
    res.body = prometheus::TextSerializer().Serialize(registry_.Collect());
    return res;
  });
  http_->HandleAsync("GET", "/watch", [this](const Request& req, http_server::Responder responder) {
    ServeWatch(req, std::move(responder));
  });
  RegisterStateRoutes();
  RegisterNetworkPolicyRoutes();
  RegisterVipRoutes();
  RegisterIpamRoutes();
  RegisterSnapshotRoute();
  RegisterEndpointBatchRoute();
}

}  // namespace romana::daemon
