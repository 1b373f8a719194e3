#include "api/client.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/field_error.h"
#include "api/json_reader.h"
#include "http/curl_client.h"
#include "http/url.h"

namespace romana::api {
namespace {

using http::PercentEncode;
using http::QueryString;

constexpr char kJson[] = "application/json";
// Bound on the body of a non-2xx answer to a watch (an error document).
constexpr size_t kMaxWatchErrorBody = size_t{1} << 20;

template <typename T>
absl::StatusOr<List<T>> ParseList(const nlohmann::json& j, const std::string& plural,
                                  absl::StatusOr<T> (*parse)(const nlohmann::json&)) {
  List<T> out;
  if (!j.is_object() || !j.contains(plural) || !j[plural].is_array()) {
    return absl::InternalError(absl::StrCat("romanad answered without a \"", plural, "\" array"));
  }
  for (const auto& item : j[plural]) {
    absl::StatusOr<T> x = parse(item);
    if (!x.ok()) return absl::InternalError(absl::StrCat("bad ", plural, " item from romanad: ", x.status().message()));
    out.items.push_back(*std::move(x));
  }
  if (j.contains("revision") && j["revision"].is_number_integer()) out.revision = j["revision"].get<int64_t>();
  return out;
}

absl::StatusOr<Policy> ParsePolicyLenient(const nlohmann::json& j) { return ParsePolicy(j); }
absl::StatusOr<Namespace> ParseNamespaceLenient(const nlohmann::json& j) { return ParseNamespace(j); }
absl::StatusOr<HostStatus> ParseHostStatusLenient(const nlohmann::json& j) { return ParseHostStatus(j); }
absl::StatusOr<Endpoint> ParseEndpointLenient(const nlohmann::json& j) { return ParseEndpoint(j); }
absl::StatusOr<nlohmann::json> AnyObject(const nlohmann::json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("not a JSON object");
  return j;
}

std::string NetworkPolicyPath(const std::string& namespace_name, const std::string& name) {
  return "/namespaces/" + PercentEncode(namespace_name) + "/networkpolicies/" + PercentEncode(name);
}

// "http(s)://host[:port]" with a non-empty host and nothing after it.
bool IsServerUrl(const std::string& s) {
  const size_t host = s.find("://") + 3;
  if (host >= s.size()) return false;
  for (size_t i = host; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '/' || c == '?' || c == '#' || c == '@' || c <= ' ') return false;
  }
  return s[host] != ':';
}

}  // namespace

bool IsCompacted(const absl::Status& status) {
  return status.code() == absl::StatusCode::kOutOfRange;
}

Revision CompactRevisionOf(const absl::Status& status) {
  std::optional<std::string> d = DetailOf(status, "compact_revision");
  int64_t r = 0;
  if (d.has_value() && absl::SimpleAtoi(*d, &r)) return r;
  return 0;
}

absl::StatusOr<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  const std::string& s = options.server;
  if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) {
    return FieldError("server", absl::StrCat("\"", s, "\" must start with http:// or https://"));
  }
  while (!options.server.empty() && options.server.back() == '/') options.server.pop_back();
  if (!IsServerUrl(options.server)) {
    return FieldError("server", absl::StrCat("\"", options.server, "\" is not a valid URL"));
  }
  auto http = std::make_unique<http::CurlClient>(http::CurlClientOptions{
      .tls = {.verify = options.verify_tls, .ca_file = options.ca_file}});
  return std::unique_ptr<Client>(new Client(std::move(options), std::move(http)));
}

Client::Client(ClientOptions options, std::unique_ptr<http::Client> http)
    : options_(std::move(options)),
      http_(std::move(http)),
      clock_(options_.clock != nullptr ? *options_.clock : system_clock_) {}
Client::~Client() = default;

absl::Status Client::TransportError(const absl::Status& status) const {
  const std::string text = absl::StrCat("cannot reach romanad at ", options_.server, ": ", status.message());
  if (status.code() != absl::StatusCode::kUnavailable) return absl::Status(status.code(), text);
  return WithErrorCode(absl::UnavailableError(text), "transport");
}

