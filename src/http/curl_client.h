// curl_client.h: the libcurl implementation of http::Client, with TLS (verification on by
// default, CA and client certificate from files or in-memory PEM, a server name to verify
// against), TCP keepalive, connection reuse, and retries with exponential backoff and jitter.
//
// Connection reuse: the client keeps a small pool of idle curl easy handles; each handle keeps
// its own keep-alive connections, so consecutive requests to the same server (from one thread
// or from several) reuse a connection instead of connecting again.
//
// Thread-safe: Send() may be called from any number of threads at once (each call uses its own
// handle). The destructor REQUIRES that no Send() is running.
#ifndef ROMANA_HTTP_CURL_CLIENT_H_
#define ROMANA_HTTP_CURL_CLIENT_H_

#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/clock.h"
#include "http/backoff.h"
#include "http/client.h"

namespace romana::http {

struct TlsOptions {
  // Verify the server's certificate chain and name. Default: true. false is for tests and
  // for peers reached at addresses the caller trusts (kubeconfig insecure-skip-tls-verify).
  bool verify = true;
  // Trusted CAs: a PEM file, or PEM text in memory (kubeconfig certificate-authority-data);
  // at most one of the two. Neither: the system's CA bundle.
  std::string ca_file;
  std::string ca_pem;
  // Client certificate and key for mutual TLS, as files or as PEM text (not mixed per item).
  std::string client_cert_file;
  std::string client_key_file;
  std::string client_cert_pem;
  std::string client_key_pem;
  // Verify the server's certificate against this name (and send it as SNI) instead of the URL's
  // host, while still connecting to the URL's host (kubeconfig tls-server-name). "" = URL host.
  std::string server_name;
};

struct CurlClientOptions {
  TlsOptions tls;
  // Retries of idempotent requests (Request::idempotent): a try is repeated after a transport
  // error (Unavailable), HTTP 429 or a 5xx other than 501/505, after BackoffDelay(). The last
  // answer or error is returned when the tries run out. Default: 1 try (no retries).
  BackoffPolicy retry{.max_attempts = 1};
  // TCP keepalive probes on every connection (so a dead peer of a long stream is noticed).
  bool tcp_keepalive = true;
  std::chrono::seconds keepalive_idle{30};
  std::chrono::seconds keepalive_interval{10};
  // Idle easy handles (each with its open connections) kept for reuse.
  size_t max_idle_handles = 16;
  // Time for idle timeouts; default (nullptr) the system clock. Must outlive the client.
  const base::Clock* clock = nullptr;
  // How retries wait and draw jitter; defaults really sleep and use a seeded generator.
  SleepFunction sleep;
  RandomFunction random;
};

class CurlClient final : public Client {
 public:
  explicit CurlClient(CurlClientOptions options = {});
  ~CurlClient() override;
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  // See http::Client. Retries as options().retry says; each retry is a new try of the whole
  // request (the callbacks may see on_headers again, never a body byte twice).
  absl::StatusOr<Response> Send(const Request& request) override;

  const CurlClientOptions& options() const { return options_; }

 private:
  absl::StatusOr<Response> SendOnce(const Request& request, bool* delivered);
  double Random();
  void* AcquireHandle();
  void ReleaseHandle(void* handle);

  const CurlClientOptions options_;
  const base::SystemClock system_clock_;
  const base::Clock& clock_;
  std::mutex mu_;
  std::vector<void*> idle_handles_ ABSL_GUARDED_BY(mu_);  // CURL*
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

// True for statuses a retry may cure: 429 and 5xx except 501 and 505.
bool IsRetryableStatus(int status);

}  // namespace romana::http

#endif  // ROMANA_HTTP_CURL_CLIENT_H_
