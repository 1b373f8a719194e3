// connection.cc: one HTTP/1.1 connection on Beast (plain TCP or TLS), as a state machine that
// runs on the connection's strand.
//
//   [TLS handshake] -> idle (wait for a first byte: header_timeout first, then idle_timeout)
//   -> reading (header within header_timeout, body within body_timeout) -> handling (no
//   reads; the handler answers from any thread) -> writing -> idle again (keep-alive) or
//   closing; or, answered with a stream, -> handed over: the socket (and TLS session) moves to
//   a StreamConnection on the stream io threads (stream_connection.cc) and this one is done.
#include <openssl/ssl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "http_server/server_impl.h"
#include "http_server/stream_state.h"

namespace romana::http_server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using boost::system::error_code;

// How long a closing connection waits for the client's FIN (or TLS close_notify) so that the
// last answer is not destroyed by a reset.
constexpr std::chrono::seconds kLinger(2);
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

template <class C>
class ExchangeImpl final : public internal::Exchange {
 public:
  explicit ExchangeImpl(std::shared_ptr<C> conn) : conn_(std::move(conn)) {}
  void Send(Response response) override {
    if (answered_.exchange(true)) return;
    asio::dispatch(conn_->executor(), [c = conn_, r = std::move(response)]() mutable { c->WriteResponse(std::move(r)); });
  }
  std::shared_ptr<Stream> StartStream(Response head) override {
    if (answered_.exchange(true)) return nullptr;
    return conn_->BeginStream(std::move(head));
  }

 private:
  std::shared_ptr<C> conn_;
  std::atomic<bool> answered_{false};
};

template <class S>
class Connection final : public ConnectionBase {
 public:
  static constexpr bool kTls = std::is_same_v<S, TlsStream>;

  template <class... Args>
  Connection(HttpServer::Impl& impl, bool reject, Args&&... args)
      : impl_(impl), opts_(impl.options), stream_(std::forward<Args>(args)...), reject_(reject) {}
  ~Connection() override { impl_.Unregister(this); }

  asio::any_io_executor executor() { return stream_.get_executor(); }

  void Run() override {
    asio::dispatch(executor(), [self = Self()] { self->Begin(); });
  }

  void Shutdown(bool hard) override {
    asio::post(executor(), [self = Self(), hard] { self->OnShutdown(hard); });
  }