absl::StatusOr<RawResponse> Client::Do(const std::string& method, const std::string& path,
                                       const std::string& body) {
  if (method != "GET" && method != "POST" && method != "PUT" && method != "DELETE") {
    return absl::InvalidArgumentError(absl::StrCat("unsupported method ", method));
  }
  http::Request req{.method = method,
                    .url = options_.server + path,
                    .body = body,
                    .timeout = std::chrono::milliseconds(0),
                    .connect_timeout = options_.timeout,
                    .idle_timeout = options_.timeout,
                    .idempotent = false};  // Call() retries by its own rules
  if (!options_.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + options_.token);
  if (method == "POST" || method == "PUT" || !body.empty()) req.headers.emplace_back("Content-Type", kJson);
  absl::StatusOr<http::Response> res = http_->Send(req);
  if (!res.ok()) return TransportError(res.status());
  return RawResponse{res->status, std::move(res->body)};
}

absl::Status Client::StatusFromResponse(int http_status, const std::string& body) {
  if (http_status >= 200 && http_status < 300) return absl::OkStatus();
  std::string message = absl::StrCat("romanad answered HTTP ", http_status);
  std::string code;
  std::string field;
  nlohmann::json err = nlohmann::json::parse(body, nullptr, false);
  nlohmann::json e;
  if (err.is_object() && err.contains("error") && err["error"].is_object()) {
    e = err["error"];
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
    if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    if (e.contains("field") && e["field"].is_string()) field = e["field"].get<std::string>();
  }
  absl::StatusCode sc;
  switch (http_status) {
    case 400: case 413: case 415: case 422: sc = absl::StatusCode::kInvalidArgument; break;
    case 401: sc = absl::StatusCode::kUnauthenticated; break;
    case 403: sc = absl::StatusCode::kPermissionDenied; break;
    case 404: sc = absl::StatusCode::kNotFound; break;
    case 409: sc = code == "already_exists" ? absl::StatusCode::kAlreadyExists : absl::StatusCode::kFailedPrecondition; break;
    case 410: sc = absl::StatusCode::kOutOfRange; break;
    case 507: sc = absl::StatusCode::kResourceExhausted; break;
    case 429: case 502: case 503: case 504: sc = absl::StatusCode::kUnavailable; break;
    default: sc = http_status >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kUnknown;
  }
  absl::Status s(sc, message);
  if (!field.empty()) s = WithField(s, field);
  if (!code.empty()) s = WithErrorCode(s, code);
  if (e.is_object()) {
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (it.key() == "code" || it.key() == "message" || it.key() == "field") continue;
      s = WithDetail(s, it.key(), it->is_string() ? it->get<std::string>() : it->dump());
    }
  }
  return s;
}

absl::StatusOr<nlohmann::json> Client::Call(const std::string& method, const std::string& path,
                                            const std::string& body, int* http_status) {
  const auto deadline = clock_.Now() + options_.retry_unavailable_for;
  auto pause = std::chrono::milliseconds(50);
  while (true) {
    absl::Status st;
    absl::StatusOr<RawResponse> r = Do(method, path, body);
    if (r.ok()) {
      st = StatusFromResponse(r->status, r->body);
      if (st.ok()) {
        if (http_status != nullptr) *http_status = r->status;
        absl::StatusOr<nlohmann::json> j = ParseJson(r->body);
        if (!j.ok()) return absl::InternalError(absl::StrCat("romanad answered invalid JSON: ", j.status().message()));
        return j;
      }
    } else {
      st = r.status();
    }
    if (st.code() != absl::StatusCode::kUnavailable || clock_.Now() + pause > deadline) return st;
    clock_.SleepFor(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

absl::StatusOr<VersionInfo> Client::Version() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/version");
  if (!j.ok()) return j.status();
  VersionInfo v;
  if (j->contains("version") && (*j)["version"].is_string()) v.version = (*j)["version"];
  if (j->contains("api") && (*j)["api"].is_string()) v.api = (*j)["api"];
  return v;
}

absl::Status Client::Healthz() { return Call("GET", "/healthz").status(); }
absl::Status Client::Readyz() { return Call("GET", "/readyz").status(); }

absl::StatusOr<nlohmann::json> Client::GetTopology() { return Call("GET", "/topology"); }
absl::StatusOr<nlohmann::json> Client::PutTopology(const nlohmann::json& topology) {
  return Call("PUT", "/topology", topology.dump());
}

absl::StatusOr<List<Network>> Client::ListNetworks() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/networks");
  if (!j.ok()) return j.status();
  return ParseList<Network>(*j, "networks", &ParseNetwork);
}
absl::StatusOr<Network> Client::GetNetwork(const std::string& name) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/networks/" + PercentEncode(name));
  if (!j.ok()) return j.status();
  return ParseNetwork(*j);
}
absl::StatusOr<List<Group>> Client::ListGroups() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/groups");
  if (!j.ok()) return j.status();
  return ParseList<Group>(*j, "groups", &ParseGroup);
}

