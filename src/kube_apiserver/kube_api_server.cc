#include "kube_apiserver/kube_api_server.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "http_server/http_server.h"
#include "kube_apiserver/api_status.h"
#include "kube_apiserver/discovery.h"
#include "kube_apiserver/object_store.h"
#include "kube_apiserver/patch.h"
#include "kube_apiserver/protobuf_body.h"
#include "kube_apiserver/resources.h"
#include "kube_apiserver/table.h"
#include "kube_apiserver/watch_stream.h"

namespace romana::kube_apiserver {
namespace {

using http_server::HttpServer;
using http_server::Request;
using http_server::Responder;
using http_server::Response;
using nlohmann::json;

// Objects nest far less than this; deeper input is refused before it can exhaust the stack.
constexpr int kMaxJsonDepth = 64;

Response JsonResponse(int code, std::string body) {
  Response res;
  res.status = code;
  res.body = std::move(body);
  return res;
}

Response ErrorResponse(const absl::Status& s) {
  Response res = JsonResponse(HttpCodeOf(s), StatusObject(s).dump());
  if (res.status == 401) res.headers.emplace_back("WWW-Authenticate", "Bearer");
  return res;
}

absl::StatusOr<json> ParseBody(const std::string& body) {
  bool too_deep = false;
  json j = json::parse(
      body,
      [&](int depth, json::parse_event_t, json&) {
        if (depth > kMaxJsonDepth) too_deep = true;
        return !too_deep;
      },
      false);
  if (too_deep) return BadRequestError(absl::StrCat("the body nests deeper than ", kMaxJsonDepth, " levels"));
  if (j.is_discarded()) return BadRequestError("the body is not valid JSON");
  return j;
}

// A request path below /api/v1 or /apis/<group>/<version>, resolved.
struct Target {
  int resource = -1;
  std::string ns;    // from /namespaces/<ns>/...; "" for cluster-scoped or all namespaces
  std::string name;  // "" for a collection
};

absl::StatusOr<Target> ResolvePath(const std::string& group, const std::string& version,
                                   const std::vector<std::string>& segs) {
  Target t;
  size_t i = 0;
  if (segs.size() >= 3 && segs[0] == "namespaces") {
    t.ns = segs[1];
    i = 2;
  }
  t.resource = ResourceIndex(segs[i]);
  const std::vector<std::string> rest(segs.begin() + static_cast<long>(i) + 1, segs.end());
  const ResourceInfo* r = t.resource >= 0 ? &ServedResources()[static_cast<size_t>(t.resource)] : nullptr;
  if (!r || r->group != group || r->version != version || (!t.ns.empty() && !r->namespaced)) {
    return absl::NotFoundError("the server could not find the requested resource");
  }
  if (rest.size() > 2 || (rest.size() == 2 && rest[1] != "status")) {
    return absl::NotFoundError("the server could not find the requested resource (unknown subresource)");
  }
  if (!rest.empty()) t.name = rest[0];
  return t;
}

std::string ListBody(const ResourceInfo& r, const ObjectStore::ListResult& list) {
  size_t size = 256;
  for (const ObjectPtr& o : list.items) size += o->text.size() + 1;
  std::string out;
  out.reserve(size);
  absl::StrAppend(&out, R"({"kind":")", r.kind, R"(List","apiVersion":")", r.api_version(),
                  R"(","metadata":{"resourceVersion":")", list.resource_version, "\"");
  if (!list.continue_token.empty()) absl::StrAppend(&out, R"(,"continue":")", list.continue_token, "\"");
  out += R"(},"items":[)";
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i) out += ',';
    out += list.items[i]->text;
  }
  out += "]}";
  return out;
}

// A create or update body: JSON, or a protobuf Namespace (kubectl create namespace).
absl::StatusOr<json> ObjectBody(const Request& req) {
  const std::string type = req.Header("Content-Type");
  if (type.compare(0, kProtobufContentType.size(), kProtobufContentType) == 0) {
    absl::StatusOr<json> ns = DecodeProtobufNamespace(req.body);
    if (!ns.ok()) return UnsupportedMediaTypeError(std::string(ns.status().message()));
    return ns;
  }
  return ParseBody(req.body);
}

bool IsTrue(const std::string& v) { return v == "true" || v == "1"; }

std::chrono::system_clock::time_point WallNow(const base::Clock* clock) {
  return clock ? clock->WallNow() : base::SystemClock().WallNow();
}

