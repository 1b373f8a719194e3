#include "http/curl_client.h"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace romana::http {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool IsIdempotentMethod(const std::string& m) {
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}

// Per-try state shared with the curl callbacks (which run on the calling thread).
struct Transfer {
  const Request& request;
  Response& response;
  const base::Clock& clock;
  std::chrono::steady_clock::time_point last_activity;
  curl_off_t last_uploaded = 0;
  int status = 0;           // of the answer whose headers are being read
  bool final_headers = false;
  std::string line;         // partial line (on_line)
  bool delivered = false;   // a body byte reached a streaming callback
  bool stopped = false;     // a callback returned false
  bool idle_expired = false;
  bool cancelled = false;
  std::string too_big;      // why the transfer was ended for size, if it was
};

bool Streaming(const Transfer& t) {
  return (t.request.on_data || t.request.on_line) && t.status >= 200 && t.status < 300;
}

size_t DeliverLines(Transfer& t, const char* data, size_t n) {
  const size_t max = t.request.max_line_bytes;
  size_t start = 0;
  while (start < n) {
    const void* nl = std::memchr(data + start, '\n', n - start);
    const size_t end = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - data) : n;
    if (t.line.size() + (end - start) > max) {
      t.too_big = absl::StrCat("a line of the answer is longer than ", max, " bytes");
      return 0;
    }
    t.line.append(data + start, end - start);
    if (nl == nullptr) break;
    if (!t.line.empty() && t.line.back() == '\r') t.line.pop_back();
    t.delivered = true;
    const bool go_on = t.request.on_line(t.line);
    t.line.clear();
    if (!go_on) {
      t.stopped = true;
      return 0;
    }
    start = end + 1;
  }
  return n;
}

size_t OnWrite(char* data, size_t size, size_t nmemb, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  t.last_activity = t.clock.Now();
  if (!Streaming(t)) {
    if (t.response.body.size() + n > t.request.max_body_bytes) {
      t.too_big = absl::StrCat("the answer is larger than ", t.request.max_body_bytes, " bytes");
      return 0;
    }
    t.response.body.append(data, n);
    return n;
  }
  if (t.request.on_line) return DeliverLines(t, data, n);
  t.delivered = true;
  if (!t.request.on_data(absl::string_view(data, n))) {
    t.stopped = true;
    return 0;
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  t.last_activity = t.clock.Now();
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {  // a new answer (1xx interim answers come first)
    t.response.headers.clear();
    t.final_headers = false;
    t.status = 0;
    const size_t sp = line.find(' ');
    if (sp != absl::string_view::npos) (void)absl::SimpleAtoi(line.substr(sp + 1, 3), &t.status);
    return n;
  }
  if (absl::StripAsciiWhitespace(line).empty()) {  // end of this answer's headers
    if (t.status >= 200 && !t.final_headers) {
      t.final_headers = true;
      if (t.request.on_headers) t.request.on_headers(t.status, t.response.headers);
    }
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    t.response.headers.emplace_back(std::string(absl::StripAsciiWhitespace(line.substr(0, colon))),
                                    std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t ulnow) {
  auto& t = *static_cast<Transfer*>(user);
  if (t.request.cancel != nullptr && t.request.cancel->load()) {
    t.cancelled = true;
    return 1;
  }
  const auto now = t.clock.Now();
  if (ulnow != t.last_uploaded) {
    t.last_uploaded = ulnow;
    t.last_activity = now;
  }
  if (t.request.idle_timeout.count() > 0 && now - t.last_activity >= t.request.idle_timeout) {
    t.idle_expired = true;
    return 1;
  }
  return 0;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void Append(Slist& list, const std::string& s) { list.reset(curl_slist_append(list.release(), s.c_str())); }

void SetBlob(CURL* h, CURLoption opt, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(h, opt, &blob);
}

// For TlsOptions::server_name: the URL with its host replaced by the server name, a
// CONNECT_TO entry that sends connections for it to the real host, and the real Host header.
struct Redirected {
  std::string url;
  std::string connect_to;
  std::string host_header;
};

absl::StatusOr<Redirected> RedirectToServerName(const std::string& url, const std::string& server_name) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("bad URL '", url, "'"));
  }
  auto get = [&](CURLUPart part, unsigned flags) {
    char* v = nullptr;
    std::string out;
    if (curl_url_get(u.get(), part, &v, flags) == CURLUE_OK && v != nullptr) out = v;
    curl_free(v);
    return out;
  };
  const std::string host = get(CURLUPART_HOST, 0);
  const std::string explicit_port = get(CURLUPART_PORT, 0);
  const std::string port = get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (curl_url_set(u.get(), CURLUPART_HOST, server_name.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("bad TLS server name '", server_name, "'"));
  }
  Redirected r;
  r.url = get(CURLUPART_URL, 0);
  r.connect_to = absl::StrCat(server_name, ":", port, ":", host, ":", port);
  r.host_header = explicit_port.empty() ? host : absl::StrCat(host, ":", explicit_port);
  return r;
}

absl::Status TransportError(CURLcode rc, const char* detail, const Request& req, const Transfer& t) {
  const std::string what = absl::StrCat(req.method, " ", req.url, ": ");
  if (!t.too_big.empty()) return absl::ResourceExhaustedError(what + t.too_big);
  if (rc == CURLE_ABORTED_BY_CALLBACK && t.cancelled) return absl::CancelledError(what + "cancelled");
  if (rc == CURLE_ABORTED_BY_CALLBACK && t.idle_expired) {
    return absl::UnavailableError(
        absl::StrCat(what, "no data for ", req.idle_timeout.count(), " ms (idle timeout)"));
  }
  std::string text = curl_easy_strerror(rc);
  if (detail[0] != '\0') absl::StrAppend(&text, " (", detail, ")");
  switch (rc) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_SSL_CERTPROBLEM:     // our client certificate or key cannot be loaded
    case CURLE_SSL_CACERT_BADFILE:  // our CA bundle cannot be loaded
      return absl::InvalidArgumentError(what + text);
    default:
      return absl::UnavailableError(what + text);
  }
}

}  // namespace