absl::StatusOr<List<Host>> Client::ListHosts() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/hosts");
  if (!j.ok()) return j.status();
  return ParseList<Host>(*j, "hosts", &ParseHost);
}
absl::StatusOr<Host> Client::GetHost(const std::string& name) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/hosts/" + PercentEncode(name));
  if (!j.ok()) return j.status();
  return ParseHost(*j);
}
absl::Status Client::PutHostStatus(const HostStatus& status) {
  return Call("PUT", "/hosts/" + PercentEncode(status.host) + "/status", ToJson(status).dump()).status();
}
absl::StatusOr<HostStatus> Client::GetHostStatus(const std::string& host) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/hosts/" + PercentEncode(host) + "/status");
  if (!j.ok()) return j.status();
  return ParseHostStatus(*j);
}
absl::StatusOr<List<HostStatus>> Client::ListHostStatus() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/hoststatus");
  if (!j.ok()) return j.status();
  return ParseList<HostStatus>(*j, "hoststatus", &ParseHostStatusLenient);
}
absl::StatusOr<Host> Client::AddHost(const HostRequest& host) {
  absl::StatusOr<nlohmann::json> j = Call("POST", "/hosts", ToJson(host).dump());
  if (!j.ok()) return j.status();
  return ParseHost(*j);
}
absl::StatusOr<Host> Client::RelabelHost(const std::string& name, const Labels& labels) {
  nlohmann::json body = {{"labels", nlohmann::json::object()}};
  for (const auto& [k, v] : labels) body["labels"][k] = v;
  absl::StatusOr<nlohmann::json> j = Call("PUT", "/hosts/" + PercentEncode(name) + "/labels", body.dump());
  if (!j.ok()) return j.status();
  return ParseHost(*j);
}
absl::Status Client::RemoveHost(const std::string& name) {
  return Call("DELETE", "/hosts/" + PercentEncode(name)).status();
}

absl::StatusOr<List<Block>> Client::ListBlocks(const BlockFilter& filter) {
  absl::StatusOr<nlohmann::json> j =
      Call("GET", "/blocks" + QueryString({{"network", filter.network}, {"host", filter.host}}));
  if (!j.ok()) return j.status();
  return ParseList<Block>(*j, "blocks", &ParseBlock);
}

