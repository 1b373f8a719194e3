#include "http_server/http_server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "http_server/server_impl.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace romana::http_server {

// Room for connections that only get the 503 answer past max_connections; beyond it a new
// connection is closed at once (a flood must not exhaust file descriptors).
constexpr size_t kRejectSlots = 64;

namespace {
// Adds `nice` to the calling thread's nice value (Linux: nice is per thread), at most 19.
void LowerThisThreadsPriority(int nice) {
  if (nice <= 0) return;
  const id_t tid = static_cast<id_t>(gettid());
  errno = 0;
  const int now = getpriority(PRIO_PROCESS, tid);
  if (errno != 0 || setpriority(PRIO_PROCESS, tid, std::min(19, now + nice)) != 0) {
    spdlog::warn("http: cannot lower the priority of a stream io thread: {}", std::strerror(errno));
  }
}
}  // namespace

Response ErrorResponse(int status, const std::string& code, const std::string& message) {
  Response r;
  r.status = status;
  r.body = nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump() + "\n";
  return r;
}

Responder::~Responder() {
  // Ignored when the exchange already answered.
  if (exchange_) exchange_->Send(ErrorResponse(500, "internal", "the handler gave no answer (a server bug)"));
}

void Responder::Send(Response response) {
  if (exchange_) exchange_->Send(std::move(response));
}

std::shared_ptr<Stream> Responder::StartStream(Response head) {
  return exchange_ ? exchange_->StartStream(std::move(head)) : nullptr;
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(ServerOptions options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("tls: the certificate and key files must be given together");
  }
  if (options.worker_threads < 1) return absl::InvalidArgumentError("worker_threads: must be at least 1");
  if (options.io_threads < 0) return absl::InvalidArgumentError("io_threads: must not be negative");
  if (options.stream_io_threads < 0) return absl::InvalidArgumentError("stream_io_threads: must not be negative");
  if (options.stream_nice < 0 || options.stream_nice > 19) {
    return absl::InvalidArgumentError("stream_nice: must be between 0 and 19");
  }
  if (options.max_connections < 1) return absl::InvalidArgumentError("max_connections: must be at least 1");
  auto impl = std::make_unique<Impl>(std::move(options));
  const ServerOptions& o = impl->options;
  if (!o.tls_cert_file.empty()) {
    impl->ssl.emplace(asio::ssl::context::tls_server);
    impl->ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    impl->ssl->use_certificate_chain_file(o.tls_cert_file, ec);
    if (!ec) impl->ssl->use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat("cannot load the TLS certificate ", o.tls_cert_file, " / key ",
                                                     o.tls_key_file, ": ", ec.message()));
    }
    if (!o.tls_client_ca_file.empty()) {
      impl->ssl->load_verify_file(o.tls_client_ca_file, ec);
      if (ec) {
        return absl::InvalidArgumentError(
            absl::StrCat("cannot load the TLS client CA file ", o.tls_client_ca_file, ": ", ec.message()));
      }
      impl->ssl->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
  } else if (!o.tls_client_ca_file.empty()) {
    return absl::InvalidArgumentError("tls_client_ca_file: needs tls_cert_file and tls_key_file");
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::Handle(const std::string& method, const std::string& pattern, Handler handler, Run run) {
  HandleAsync(
      method, pattern,
      [handler = std::move(handler)](const Request& req, Responder responder) { responder.Send(handler(req)); }, run);
}

void HttpServer::HandleAsync(const std::string& method, const std::string& pattern, AsyncHandler handler, Run run) {
  impl_->router.Add(method, pattern);
  impl_->routes.push_back({std::move(handler), run});
}

absl::Status HttpServer::Start() {
  Impl& m = *impl_;
  const ServerOptions& o = m.options;
  boost::system::error_code ec;
  std::string host = o.host;
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  tcp::endpoint endpoint(asio::ip::make_address(host, ec), static_cast<unsigned short>(o.port));
  if (ec) {  // a host name: its first address
    tcp::resolver resolver(m.ioc);
    tcp::resolver::results_type found = resolver.resolve(host, std::to_string(o.port), ec);
    if (ec || found.empty()) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", o.host, ":", o.port, ": ",
                                                 ec ? ec.message() : "the name has no address"));
    }
    endpoint = found.begin()->endpoint();
  }
  m.acceptor.emplace(asio::make_strand(m.ioc));
  // SO_REUSEADDR (restart while old connections linger in TIME_WAIT) but never SO_REUSEPORT:
  // a second server on the port must fail, not take half the connections.
  m.acceptor->open(endpoint.protocol(), ec);
  if (!ec) m.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) m.acceptor->bind(endpoint, ec);
  if (!ec) m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    m.acceptor.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", o.host, ":", o.port, ": ", ec.message()));
  }
  m.port = m.acceptor->local_endpoint().port();
  m.accept_backoff.emplace(m.acceptor->get_executor());
  m.workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(o.worker_threads));
  m.work.emplace(m.ioc.get_executor());
  m.stream_work.emplace(m.stream_ioc.get_executor());
  m.started = true;
  m.Accept();
  auto count = [](int asked) { return std::max(1, asked > 0 ? asked : static_cast<int>(std::thread::hardware_concurrency())); };
  for (int i = 0; i < count(o.io_threads); ++i) m.io_threads.emplace_back([&m] { m.ioc.run(); });
  for (int i = 0; i < count(o.stream_io_threads); ++i) m.stream_threads.emplace_back([&m] {
    LowerThisThreadsPriority(m.options.stream_nice);
    m.stream_ioc.run();
  });
  return absl::OkStatus();
}

