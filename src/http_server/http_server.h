// http_server.h: the project's HTTP/1.1 server (romanad's REST API and every binary's
// /healthz, /readyz, /metrics), event-driven on Boost.Beast/Asio (docs/romanad.md, "Server").
//
// A fixed number of io threads serve any number of connections: nothing holds a thread while
// it waits for a client. Keep-alive; chunked streaming responses (Responder::StartStream) fed
// from any thread with bounded buffering; TLS (PEM certificate + key files); request bodies
// above max_body_bytes get 413; a client must send a request's header within header_timeout
// of its first byte, and an idle keep-alive connection is closed after idle_timeout, so slow
// or idle clients cannot hold resources; past max_connections a new connection gets a 503
// JSON answer and is closed.
//
// Once a request is answered with a stream, its connection moves to the stream io threads: the
// io threads that read requests and write whole answers never queue behind stream writes.
//
// Handlers run on an io thread (Run::kInline: must not block) or on a bounded pool of worker
// threads (Run::kWorker: may block on the store, etcd, another server); either way the answer
// is written by the io threads. Errors the server produces itself (400, 404, 413, 431, 500,
// 503) have the JSON body {"error": {"code": ..., "message": ...}}.
//
// Thread-safety: Handle*/Start before serving, from one thread; Stop from any thread (not from
// a handler); port() and open_connections() from any thread.
#ifndef ROMANA_HTTP_SERVER_HTTP_SERVER_H_
#define ROMANA_HTTP_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "http_server/request.h"
#include "http_server/responder.h"

namespace romana::http_server {

struct ServerOptions {
  std::string host = "127.0.0.1";  // listen address
  int port = 0;                    // 0 = any free port (see port())
  std::string tls_cert_file;       // both set = HTTPS (PEM files)
  std::string tls_key_file;
  // With TLS: clients must present a certificate signed by a CA of this PEM file (mutual TLS).
  std::string tls_client_ca_file;
  int io_threads = 0;              // 0 = the hardware's thread count
  // Streaming responses (Responder::StartStream) are written by their own io threads, so a
  // fan-out to thousands of streams never delays reading requests and writing answers.
  int stream_io_threads = 0;       // 0 = the hardware's thread count
  // Added to the stream io threads' nice value (0-19): under CPU contention the kernel runs
  // request handling first and the streams get what is left. 0 = the process's priority.
  int stream_nice = 0;
  int worker_threads = 8;          // for Run::kWorker handlers; REQUIRES >= 1
  size_t max_connections = 10000;  // open connections; beyond: 503 and close
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;  // request line + headers; beyond: 431
  // From a request's first byte (or the connection's start, incl. the TLS handshake) to the
  // end of its header.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};   // to receive a request body
  std::chrono::milliseconds idle_timeout{30000};   // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30000};  // a response or chunk the client does not take
  size_t max_stream_buffer_bytes = 4 << 20;        // per stream, see Stream
  // Answer to a request with no route (default: 404 {"error": {"code": "not_found", ...}}).
  std::function<Response(const Request&)> not_found;
};

class HttpServer {
 public:
  // Whole-response handler.
  using Handler = std::function<Response(const Request&)>;
  // Asynchronous handler: answers through `responder` now or later, from any thread.
  using AsyncHandler = std::function<void(const Request&, Responder responder)>;
  enum class Run { kInline, kWorker };

  // Loads the TLS files when given. Errors: InvalidArgument for bad options or TLS files.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(ServerOptions options);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes `method` + `pattern` (a regular expression matching the whole percent-decoded path;
  // see Router) to a handler. The first matching route wins. REQUIRES: before Start().
  void Handle(const std::string& method, const std::string& pattern, Handler handler, Run run = Run::kWorker);
  void HandleAsync(const std::string& method, const std::string& pattern, AsyncHandler handler,
                   Run run = Run::kWorker);

  // Binds (no SO_REUSEPORT: a busy port is an error) and starts the threads. Errors:
  // Unavailable when the address cannot be bound. REQUIRES: called once.
  absl::Status Start();
  // Stops accepting, closes idle connections, lets requests being handled answer (then
  // closes), ends open streams (their OnClose runs), and joins every thread. Idempotent.
  void Stop();

  int port() const;  // the bound port, after Start()
  size_t open_connections() const;

  class Impl;  // connection.cc and http_server.cc

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace romana::http_server

#endif  // ROMANA_HTTP_SERVER_HTTP_SERVER_H_