absl::StatusOr<Allocation> Client::AllocateAddress(const AddressRequest& request) {
  int status = 0;
  absl::StatusOr<nlohmann::json> j = Call("POST", "/address", ToJson(request).dump(), &status);
  if (!j.ok()) return j.status();
  absl::StatusOr<Address> a = ParseAddress(*j);
  if (!a.ok()) return a.status();
  return Allocation{*std::move(a), status == 201};
}
absl::StatusOr<Address> Client::GetAddress(const std::string& name) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/address" + QueryString({{"name", name}}));
  if (!j.ok()) return j.status();
  return ParseAddress(*j);
}
absl::StatusOr<Address> Client::GetAddressByIp(const std::string& ip) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/address" + QueryString({{"ip", ip}}));
  if (!j.ok()) return j.status();
  return ParseAddress(*j);
}
absl::StatusOr<Address> Client::ReleaseAddress(const std::string& name) {
  absl::StatusOr<nlohmann::json> j = Call("DELETE", "/address" + QueryString({{"name", name}}));
  if (!j.ok()) return j.status();
  return ParseAddress(*j);
}
absl::StatusOr<Address> Client::ReleaseAddressByIp(const std::string& ip) {
  absl::StatusOr<nlohmann::json> j = Call("DELETE", "/address" + QueryString({{"ip", ip}}));
  if (!j.ok()) return j.status();
  return ParseAddress(*j);
}
absl::StatusOr<List<Address>> Client::ListAddresses(const std::string& host) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/addresses" + QueryString({{"host", host}}));
  if (!j.ok()) return j.status();
  return ParseList<Address>(*j, "addresses", &ParseAddress);
}

absl::StatusOr<List<Policy>> Client::ListPolicies() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/policies");
  if (!j.ok()) return j.status();
  return ParseList<Policy>(*j, "policies", &ParsePolicyLenient);
}
absl::StatusOr<Policy> Client::GetPolicy(const std::string& id) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/policies/" + PercentEncode(id));
  if (!j.ok()) return j.status();
  return ParsePolicy(*j);
}
absl::StatusOr<bool> Client::PutPolicy(const Policy& p) {
  int status = 0;
  absl::StatusOr<nlohmann::json> j = Call("POST", "/policies", ToJson(p).dump(), &status);
  if (!j.ok()) return j.status();
  return status == 201;
}
absl::Status Client::DeletePolicy(const std::string& id) {
  return Call("DELETE", "/policies/" + PercentEncode(id)).status();
}

absl::StatusOr<List<Namespace>> Client::ListNamespaces() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/namespaces");
  if (!j.ok()) return j.status();
  return ParseList<Namespace>(*j, "namespaces", &ParseNamespaceLenient);
}
absl::Status Client::PutNamespace(const Namespace& ns) {
  return Call("PUT", "/namespaces/" + PercentEncode(ns.name), ToJson(ns).dump()).status();
}
absl::Status Client::DeleteNamespace(const std::string& name) {
  return Call("DELETE", "/namespaces/" + PercentEncode(name)).status();
}
absl::StatusOr<List<Endpoint>> Client::ListEndpoints(const EndpointFilter& filter) {
  absl::StatusOr<nlohmann::json> j =
      Call("GET", "/endpoints" + QueryString({{"node", filter.node}, {"namespace", filter.namespace_name}}));
  if (!j.ok()) return j.status();
  return ParseList<Endpoint>(*j, "endpoints", &ParseEndpointLenient);
}
absl::Status Client::PutEndpoint(const Endpoint& e) {
  return Call("PUT", "/endpoints/" + PercentEncode(e.namespace_name) + "/" + PercentEncode(e.name), ToJson(e).dump())
      .status();
}
absl::Status Client::DeleteEndpoint(const std::string& namespace_name, const std::string& name) {
  return Call("DELETE", "/endpoints/" + PercentEncode(namespace_name) + "/" + PercentEncode(name)).status();
}

