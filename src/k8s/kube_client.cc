#include "k8s/kube_client.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "api/json_reader.h"
#include "base/token_file.h"
#include "http/url.h"

namespace romana::k8s {

using nlohmann::json;

http::CurlClientOptions MakeHttpOptions(const KubeConfig& c) {
  return http::CurlClientOptions{.tls = {.verify = !c.insecure_skip_verify,
                                         .ca_file = c.ca_file,
                                         .ca_pem = c.ca_data,
                                         .client_cert_file = c.client_cert_file,
                                         .client_key_file = c.client_key_file,
                                         .client_cert_pem = c.client_cert_data,
                                         .client_key_pem = c.client_key_data,
                                         .server_name = c.tls_server_name},
                                 .retry = {.max_attempts = 4,
                                           .base_delay = std::chrono::milliseconds(200),
                                           .max_delay = std::chrono::seconds(2)}};
}

absl::StatusOr<http::Headers> KubeClient::Headers() const {
  http::Headers h = {{"Accept", "application/json"}, {"User-Agent", "romana/0.1"}};
  std::string token = config_.token;
  if (!config_.token_file.empty()) {
    // Re-read for every request: service account tokens rotate.
    absl::StatusOr<std::string> read = base::ReadTokenFile(config_.token_file);
    if (!read.ok()) return absl::UnavailableError(read.status().message());
    token = *std::move(read);
  }
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  return h;
}

absl::Status KubeClient::StatusFor(int code, const std::string& body, const std::string& what) const {
  std::string msg = body.substr(0, 300);
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) msg = j["message"];
  const std::string text = absl::StrCat(what, ": HTTP ", code, ": ", msg);
  if (code == 404) return absl::NotFoundError(text);
  if (code == 401 || code == 403) return absl::PermissionDeniedError(text);
  if (code == 410) return absl::FailedPreconditionError(text);
  if (code == 409) return absl::AlreadyExistsError(text);
  if (code >= 500 || code == 429) return absl::UnavailableError(text);
  return absl::InvalidArgumentError(text);
}

absl::StatusOr<json> KubeClient::Get(const std::string& path) {
  absl::StatusOr<http::Headers> h = Headers();
  if (!h.ok()) return h.status();
  absl::StatusOr<http::Response> r = http_.Send({.method = "GET", .url = config_.server + path, .headers = *h});
  if (!r.ok()) return r.status();
  if (r->status != 200) return StatusFor(r->status, r->body, "GET " + path);
  absl::StatusOr<json> j = api::ParseJson(r->body);
  if (!j.ok()) return absl::InvalidArgumentError(absl::StrCat("GET ", path, ": answer: ", j.status().message()));
  return j;
}

namespace {

// "&labelSelector=...&fieldSelector=..." for the non-empty ones.
std::string SelectorQuery(const Selectors& s) {
  std::string q;
  if (!s.label.empty()) absl::StrAppend(&q, "&labelSelector=", http::PercentEncode(s.label, false));
  if (!s.field.empty()) absl::StrAppend(&q, "&fieldSelector=", http::PercentEncode(s.field, false));
  return q;
}

}  // namespace

absl::StatusOr<json> KubeClient::Write(const std::string& method, const std::string& path, const json& object,
                                       const std::string& content_type) {
  absl::StatusOr<http::Headers> h = Headers();
  if (!h.ok()) return h.status();
  h->emplace_back("Content-Type", content_type);
  absl::StatusOr<http::Response> r =
      http_.Send({.method = method, .url = config_.server + path, .headers = *h, .body = object.dump()});
  const std::string what = absl::StrCat(method, " ", path);
  if (!r.ok()) return r.status();
  if (r->status == 409 && (method == "PUT" || method == "PATCH")) {
    return absl::AbortedError(absl::StrCat(what, ": conflict (the object changed since it was read)"));
  }
  if (r->status != 200 && r->status != 201) return StatusFor(r->status, r->body, what);
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return absl::InvalidArgumentError(absl::StrCat(what, ": answer is not JSON"));
  return j;
}