// The Table (table.h) answering a list or a get, with the list's (or the object's) resourceVersion.
Response TableResponse(int resource, const TableRequest& table, const std::vector<ObjectPtr>& items,
                       int64_t resource_version, const std::string& continue_token,
                       std::chrono::system_clock::time_point now) {
  std::vector<std::string_view> texts;
  texts.reserve(items.size());
  for (const ObjectPtr& o : items) texts.push_back(o->text);
  json meta = {{"resourceVersion", absl::StrCat(resource_version)}};
  if (!continue_token.empty()) meta["continue"] = continue_token;
  const std::string& plural = ServedResources()[static_cast<size_t>(resource)].plural;
  return JsonResponse(200, TableDocument(plural, table, texts, std::move(meta), true, now).dump());
}

}  // namespace

absl::StatusOr<std::unique_ptr<KubeApiServer>> KubeApiServer::Start(KubeApiServerOptions options) {
  std::unique_ptr<KubeApiServer> s(new KubeApiServer());
  s->options_ = std::move(options);
  const KubeApiServerOptions& o = s->options_;
  s->store_ = std::make_unique<ObjectStore>(ObjectStoreOptions{.window_events = o.window_events,
                                                               .initial_namespaces = o.initial_namespaces,
                                                               .clock = o.clock,
                                                               .seed = o.seed});
  absl::StatusOr<std::unique_ptr<HttpServer>> srv = HttpServer::Create({.host = o.host,
                                                                        .port = o.port,
                                                                        .tls_cert_file = o.tls_cert_file,
                                                                        .tls_key_file = o.tls_key_file,
                                                                        .io_threads = o.io_threads,
                                                                        .worker_threads = o.worker_threads,
                                                                        .max_body_bytes = 3 << 20});
  if (!srv.ok()) return srv.status();
  s->server_ = *std::move(srv);
  s->scheme_ = o.tls_cert_file.empty() ? "http" : "https";
  s->Install();
  if (absl::Status st = s->server_->Start(); !st.ok()) {
    return absl::UnavailableError(absl::StrCat("Kubernetes API: cannot listen on ", o.host, ":", o.port, ": ",
                                               st.message()));
  }
  s->port_ = s->server_->port();
  return s;
}

KubeApiServer::~KubeApiServer() {
  if (server_) server_->Stop();
}

std::string KubeApiServer::url() const { return absl::StrCat(scheme_, "://", options_.host, ":", port_); }

int64_t KubeApiServer::resource_version() const { return store_->resource_version(); }

json KubeApiServer::Put(const std::string& resource, json object) {
  const int r = ResourceIndex(resource);
  if (r < 0) std::abort();  // a programming error: not a served resource
  absl::StatusOr<ObjectPtr> out = store_->Put(r, std::move(object));
  if (!out.ok()) return StatusObject(out.status());
  return json::parse((*out)->text);
}

bool KubeApiServer::Remove(const std::string& resource, const std::string& name) { return Remove(resource, "", name); }

bool KubeApiServer::Remove(const std::string& resource, const std::string& ns, const std::string& name) {
  const int r = ResourceIndex(resource);
  if (r < 0) std::abort();
  return store_->Delete(r, ns, name).ok();
}

std::vector<json> KubeApiServer::Objects(const std::string& resource, const std::string& ns) const {
  const int r = ResourceIndex(resource);
  if (r < 0) std::abort();
  std::vector<json> out;
  absl::StatusOr<ObjectStore::ListResult> list = store_->List(r, {.ns = ns});
  if (!list.ok()) return out;
  for (const ObjectPtr& o : list->items) out.push_back(json::parse(o->text));
  return out;
}

void KubeApiServer::Compact() { store_->Compact(); }

void KubeApiServer::DropWatches() {
  ++control_.drop_generation;
  store_->WakeAll();
}

void KubeApiServer::HoldWatches() { control_.held = true; }

void KubeApiServer::ReleaseWatches() {
  control_.held = false;
  store_->WakeAll();
}

int KubeApiServer::watch_requests() const { return control_.requests.load(); }

void KubeApiServer::Install() {
  server_->Handle(
      "GET", "/(healthz|livez|readyz)", [](const Request&) { return JsonResponse(200, "ok"); },
      HttpServer::Run::kInline);
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    server_->HandleAsync(method, "/.*", [this](const Request& req, Responder responder) {
      Serve(req, std::move(responder));
    });
  }
}