absl::StatusOr<StateSnapshot> Client::Snapshot(const std::vector<std::string>& kinds) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/snapshot" + QueryString({{"kinds", absl::StrJoin(kinds, ",")}}));
  if (!j.ok()) return j.status();
  StateSnapshot out;
  // Each kind present in the answer; a kind asked for but missing is an error of romanad's.
  auto take = [&]<typename T>(const std::string& plural, std::vector<T>& into,
                              absl::StatusOr<T> (*parse)(const nlohmann::json&)) -> absl::Status {
    if (!j->contains(plural)) {
      const bool asked = kinds.empty() || std::find(kinds.begin(), kinds.end(), plural) != kinds.end();
      return asked ? absl::InternalError(absl::StrCat("romanad's snapshot has no \"", plural, "\"")) : absl::OkStatus();
    }
    absl::StatusOr<List<T>> l = ParseList<T>(*j, plural, parse);
    if (!l.ok()) return l.status();
    into = std::move(l->items);
    return absl::OkStatus();
  };
  absl::Status s = take("networks", out.networks, &ParseNetwork);
  if (s.ok()) s = take("groups", out.groups, &ParseGroup);
  if (s.ok()) s = take("hosts", out.hosts, &ParseHost);
  if (s.ok()) s = take("blocks", out.blocks, &ParseBlock);
  if (s.ok()) s = take("addresses", out.addresses, &ParseAddress);
  if (s.ok()) s = take("policies", out.policies, &ParsePolicyLenient);
  if (s.ok()) s = take("namespaces", out.namespaces, &ParseNamespaceLenient);
  if (s.ok()) s = take("endpoints", out.endpoints, &ParseEndpointLenient);
  if (s.ok()) s = take("networkpolicies", out.network_policies, &AnyObject);
  if (s.ok()) s = take("vips", out.vips, &ParseVip);
  if (!s.ok()) return s;
  if (j->contains("topology") && (*j)["topology"].is_array()) {
    for (const nlohmann::json& t : (*j)["topology"]) out.topology.push_back(t);
  }
  if (j->contains("revision") && (*j)["revision"].is_number_integer()) out.revision = (*j)["revision"].get<int64_t>();
  return out;
}

absl::StatusOr<List<nlohmann::json>> Client::ListNetworkPolicies(const std::string& namespace_name) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/networkpolicies" + QueryString({{"namespace", namespace_name}}));
  if (!j.ok()) return j.status();
  return ParseList<nlohmann::json>(*j, "networkpolicies", &AnyObject);
}
absl::StatusOr<nlohmann::json> Client::GetNetworkPolicy(const std::string& namespace_name, const std::string& name) {
  return Call("GET", NetworkPolicyPath(namespace_name, name));
}
absl::StatusOr<bool> Client::PutNetworkPolicy(const std::string& namespace_name, const std::string& name,
                                              const nlohmann::json& policy) {
  int status = 0;
  absl::StatusOr<nlohmann::json> j = Call("PUT", NetworkPolicyPath(namespace_name, name), policy.dump(), &status);
  if (!j.ok()) return j.status();
  return status == 201;
}
absl::Status Client::DeleteNetworkPolicy(const std::string& namespace_name, const std::string& name) {
  return Call("DELETE", NetworkPolicyPath(namespace_name, name)).status();
}

absl::StatusOr<List<Vip>> Client::ListVips(const std::string& node, const std::string& namespace_name) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/vips" + QueryString({{"node", node}, {"namespace", namespace_name}}));
  if (!j.ok()) return j.status();
  return ParseList<Vip>(*j, "vips", &ParseVip);
}
absl::StatusOr<Vip> Client::GetVip(const std::string& namespace_name, const std::string& name) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/vips/" + PercentEncode(namespace_name) + "/" + PercentEncode(name));
  if (!j.ok()) return j.status();
  return ParseVip(*j);
}
absl::Status Client::PutVip(const Vip& vip) {
  return Call("PUT", "/vips/" + PercentEncode(vip.namespace_name) + "/" + PercentEncode(vip.name), ToJson(vip).dump())
      .status();
}
absl::Status Client::DeleteVip(const std::string& namespace_name, const std::string& name) {
  return Call("DELETE", "/vips/" + PercentEncode(namespace_name) + "/" + PercentEncode(name)).status();
}

