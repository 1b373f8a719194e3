// kube_client.h: a minimal Kubernetes API client: GET, LIST (with resourceVersion) and WATCH
// (newline-delimited JSON events) of any resource path, e.g. "/api/v1/nodes",
// "/api/v1/namespaces", "/api/v1/pods", "/apis/networking.k8s.io/v1/networkpolicies", with
// label and field selectors on both; and CREATE (POST) / UPDATE (PUT) / merge PATCH of one object
// (leader election's Lease; the listener's Service externalIPs and Events).
// HTTP goes through the project's client (http::Client). Thread-safe (the HTTP client is; the
// client keeps no per-call state).
#ifndef ROMANA_K8S_KUBE_CLIENT_H_
#define ROMANA_K8S_KUBE_CLIENT_H_

#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "http/client.h"
#include "http/curl_client.h"
#include "k8s/kube_config.h"
#include "nlohmann/json.hpp"

namespace romana::k8s {

struct ListResult {
  std::vector<nlohmann::json> items;
  std::string resource_version;   // metadata.resourceVersion of the list: watch from here.
};

// Server-side filters of a list or watch (both empty = everything). Text as kubectl takes it:
// label "app=web,tier!=db", field "spec.nodeName=node-1".
struct Selectors {
  std::string label;
  std::string field;
};

struct WatchEvent {
  std::string type;               // ADDED | MODIFIED | DELETED | BOOKMARK | ERROR
  nlohmann::json object;
};

class KubeClient {
 public:
  // `http` must outlive the client and be configured with the TLS settings of `config`
  // (see MakeHttpOptions).
  KubeClient(http::Client& http, KubeConfig config) : http_(http), config_(std::move(config)) {}

  // GET path. Errors: NotFound (404), PermissionDenied (401/403), Unavailable (transport, 5xx),
  // InvalidArgument (not JSON).
  absl::StatusOr<nlohmann::json> Get(const std::string& path);

  // Every page of a list (limit/continue), filtered by `selectors`. `transform` (optional)
  // reduces each item as its page arrives, so a large list is never held in full form.
  // `on_page` (optional) sees each page's (transformed) items as soon as the page is in.
  absl::StatusOr<ListResult> List(const std::string& path, const Selectors& selectors = {},
                                  const std::function<nlohmann::json(nlohmann::json)>& transform = nullptr,
                                  const std::function<void(std::span<const nlohmann::json>)>& on_page = nullptr);

  // POST `object` to the collection `path`; returns the created object. AlreadyExists (409) when
  // the name is taken; other errors as Get().
  absl::StatusOr<nlohmann::json> Create(const std::string& collection_path, const nlohmann::json& object);
  // PUT `object` at `path` (optimistic concurrency: metadata.resourceVersion must be the stored
  // one); returns the stored object. Aborted (409) when another writer got there first;
  // NotFound when the object is gone; other errors as Get().
  absl::StatusOr<nlohmann::json> Update(const std::string& path, const nlohmann::json& object);
  // PATCH `path` with a JSON merge patch (RFC 7386, application/merge-patch+json); returns the
  // stored object. A patch that sets metadata.resourceVersion is a precondition: Aborted (409)
  // when the object changed since it was read. NotFound when the object is gone; other errors
  // as Get().
  absl::StatusOr<nlohmann::json> MergePatch(const std::string& path, const nlohmann::json& patch);

  // Watches `path` from `resource_version` and calls `on_event` for each event until the server
  // ends the stream (OK), `cancel` becomes true (Cancelled), or an error. A too-old
  // resourceVersion (HTTP 410, or an ERROR event with code 410) returns FailedPrecondition:
  // the caller must re-list. Bookmarks are requested and delivered as BOOKMARK events. Only
  // objects matching `selectors` are delivered (one that stops matching arrives as DELETED).
  absl::Status Watch(const std::string& path, const std::string& resource_version, int timeout_seconds,
                     const std::function<void(const WatchEvent&)>& on_event,
                     const std::atomic<bool>* cancel = nullptr, const Selectors& selectors = {});

  const KubeConfig& config() const { return config_; }

 private:
  absl::StatusOr<http::Headers> Headers() const;
  absl::Status StatusFor(int http_status, const std::string& body, const std::string& what) const;
  absl::StatusOr<nlohmann::json> Write(const std::string& method, const std::string& path,
                                       const nlohmann::json& object,
                                       const std::string& content_type = "application/json");

  http::Client& http_;
  KubeConfig config_;
};

// The HTTP client options for `config`: its TLS settings (files or in-memory PEM, server name,
// verification), and up to 4 tries with backoff for idempotent requests (lists and gets; a
// watch is never retried once an event arrived).
http::CurlClientOptions MakeHttpOptions(const KubeConfig& config);

}  // namespace romana::k8s

#endif  // ROMANA_K8S_KUBE_CLIENT_H_
