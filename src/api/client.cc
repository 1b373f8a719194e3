#include "api/client.h"

#include <httplib.h>

#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/field_error.h"
#include "api/json_reader.h"

namespace romana::api {
namespace {

constexpr char kJson[] = "application/json";

absl::Status TransportError(const std::string& server, httplib::Error e) {
  return WithErrorCode(absl::UnavailableError(absl::StrCat("cannot reach romanad at ", server, ": ",
                                                           httplib::to_string(e))),
                       "transport");
}

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

absl::StatusOr<policy::Policy> ParsePolicyLenient(const nlohmann::json& j) { return policy::Parse(j); }
absl::StatusOr<Namespace> ParseNamespaceLenient(const nlohmann::json& j) { return ParseNamespace(j); }
absl::StatusOr<Endpoint> ParseEndpointLenient(const nlohmann::json& j) { return ParseEndpoint(j); }
absl::StatusOr<nlohmann::json> AnyObject(const nlohmann::json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("not a JSON object");
  return j;
}

std::string NetworkPolicyPath(const std::string& namespace_name, const std::string& name) {
  return "/namespaces/" + UrlEncode(namespace_name) + "/networkpolicies/" + UrlEncode(name);
}

std::string Query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : params) {
    if (!v.empty()) parts.push_back(absl::StrCat(k, "=", UrlEncode(v)));
  }
  return parts.empty() ? "" : absl::StrCat("?", absl::StrJoin(parts, "&"));
}

}  // namespace

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

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
  std::unique_ptr<Client> c(new Client(std::move(options)));
  if (!c->NewHttpClient()->is_valid()) {
    return FieldError("server", absl::StrCat("\"", c->options_.server, "\" is not a valid URL"));
  }
  return c;
}

Client::Client(ClientOptions options) : options_(std::move(options)) {}
Client::~Client() = default;

std::unique_ptr<httplib::Client> Client::NewHttpClient() const {
  auto c = std::make_unique<httplib::Client>(options_.server);
  const auto secs = std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout);
  c->set_connection_timeout(secs);
  c->set_read_timeout(secs);
  c->set_write_timeout(secs);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);  // headers and body go out in separate writes: no Nagle delay
  if (!options_.token.empty()) c->set_bearer_token_auth(options_.token);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  if (!options_.ca_file.empty()) c->set_ca_cert_path(options_.ca_file);
  c->enable_server_certificate_verification(options_.verify_tls);
#endif
  return c;
}

std::unique_ptr<httplib::Client> Client::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<httplib::Client> c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return NewHttpClient();
}

void Client::Release(std::unique_ptr<httplib::Client> c) {
  std::lock_guard lock(mu_);
  if (idle_.size() < 16) idle_.push_back(std::move(c));
}

absl::StatusOr<RawResponse> Client::Do(const std::string& method, const std::string& path,
                                       const std::string& body) {
  std::unique_ptr<httplib::Client> c = Acquire();
  httplib::Result res(nullptr, httplib::Error::Unknown);
  if (method == "GET") {
    res = c->Get(path);
  } else if (method == "POST") {
    res = c->Post(path, body, kJson);
  } else if (method == "PUT") {
    res = c->Put(path, body, kJson);
  } else if (method == "DELETE") {
    res = body.empty() ? c->Delete(path) : c->Delete(path, body, kJson);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unsupported method ", method));
  }
  if (!res) return TransportError(options_.server, res.error());
  RawResponse out{res->status, res->body};
  Release(std::move(c));
  return out;
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
  const auto deadline = std::chrono::steady_clock::now() + options_.retry_unavailable_for;
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
    if (st.code() != absl::StatusCode::kUnavailable || std::chrono::steady_clock::now() + pause > deadline) {
      return st;
    }
    std::this_thread::sleep_for(pause);
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
  absl::StatusOr<nlohmann::json> j = Call("GET", "/networks/" + UrlEncode(name));
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
  absl::StatusOr<nlohmann::json> j = Call("GET", "/hosts/" + UrlEncode(name));
  if (!j.ok()) return j.status();
  return ParseHost(*j);
}
absl::StatusOr<Host> Client::AddHost(const HostRequest& host) {
  absl::StatusOr<nlohmann::json> j = Call("POST", "/hosts", ToJson(host).dump());
  if (!j.ok()) return j.status();
  return ParseHost(*j);
}
absl::StatusOr<Host> Client::RelabelHost(const std::string& name, const Labels& labels) {
  nlohmann::json body = {{"labels", nlohmann::json::object()}};
  for (const auto& [k, v] : labels) body["labels"][k] = v;
  absl::StatusOr<nlohmann::json> j = Call("PUT", "/hosts/" + UrlEncode(name) + "/labels", body.dump());
  if (!j.ok()) return j.status();
  return ParseHost(*j);
}
absl::Status Client::RemoveHost(const std::string& name) {
  return Call("DELETE", "/hosts/" + UrlEncode(name)).status();
}