absl::Status Client::Watch(const WatchOptions& options,
                           const std::function<absl::Status(const WatchEvent&)>& on_event) {
  // Resume point. `next` is the revision to ask for. While `partial` is true, the last thing
  // delivered was an event of revision next (a transaction may span several lines), and
  // `seen_at_next` holds the keys of that revision already delivered, so a reconnect asks for
  // that revision again and skips them. A BOOKMARK (or an event of a later revision) completes it.
  Revision next = options.revision;
  bool partial = false;
  std::set<std::string> seen_at_next;
  auto pause = std::chrono::milliseconds(50);
  auto last_connected = clock_.Now();
  auto should_stop = [&] { return options.stop && options.stop(); };
  while (!should_stop()) {
    std::string path = absl::StrCat("/watch?revision=", next, "&bookmark_ms=", options.bookmark_interval.count());
    if (!options.kinds.empty()) absl::StrAppend(&path, "&kinds=", PercentEncode(absl::StrJoin(options.kinds, ",")));

    int status = 0;
    absl::Status stream_end;  // set when the stream must end Watch()
    bool stopped = false;
    auto handle_line = [&](absl::string_view line) -> bool {
      if (line.empty()) return true;
      absl::StatusOr<nlohmann::json> j = ParseJson(line);
      if (!j.ok()) {
        stream_end = absl::InternalError(absl::StrCat("bad watch line from romanad: ", j.status().message()));
        return false;
      }
      absl::StatusOr<WatchEvent> ev = ParseWatchEvent(*j);
      if (!ev.ok()) {
        stream_end = absl::InternalError(absl::StrCat("bad watch event from romanad: ", ev.status().message()));
        return false;
      }
      if (ev->type == WatchEvent::Type::kError) {
        absl::Status s = ev->error_code == "compacted" ? absl::OutOfRangeError(ev->message) : absl::UnavailableError(ev->message);
        s = WithErrorCode(s, ev->error_code);
        if (ev->revision != 0) s = WithDetail(s, "compact_revision", absl::StrCat(ev->revision));
        if (ev->error_code == "compacted") stream_end = s;
        return false;  // any other error: reconnect
      }
      if (should_stop()) {
        stopped = true;
        return false;
      }
      if (ev->type == WatchEvent::Type::kBookmark) {
        if (ev->revision >= next) {  // completes every revision <= the bookmark
          next = ev->revision + 1;
          partial = false;
          seen_at_next.clear();
        }
        if (options.deliver_bookmarks) {
          if (absl::Status s = on_event(*ev); !s.ok()) {
            stream_end = s;
            return false;
          }
        }
        return true;
      }
      if (ev->revision < next || (partial && ev->revision == next && seen_at_next.contains(ev->key))) {
        return true;  // delivered before the reconnect
      }
      if (absl::Status s = on_event(*ev); !s.ok()) {
        stream_end = s;
        return false;
      }
      if (!partial || ev->revision != next) {
        seen_at_next.clear();
        next = ev->revision;
        partial = true;
      }
      seen_at_next.insert(ev->key);
      return true;
    };
    http::Request req{.url = options_.server + path,
                      .timeout = std::chrono::milliseconds(0),
                      .connect_timeout = options_.timeout,
                      .idle_timeout = options.idle_timeout,
                      .on_line = handle_line,
                      .max_body_bytes = kMaxWatchErrorBody,
                      .on_headers =
                          [&](int s, const http::Headers&) {
                            status = s;
                            last_connected = clock_.Now();
                          },
                      .idempotent = false};  // reconnects follow the resume logic below
    if (!options_.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + options_.token);
    absl::StatusOr<http::Response> res = http_->Send(req);
    if (stopped) return absl::OkStatus();
    if (!stream_end.ok()) return stream_end;
    // A line beyond the bound would come again after a reconnect: end here.
    if (res.status().code() == absl::StatusCode::kResourceExhausted) return TransportError(res.status());
    if (res.ok() && status != 200) {
      absl::Status s = StatusFromResponse(status, res->body);
      if (s.code() != absl::StatusCode::kUnavailable) return s;
    }
    if (options.give_up_after.count() > 0 &&
        clock_.Now() - last_connected > options.give_up_after) {
      return WithErrorCode(absl::UnavailableError(absl::StrCat("watch: cannot reach romanad at ", options_.server)),
                           "transport");
    }
    if (should_stop()) break;
    if (status == 200) pause = std::chrono::milliseconds(50);  // was connected (the stream broke later): retry fast
    clock_.SleepFor(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
  return absl::OkStatus();
}

}  // namespace romana::api