std::string FindHeader(const Headers& headers, absl::string_view name) {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

bool IsRetryableStatus(int status) {
  return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

CurlClient::CurlClient(CurlClientOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : system_clock_),
      rng_(std::random_device{}()) {
  GlobalInitOnce();
}

CurlClient::~CurlClient() {
  std::lock_guard lock(mu_);
  for (void* h : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlClient::AcquireHandle() {
  {
    std::lock_guard lock(mu_);
    if (!idle_handles_.empty()) {
      void* h = idle_handles_.back();
      idle_handles_.pop_back();
      curl_easy_reset(static_cast<CURL*>(h));  // options only: open connections stay
      return h;
    }
  }
  return curl_easy_init();
}

void CurlClient::ReleaseHandle(void* h) {
  {
    std::lock_guard lock(mu_);
    if (idle_handles_.size() < options_.max_idle_handles) {
      idle_handles_.push_back(h);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(h));
}

double CurlClient::Random() {
  if (options_.random) return options_.random();
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

absl::StatusOr<Response> CurlClient::Send(const Request& request) {
  const bool idempotent = request.idempotent.value_or(IsIdempotentMethod(request.method));
  const int attempts = idempotent ? std::max(1, options_.retry.max_attempts) : 1;
  for (int attempt = 1;; ++attempt) {
    bool delivered = false;
    absl::StatusOr<Response> r = SendOnce(request, &delivered);
    const bool retry = !delivered && attempt < attempts &&
                       (r.ok() ? IsRetryableStatus(r->status) : r.status().code() == absl::StatusCode::kUnavailable);
    if (!retry) return r;
    const std::chrono::milliseconds delay = BackoffDelay(options_.retry, attempt, Random());
    if (options_.sleep) {
      options_.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

absl::StatusOr<Response> CurlClient::SendOnce(const Request& request, bool* delivered) {
  CURL* h = static_cast<CURL*>(AcquireHandle());
  if (h == nullptr) return absl::InternalError("curl_easy_init failed");
  std::unique_ptr<void, std::function<void(void*)>> handle_guard(h, [this](void* p) { ReleaseHandle(p); });
  Response response;
  Transfer t{.request = request, .response = response, .clock = clock_, .last_activity = clock_.Now()};
  const TlsOptions& tls = options_.tls;

  std::string url = request.url;
  Slist headers;
  Slist connect_to;
  if (!tls.server_name.empty()) {
    absl::StatusOr<Redirected> r = RedirectToServerName(request.url, tls.server_name);
    if (!r.ok()) return r.status();
    url = r->url;
    Append(connect_to, r->connect_to);
    if (FindHeader(request.headers, "Host").empty()) Append(headers, "Host: " + r->host_header);
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to.get());
  }
  char error_detail[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_detail);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from the environment
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  for (const auto& [k, v] : request.headers) Append(headers, absl::StrCat(k, ": ", v));
  Append(headers, "Expect:");
  if (FindHeader(request.headers, "Content-Type").empty()) Append(headers, "Content-Type:");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  if (options_.tcp_keepalive) {
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, static_cast<long>(options_.keepalive_idle.count()));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, static_cast<long>(options_.keepalive_interval.count()));
  }

  if (!tls.verify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.ca_pem.empty()) SetBlob(h, CURLOPT_CAINFO_BLOB, tls.ca_pem);
  if (!tls.client_cert_file.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
  if (!tls.client_key_file.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, tls.client_key_file.c_str());
  if (!tls.client_cert_pem.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    SetBlob(h, CURLOPT_SSLCERT_BLOB, tls.client_cert_pem);
  }
  if (!tls.client_key_pem.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    SetBlob(h, CURLOPT_SSLKEY_BLOB, tls.client_key_pem);
  }

  const CURLcode rc = curl_easy_perform(h);
  *delivered = t.delivered;
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  if (rc == CURLE_OK && !t.final_headers) {
    // libcurl reports success when the peer closes in the middle of the headers.
    return absl::UnavailableError(absl::StrCat(request.method, " ", request.url,
                                               ": the connection closed before the end of the answer's headers"));
  }
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && t.stopped)) return response;
  return TransportError(rc, error_detail, request, t);
}

}  // namespace romana::http