  void WriteResponse(Response r) {
    if (state_ == State::kClosed) return;
    state_ = State::kWriting;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(r.status));
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->insert(k, v);
    res->body() = std::move(r.body);
    const bool keep = keep_alive_ && !impl_.stopping;
    res->keep_alive(keep);
    res->prepare_payload();
    Lowest().expires_after(opts_.write_timeout);
    http::async_write(stream_, *res, [self = Self(), res, keep](error_code ec, size_t) {
      if (ec) return self->HardClose();
      if (!keep) return self->GracefulClose();
      self->WaitRequest();
    });
  }

  // Any thread.
  std::shared_ptr<Stream> BeginStream(Response head) {
    auto st = std::make_shared<StreamState>(opts_.max_stream_buffer_bytes, asio::make_strand(impl_.stream_ioc));
    asio::dispatch(executor(), [self = Self(), st, head = std::move(head)]() mutable {
      self->HandOver(std::move(st), std::move(head));
    });
    return st;
  }

 private:
  enum class State { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing, kClosed };

  std::shared_ptr<Connection> Self() { return std::static_pointer_cast<Connection>(shared_from_this()); }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    error_code ec;
    Lowest().socket().set_option(tcp::no_delay(true), ec);  // else Nagle + delayed ACK add ~40 ms
    tcp::endpoint peer = Lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = absl::StrCat(peer.address().to_string(), ":", peer.port());
    if (impl_.stopping) return HardClose();
    if constexpr (kTls) {
      state_ = State::kHandshake;
      Lowest().expires_after(opts_.header_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = Self()](error_code e) {
        if (e) return self->HardClose();
        self->AfterHandshake();
      });
    } else {
      AfterHandshake();
    }
  }

  void AfterHandshake() {
    if (reject_) {
      keep_alive_ = false;
      return WriteResponse(ErrorResponse(
          503, "unavailable",
          absl::StrCat("the server has reached its limit of ", opts_.max_connections, " open connections; retry later")));
    }
    WaitRequest();
  }

  void WaitRequest() {
    if (state_ == State::kClosed) return;
    if (impl_.stopping) return GracefulClose();
    state_ = State::kIdle;
    if (buffer_.size() > 0) return ReadHeader();
    Lowest().expires_after(first_ ? opts_.header_timeout : opts_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = Self()](error_code ec, size_t n) {
      if (ec) return self->HardClose();
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    if (state_ == State::kClosed) return;
    state_ = State::kReading;
    first_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(opts_.max_header_bytes));
    parser_->body_limit(opts_.max_body_bytes);
    Lowest().expires_after(opts_.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  // True when the error was handled (answered or closed).
  bool HandleReadError(error_code ec) {
    if (!ec) return false;
    if (ec == http::error::body_limit) {
      Fail(413, "too_large", absl::StrCat("the request body is larger than the limit of ", opts_.max_body_bytes,
                                          " bytes"));
    } else if (ec == http::error::header_limit) {
      Fail(431, "header_too_large",
           absl::StrCat("the request header is larger than the limit of ", opts_.max_header_bytes, " bytes"));
    } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      Fail(400, "invalid_argument", absl::StrCat("malformed HTTP request: ", ec.message()));
    } else {
      HardClose();  // timeout, the client left, reset
    }
    return true;
  }

  void OnHeader(error_code ec) {
    if (state_ == State::kClosed || HandleReadError(ec)) return;
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue") &&
        !parser_->is_done()) {
      Lowest().expires_after(opts_.write_timeout);
      asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                        [self = Self()](error_code e, size_t) {
                          if (e) return self->HardClose();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (state_ == State::kClosed) return;
    if (parser_->is_done()) return OnRequest();
    Lowest().expires_after(opts_.body_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = Self()](error_code ec, size_t) {
      if (self->state_ == State::kClosed || self->HandleReadError(ec)) return;
      self->OnRequest();
    });
  }

  void OnRequest() {
    http::request<http::string_body>& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    std::optional<ParsedTarget> target = ParseTarget(req.target);
    if (!target.has_value()) return Fail(400, "invalid_argument", "malformed request target (path)");
    req.path = std::move(target->path);
    req.params = std::move(target->params);
    for (const auto& field : msg) req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    req.body = std::move(msg.body());
    req.remote_address = remote_;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    parser_.reset();
    state_ = State::kHandling;
    Lowest().expires_never();
    impl_.Dispatch(std::move(req), Responder(std::make_shared<ExchangeImpl<Connection>>(Self())));
  }

  // Answers an error and closes (what follows in the stream cannot be trusted).
  void Fail(int status, const std::string& code, const std::string& message) {
    keep_alive_ = false;
    parser_.reset();
    WriteResponse(ErrorResponse(status, code, message));
  }

  // The answer is a stream: the socket (with its TLS session) moves to a StreamConnection on
  // the stream io threads; this connection is done (nothing of it is pending: it was handling).
  // While the server stops the stream still moves: it ends there cleanly (see WriteHead).
  void HandOver(std::shared_ptr<StreamState> st, Response head) {
    if (state_ == State::kClosed) {
      st->Close(/*finish=*/false);
      return HardClose();
    }
    error_code ec;
    tcp::socket& socket = Lowest().socket();
    const tcp::endpoint local = socket.local_endpoint(ec);
    SSL* ssl = nullptr;
    if constexpr (kTls) ssl = stream_.native_handle();
    tcp::socket moved(st->executor());
    if (!ec) {
      const tcp::socket::native_handle_type fd = socket.release(ec);
      if (!ec) moved.assign(local.protocol(), fd, ec);
    }
    if (ec) {
      st->Close(/*finish=*/false);
      return HardClose();
    }
    state_ = State::kClosed;
    if constexpr (kTls) {
      SSL_up_ref(ssl);  // the stream's reference; this connection's stream drops its own
      StartTlsStream(impl_, std::move(moved), ssl, std::move(st), std::move(head), version_);
    } else {
      StartPlainStream(impl_, std::move(moved), std::move(st), std::move(head), version_);
    }
  }

  void OnShutdown(bool hard) {
    if (hard) return HardClose();
    switch (state_) {
      case State::kHandshake:
      case State::kIdle:
      case State::kReading:
        return HardClose();
      case State::kClosing:  // the answer is out: don't wait for the client's FIN
        return HardClose();
      case State::kHandling:  // answers, then closes (keep-alive is off while stopping)
      case State::kWriting:
      case State::kClosed:
        return;
    }
  }

  void GracefulClose() {
    if (state_ == State::kClosed || state_ == State::kClosing) return;
    if (impl_.stopping) return HardClose();  // stopping: the answer is out, don't wait for the client
    state_ = State::kClosing;
    Lowest().expires_after(kLinger);
    if constexpr (kTls) {
      stream_.async_shutdown([self = Self()](error_code) { self->HardClose(); });
    } else {
      error_code ec;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      Linger();
    }
  }

  // Reads (and drops) until the client closes or kLinger passes.
  void Linger() {
    stream_.async_read_some(asio::buffer(discard_), [self = Self()](error_code ec, size_t) {
      if (ec) return self->HardClose();
      self->Linger();
    });
  }

  void HardClose() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    Lowest().close();
  }

  HttpServer::Impl& impl_;
  const ServerOptions& opts_;
  S stream_;
  const bool reject_;
  State state_ = State::kIdle;
  bool first_ = true;  // no request read yet: the first byte is due within header_timeout
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::array<char, 1024> discard_;
};

}  // namespace

std::shared_ptr<ConnectionBase> MakeConnection(HttpServer::Impl& impl, tcp::socket socket, bool reject) {
  if (impl.ssl.has_value()) {
    return std::make_shared<Connection<TlsStream>>(impl, reject, std::move(socket), *impl.ssl);
  }
  return std::make_shared<Connection<PlainStream>>(impl, reject, std::move(socket));
}

}  // namespace romana::http_server