absl::StatusOr<json> KubeClient::Create(const std::string& collection_path, const json& object) {
  return Write("POST", collection_path, object);
}

absl::StatusOr<json> KubeClient::Update(const std::string& path, const json& object) {
  return Write("PUT", path, object);
}

absl::StatusOr<json> KubeClient::MergePatch(const std::string& path, const json& patch) {
  return Write("PATCH", path, patch, "application/merge-patch+json");
}

absl::StatusOr<ListResult> KubeClient::List(const std::string& path, const Selectors& selectors,
                                            const std::function<json(json)>& transform,
                                            const std::function<void(std::span<const json>)>& on_page) {
  ListResult out;
  std::string cont;
  for (int page = 0; page < 10000; ++page) {
    std::string url = absl::StrCat(path, "?limit=500");
    absl::StrAppend(&url, SelectorQuery(selectors));
    if (!cont.empty()) absl::StrAppend(&url, "&continue=", http::PercentEncode(cont, false));
    absl::StatusOr<json> j = Get(url);
    if (!j.ok()) return j.status();
    if (!j->contains("items") || !(*j)["items"].is_array()) {
      return absl::InvalidArgumentError(absl::StrCat("LIST ", path, ": no items array"));
    }
    const size_t before = out.items.size();
    for (json& item : (*j)["items"]) out.items.push_back(transform ? transform(std::move(item)) : std::move(item));
    if (on_page) on_page(std::span<const json>(out.items).subspan(before));
    const json& meta = j->value("metadata", json::object());
    out.resource_version = meta.value("resourceVersion", "");
    cont = meta.value("continue", "");
    if (cont.empty()) return out;
  }
  return absl::InternalError(absl::StrCat("LIST ", path, ": too many pages"));
}

absl::Status KubeClient::Watch(const std::string& path, const std::string& resource_version, int timeout_seconds,
                               const std::function<void(const WatchEvent&)>& on_event,
                               const std::atomic<bool>* cancel, const Selectors& selectors) {
  absl::StatusOr<http::Headers> h = Headers();
  if (!h.ok()) return h.status();
  absl::Status stream_error;
  http::Request req{
      .method = "GET",
      .url = absl::StrCat(config_.server, path, "?watch=true&allowWatchBookmarks=true&resourceVersion=",
                          http::PercentEncode(resource_version), "&timeoutSeconds=", timeout_seconds,
                          SelectorQuery(selectors)),
      .headers = *h,
      .timeout = std::chrono::milliseconds(0),
      .cancel = cancel};
  // Each line of a 200 answer is one JSON event; lines that are not events are skipped. The
  // body of any other answer is collected and judged afterwards.
  req.on_line = [&](absl::string_view line) {
    if (absl::StripAsciiWhitespace(line).empty()) return true;
    // Lines are bounded by Request::max_line_bytes; nesting and numbers by api::ParseJson. A
    // hostile event ends the watch (the reflector re-lists) instead of being dropped unseen.
    absl::StatusOr<json> parsed = api::ParseJson(line);
    if (!parsed.ok()) {
      stream_error = absl::InvalidArgumentError(absl::StrCat("watch ", path, ": event: ", parsed.status().message()));
      return false;
    }
    json& j = *parsed;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) return true;
    WatchEvent ev{j["type"].get<std::string>(), j.value("object", json::object())};
    if (ev.type == "ERROR") {
      const int code = ev.object.value("code", 0);
      const std::string msg = ev.object.value("message", "");
      stream_error = code == 410 ? absl::FailedPreconditionError(absl::StrCat("watch ", path, ": ", msg))
                                 : absl::UnavailableError(absl::StrCat("watch ", path, ": ERROR ", code, ": ", msg));
      return false;
    }
    on_event(ev);
    return true;
  };
  absl::StatusOr<http::Response> r = http_.Send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) return StatusFor(r->status, r->body, "watch " + path);
  return stream_error;
}

}  // namespace romana::k8s