void HttpServer::Impl::Accept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](boost::system::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      // Out of file descriptors (or similar): wait a little instead of spinning.
      spdlog::warn("http: accept failed: {} (retrying in 100 ms)", ec.message());
      accept_backoff->expires_after(std::chrono::milliseconds(100));
      accept_backoff->async_wait([this](boost::system::error_code e) {
        if (!e && !stopping) Accept();
      });
      return;
    }
    size_t open = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      open = live.size();
    }
    if (open >= options.max_connections + kRejectSlots) {
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      std::shared_ptr<ConnectionBase> c = MakeConnection(*this, std::move(socket), open >= options.max_connections);
      Register(c);
      c->Run();
    }
    Accept();
  });
}

void HttpServer::Impl::Register(const std::shared_ptr<ConnectionBase>& c) {
  std::lock_guard<std::mutex> lock(mu);
  live.emplace(c.get(), c);
}

void HttpServer::Impl::Unregister(ConnectionBase* c) {
  std::lock_guard<std::mutex> lock(mu);
  live.erase(c);
  if (live.empty()) live_changed.notify_all();
}

void HttpServer::Impl::Dispatch(Request request, Responder responder) {
  std::optional<size_t> route = router.Match(request.method, request.path, request.matches);
  if (!route.has_value()) {
    responder.Send(options.not_found ? options.not_found(request)
                                     : ErrorResponse(404, "not_found",
                                                     absl::StrCat("no such resource: ", request.method, " ",
                                                                  request.path)));
    return;
  }
  const Route& r = routes[*route];
  auto call = [&handler = r.handler](Request& req, Responder& res) {
    try {
      handler(req, std::move(res));
    } catch (const std::exception& e) {
      // The Responder, destroyed while unwinding, answers 500 if nothing was sent.
      spdlog::error("http: handler for {} {} threw (a bug): {}", req.method, req.path, e.what());
    }
  };
  if (r.run == Run::kInline) {
    call(request, responder);
  } else {
    asio::post(*workers, [call, request = std::move(request), responder = std::move(responder)]() mutable {
      call(request, responder);
    });
  }
}

void HttpServer::Stop() {
  Impl& m = *impl_;
  if (m.stopping.exchange(true)) return;
  if (!m.started) return;
  asio::post(m.acceptor->get_executor(), [&m] {
    boost::system::error_code ignored;
    m.acceptor->close(ignored);
    m.accept_backoff->cancel();
  });
  auto shut_all = [&m](bool hard) {
    std::vector<std::shared_ptr<ConnectionBase>> all;
    {
      std::lock_guard<std::mutex> lock(m.mu);
      for (auto& [p, w] : m.live) {
        if (std::shared_ptr<ConnectionBase> c = w.lock()) all.push_back(std::move(c));
      }
    }
    for (auto& c : all) c->Shutdown(hard);
  };
  auto wait_empty = [&m](std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(m.mu);
    return m.live_changed.wait_for(lock, d, [&m] { return m.live.empty(); });
  };
  // Idle connections close at once, streams end, requests being handled get their answer.
  shut_all(false);
  if (!wait_empty(std::chrono::seconds(5))) {
    shut_all(true);
    wait_empty(std::chrono::seconds(1));
  }
  m.workers->join();
  m.work.reset();
  m.stream_work.reset();
  m.ioc.stop();
  m.stream_ioc.stop();
  for (std::thread& t : m.io_threads) t.join();
  for (std::thread& t : m.stream_threads) t.join();
}

int HttpServer::port() const { return impl_->port; }

size_t HttpServer::open_connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->live.size();
}

}  // namespace romana::http_server
