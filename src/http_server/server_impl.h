// server_impl.h: HttpServer's Beast/Asio internals, shared by http_server.cc and
// connection.cc. Private to this library: nothing outside src/http_server includes Beast.
#ifndef ROMANA_HTTP_SERVER_SERVER_IMPL_H_
#define ROMANA_HTTP_SERVER_SERVER_IMPL_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http_server/http_server.h"
#include "http_server/router.h"

namespace romana::http_server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One accepted connection (connection.cc).
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  virtual ~ConnectionBase() = default;
  virtual void Run() = 0;                    // starts serving; on the connection's strand
  virtual void Shutdown(bool hard) = 0;      // thread-safe: server stopping (hard = close now)
};

// Creates the connection for an accepted socket (connection.cc). `reject`: answer 503 and close.
std::shared_ptr<ConnectionBase> MakeConnection(HttpServer::Impl& impl, tcp::socket socket, bool reject);

class StreamState;
// Continue a connection whose request was answered with a chunked stream on the stream io
// threads (stream_connection.cc): `socket` is already on the stream io_context; `st` is the
// stream's queue (its executor a strand there); `head` the response head to send first. For
// TLS, `ssl` is the connection's TLS session, which the new stream owns (one reference).
void StartPlainStream(HttpServer::Impl& impl, tcp::socket socket, std::shared_ptr<StreamState> st, Response head,
                      unsigned version);
void StartTlsStream(HttpServer::Impl& impl, tcp::socket socket, SSL* ssl, std::shared_ptr<StreamState> st,
                    Response head, unsigned version);

// The error answer the server produces itself: {"error": {"code", "message"}}.
Response ErrorResponse(int status, const std::string& code, const std::string& message);

class HttpServer::Impl {
 public:
  explicit Impl(ServerOptions o) : options(std::move(o)) {}

  struct Route {
    AsyncHandler handler;
    Run run;
  };

  // Routes the request and calls its handler (inline or on a worker).
  void Dispatch(Request request, Responder responder);
  void Register(const std::shared_ptr<ConnectionBase>& c);
  void Unregister(ConnectionBase* c);  // from ~Connection
  void Accept();

  const ServerOptions options;
  Router router;
  std::vector<Route> routes;

  // Declared before the io_context: handlers it destroys unregister their connections here.
  mutable std::mutex mu;
  std::condition_variable live_changed;
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> live;  // guarded by mu
  std::atomic<bool> stopping{false};

  std::optional<asio::ssl::context> ssl;
  asio::io_context ioc;  // accepting, reading requests, writing whole answers
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;  // io threads run until Stop
  asio::io_context stream_ioc;  // streams (stream_connection.cc)
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> stream_work;
  std::unique_ptr<asio::thread_pool> workers;
  std::optional<tcp::acceptor> acceptor;  // on its own strand
  std::optional<asio::steady_timer> accept_backoff;
  std::vector<std::thread> io_threads;
  std::vector<std::thread> stream_threads;
  std::atomic<int> port{0};
  bool started = false;
};

}  // namespace romana::http_server

#endif  // ROMANA_HTTP_SERVER_SERVER_IMPL_H_