absl::StatusOr<List<Block>> Client::ListBlocks(const BlockFilter& filter) {
  absl::StatusOr<nlohmann::json> j =
      Call("GET", "/blocks" + Query({{"network", filter.network}, {"host", filter.host}}));
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
  absl::StatusOr<nlohmann::json> j = Call("GET", "/address" + Query({{"name", name}}));
  if (!j.ok()) return j.status();
  return ParseAddress(*j);
}
absl::StatusOr<Address> Client::GetAddressByIp(const std::string& ip) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/address" + Query({{"ip", ip}}));
  if (!j.ok()) return j.status();
  return ParseAddress(*j);
}
absl::StatusOr<Address> Client::ReleaseAddress(const std::string& name) {
  absl::StatusOr<nlohmann::json> j = Call("DELETE", "/address" + Query({{"name", name}}));
  if (!j.ok()) return j.status();
  return ParseAddress(*j);
}
absl::StatusOr<Address> Client::ReleaseAddressByIp(const std::string& ip) {
  absl::StatusOr<nlohmann::json> j = Call("DELETE", "/address" + Query({{"ip", ip}}));
  if (!j.ok()) return j.status();
  return ParseAddress(*j);
}
absl::StatusOr<List<Address>> Client::ListAddresses(const std::string& host) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/addresses" + Query({{"host", host}}));
  if (!j.ok()) return j.status();
  return ParseList<Address>(*j, "addresses", &ParseAddress);
}

absl::StatusOr<List<policy::Policy>> Client::ListPolicies() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/policies");
  if (!j.ok()) return j.status();
  return ParseList<policy::Policy>(*j, "policies", &ParsePolicyLenient);
}
absl::StatusOr<policy::Policy> Client::GetPolicy(const std::string& id) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/policies/" + UrlEncode(id));
  if (!j.ok()) return j.status();
  return policy::Parse(*j);
}
absl::StatusOr<bool> Client::PutPolicy(const policy::Policy& p) {
  int status = 0;
  absl::StatusOr<nlohmann::json> j = Call("POST", "/policies", policy::ToJson(p).dump(), &status);
  if (!j.ok()) return j.status();
  return status == 201;
}
absl::Status Client::DeletePolicy(const std::string& id) {
  return Call("DELETE", "/policies/" + UrlEncode(id)).status();
}

absl::StatusOr<List<Namespace>> Client::ListNamespaces() {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/namespaces");
  if (!j.ok()) return j.status();
  return ParseList<Namespace>(*j, "namespaces", &ParseNamespaceLenient);
}
absl::Status Client::PutNamespace(const Namespace& ns) {
  return Call("PUT", "/namespaces/" + UrlEncode(ns.name), ToJson(ns).dump()).status();
}
absl::Status Client::DeleteNamespace(const std::string& name) {
  return Call("DELETE", "/namespaces/" + UrlEncode(name)).status();
}
absl::StatusOr<List<Endpoint>> Client::ListEndpoints(const EndpointFilter& filter) {
  absl::StatusOr<nlohmann::json> j =
      Call("GET", "/endpoints" + Query({{"node", filter.node}, {"namespace", filter.namespace_name}}));
  if (!j.ok()) return j.status();
  return ParseList<Endpoint>(*j, "endpoints", &ParseEndpointLenient);
}
absl::Status Client::PutEndpoint(const Endpoint& e) {
  return Call("PUT", "/endpoints/" + UrlEncode(e.namespace_name) + "/" + UrlEncode(e.name), ToJson(e).dump())
      .status();
}
absl::Status Client::DeleteEndpoint(const std::string& namespace_name, const std::string& name) {
  return Call("DELETE", "/endpoints/" + UrlEncode(namespace_name) + "/" + UrlEncode(name)).status();
}

absl::StatusOr<List<nlohmann::json>> Client::ListNetworkPolicies(const std::string& namespace_name) {
  absl::StatusOr<nlohmann::json> j = Call("GET", "/networkpolicies" + Query({{"namespace", namespace_name}}));
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
  auto last_connected = std::chrono::steady_clock::now();
  auto should_stop = [&] { return options.stop && options.stop(); };
  while (!should_stop()) {
    std::unique_ptr<httplib::Client> c = NewHttpClient();
    c->set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(options.idle_timeout));
    c->set_keep_alive(false);
    std::string path = absl::StrCat("/watch?revision=", next, "&bookmark_ms=", options.bookmark_interval.count());
    if (!options.kinds.empty()) absl::StrAppend(&path, "&kinds=", UrlEncode(absl::StrJoin(options.kinds, ",")));

    int status = 0;
    std::string error_body;  // body of a non-200 answer
    std::string pending;     // incomplete NDJSON line
    absl::Status stream_end;  // set when the stream must end Watch()
    bool stopped = false;
    auto handle_line = [&](const std::string& line) -> bool {
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
    httplib::Result res = c->Get(
        path, httplib::Headers{},
        [&](const httplib::Response& r) {
          status = r.status;
          last_connected = std::chrono::steady_clock::now();
          return true;
        },
        [&](const char* data, size_t len) {
          if (status != 200) {
            error_body.append(data, len);
            return error_body.size() < (1 << 20);
          }
          pending.append(data, len);
          size_t start = 0;
          for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
            if (!handle_line(pending.substr(start, nl - start))) return false;
          }
          pending.erase(0, start);
          return true;
        });
    if (stopped) return absl::OkStatus();
    if (!stream_end.ok()) return stream_end;
    if (res && status != 200) {
      absl::Status s = StatusFromResponse(status, error_body);
      if (s.code() != absl::StatusCode::kUnavailable) return s;
    }
    if (options.give_up_after.count() > 0 &&
        std::chrono::steady_clock::now() - last_connected > options.give_up_after) {
      return WithErrorCode(absl::UnavailableError(absl::StrCat("watch: cannot reach romanad at ", options_.server)),
                           "transport");
    }
    if (should_stop()) break;
    if (status == 200) pause = std::chrono::milliseconds(50);  // was connected (the stream broke later): retry fast
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
  return absl::OkStatus();
}

}  // namespace romana::api