void KubeApiServer::Serve(const Request& req, Responder responder) {
  auto send = [&](int code, const json& j) { responder.Send(JsonResponse(code, j.dump())); };
  auto fail = [&](const absl::Status& s) { responder.Send(ErrorResponse(s)); };
  if (!options_.bearer_token.empty() && req.Header("Authorization") != "Bearer " + options_.bearer_token) {
    return fail(UnauthorizedError());
  }
  const std::string& path = req.path;
  std::vector<std::string> segs = absl::StrSplit(path, '/', absl::SkipEmpty());
  if (req.method == "GET") {
    if (path == "/version") return send(200, VersionDocument());
    if (path == "/api") return send(200, CoreVersionsDocument(absl::StrCat(options_.host, ":", port_)));
    if (path == "/apis") return send(200, GroupListDocument());
    if (path == "/openapi/v3") return send(200, OpenApiV3Index());
    if (segs.size() >= 3 && segs[0] == "openapi" && segs[1] == "v3") {
      std::optional<json> doc = OpenApiV3Document(path.substr(std::string("/openapi/v3/").size()));
      if (doc) return send(200, *doc);
    }
    if (segs.size() == 2 && segs[0] == "api") {
      if (std::optional<json> doc = ResourceListDocument("", segs[1])) return send(200, *doc);
    }
    if (segs.size() == 2 && segs[0] == "apis") {
      if (std::optional<json> doc = GroupDocument(segs[1])) return send(200, *doc);
    }
    if (segs.size() == 3 && segs[0] == "apis") {
      if (std::optional<json> doc = ResourceListDocument(segs[1], segs[2])) return send(200, *doc);
    }
  }
  std::string group, version;
  std::vector<std::string> rest;
  if (segs.size() >= 3 && segs[0] == "api") {
    version = segs[1];
    rest.assign(segs.begin() + 2, segs.end());
  } else if (segs.size() >= 4 && segs[0] == "apis") {
    group = segs[1];
    version = segs[2];
    rest.assign(segs.begin() + 3, segs.end());
  } else {
    return fail(absl::NotFoundError("the server could not find the requested resource"));
  }
  absl::StatusOr<Target> target = ResolvePath(group, version, rest);
  if (!target.ok()) return fail(target.status());
  const ResourceInfo& r = ServedResources()[static_cast<size_t>(target->resource)];
  if (req.HasParam("dryRun")) return fail(BadRequestError("dryRun is not supported by the lab's Kubernetes API"));
  std::optional<TableRequest> table;  // kubectl get asks for server-side printing
  if (req.method == "GET") {
    absl::StatusOr<std::optional<TableRequest>> t =
        ParseTableRequest(req.Header("Accept"), req.Param("includeObject"));
    if (!t.ok()) return fail(BadRequestError(std::string(t.status().message())));
    table = *t;
  }

  if (target->name.empty()) {  // a collection
    if (req.method == "GET") {
      absl::StatusOr<LabelSelector> labels = LabelSelector::Parse(req.Param("labelSelector"));
      if (!labels.ok()) return fail(BadRequestError(std::string(labels.status().message())));
      absl::StatusOr<FieldSelector> fields = FieldSelector::Parse(req.Param("fieldSelector"), r.selectable_fields);
      if (!fields.ok()) return fail(BadRequestError(std::string(fields.status().message())));
      if (IsTrue(req.Param("watch"))) {
        ObjectStore::WatchOptions wo{.ns = target->ns, .labels = *std::move(labels), .fields = *std::move(fields)};
        const std::string rv = req.Param("resourceVersion");
        const bool initial_events = IsTrue(req.Param("sendInitialEvents"));
        if (!initial_events && !rv.empty() && rv != "0") {
          int64_t from = 0;
          if (!absl::SimpleAtoi(rv, &from) || from < 0) {
            return fail(BadRequestError("resourceVersion: must be a non-negative integer"));
          }
          wo.from = from;
        }
        WatchStreamOptions so{.resource = target->resource,
                              .bookmarks = IsTrue(req.Param("allowWatchBookmarks")),
                              .initial_events_end = initial_events,
                              .bookmark_interval = options_.bookmark_interval,
                              .timeout = options_.default_watch_timeout,
                              .clock = options_.clock,
                              .table = table};
        if (req.HasParam("timeoutSeconds")) {
          int64_t t = 0;
          if (!absl::SimpleAtoi(req.Param("timeoutSeconds"), &t) || t < 0) {
            return fail(BadRequestError("timeoutSeconds: must be a non-negative integer"));
          }
          if (t > 0) so.timeout = std::chrono::seconds(t);
        }
        so.generation = control_.drop_generation.load();
        ++control_.requests;
        std::unique_ptr<ObjectStore::Cursor> cursor = store_->Watch(target->resource, std::move(wo));
        Response head;
        head.headers.emplace_back("Cache-Control", "no-cache, private");
        std::shared_ptr<http_server::Stream> stream = responder.StartStream(std::move(head));
        if (!stream) return;
        return StartWatchStream(std::move(cursor), std::move(stream), control_, so);
      }
      ObjectStore::ListOptions lo{.ns = target->ns, .labels = *std::move(labels), .fields = *std::move(fields)};
      if (req.HasParam("limit") && (!absl::SimpleAtoi(req.Param("limit"), &lo.limit) || lo.limit < 0)) {
        return fail(BadRequestError("limit: must be a non-negative integer"));
      }
      lo.continue_token = req.Param("continue");
      absl::StatusOr<ObjectStore::ListResult> list = store_->List(target->resource, lo);
      if (!list.ok()) return fail(list.status());
      if (table) {
        return responder.Send(TableResponse(target->resource, *table, list->items, list->resource_version,
                                            list->continue_token, WallNow(options_.clock)));
      }
      return responder.Send(JsonResponse(200, ListBody(r, *list)));
    }
    if (req.method == "POST") {
      if (r.namespaced && target->ns.empty()) {
        return fail(MethodNotAllowedError("create a namespaced object under /namespaces/<namespace>/"));
      }
      absl::StatusOr<json> body = ObjectBody(req);
      if (!body.ok()) return fail(body.status());
      absl::StatusOr<ObjectPtr> out = store_->Create(target->resource, target->ns, *std::move(body));
      if (!out.ok()) return fail(out.status());
      return responder.Send(JsonResponse(201, (*out)->text));
    }
    return fail(MethodNotAllowedError(absl::StrCat(req.method, " is not supported on a collection")));
  }

  if (r.namespaced && target->ns.empty()) {
    return fail(absl::NotFoundError("the server could not find the requested resource"));
  }
  if (req.method == "GET") {
    absl::StatusOr<ObjectPtr> out = store_->Get(target->resource, target->ns, target->name);
    if (!out.ok()) return fail(out.status());
    if (table) {
      return responder.Send(
          TableResponse(target->resource, *table, {*out}, (*out)->resource_version, "", WallNow(options_.clock)));
    }
    return responder.Send(JsonResponse(200, (*out)->text));
  }
  if (req.method == "PUT") {
    absl::StatusOr<json> body = ObjectBody(req);
    if (!body.ok()) return fail(body.status());
    bool created = false;
    absl::StatusOr<ObjectPtr> out = store_->Update(target->resource, target->ns, target->name, *std::move(body), &created);
    if (!out.ok()) return fail(out.status());
    return responder.Send(JsonResponse(created ? 201 : 200, (*out)->text));
  }
  if (req.method == "PATCH") {
    const std::string content_type = req.Header("Content-Type");
    std::optional<PatchType> type = PatchTypeOf(content_type);
    if (!type) {
      return fail(UnsupportedMediaTypeError(absl::StrCat(
          "the lab's Kubernetes API accepts merge, strategic merge and JSON patches, not \"", content_type,
          "\" (server-side apply is not served: use client-side kubectl apply)")));
    }
    absl::StatusOr<json> patch = ParseBody(req.body);
    if (!patch.ok()) return fail(patch.status());
    absl::StatusOr<ObjectPtr> out =
        store_->Mutate(target->resource, target->ns, target->name,
                       [&](json current) { return ApplyPatch(*type, std::move(current), *patch); });
    if (!out.ok()) return fail(out.status());
    return responder.Send(JsonResponse(200, (*out)->text));
  }
  if (req.method == "DELETE") {
    std::string rv, uid;
    // DeleteOptions in JSON; a protobuf one (typed clients) is ignored but for its effect.
    if (!req.body.empty() && req.Header("Content-Type").find("protobuf") == std::string::npos) {
      absl::StatusOr<json> opts = ParseBody(req.body);
      if (!opts.ok()) return fail(opts.status());
      if (opts->is_object() && opts->contains("preconditions") && (*opts)["preconditions"].is_object()) {
        rv = (*opts)["preconditions"].value("resourceVersion", "");
        uid = (*opts)["preconditions"].value("uid", "");
      }
    }
    absl::StatusOr<ObjectPtr> out = store_->Delete(target->resource, target->ns, target->name, rv, uid);
    if (!out.ok()) return fail(out.status());
    return send(200, DeletedStatus(r, target->name, (*out)->uid));
  }
  return fail(MethodNotAllowedError(absl::StrCat(req.method, " is not supported")));
}

}  // namespace romana::kube_apiserver
