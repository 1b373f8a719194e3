// stream_connection.cc: a connection after its request was answered with a chunked stream
// (Responder::StartStream). It runs on the server's stream io threads, apart from the threads
// that read requests and write whole answers, so a fan-out to thousands of streams never
// queues in front of an API request (docs/romanad.md, "Server").
//
//   head (status line + headers) -> chunks as the producer queues them, one socket write at a
//   time; a pending read notices the client leaving -> last chunk (Finish) or abort -> closed.
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/flat_stream.hpp>
#include <boost/beast/http.hpp>

#include "http_server/server_impl.h"
#include "http_server/stream_state.h"

namespace romana::http_server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

template <class S>
class StreamConnection final : public ConnectionBase, public StreamWriter {
 public:
  StreamConnection(HttpServer::Impl& impl, S stream, std::shared_ptr<StreamState> st, Response head, unsigned version)
      : impl_(impl), stream_(std::move(stream)), st_(std::move(st)), head_src_(std::move(head)), version_(version) {}
  ~StreamConnection() override { impl_.Unregister(this); }

  void Run() override {
    asio::dispatch(st_->executor(), [self = Self()] {
      self->st_->Attach(self);
      self->WriteHead();
    });
  }

  void Shutdown(bool hard) override {
    asio::post(st_->executor(), [self = Self(), hard] {
      if (hard) return self->Close();
      self->st_->Close(/*finish=*/true);  // what is queued, then the last chunk
    });
  }

  // On the strand.
  void Pump() override {
    if (closed_ || !head_sent_ || writing_) return;
    switch (st_->Take(chunk_)) {
      case StreamState::Next::kNothing:
        return;
      case StreamState::Next::kAbort:
        return Close();
      case StreamState::Next::kChunk:
        writing_ = true;
        // Only the write timer: the read of WatchForClientGone stays without a deadline.
        Lowest().expires_after(impl_.options.write_timeout);
        asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)), [self = Self()](error_code ec, size_t) {
          self->writing_ = false;
          if (ec) return self->Close();
          self->st_->Written(self->chunk_.size());
          self->chunk_ = std::string();  // its memory goes back now, not when the stream ends
          self->Pump();
        });
        return;
      case StreamState::Next::kLast:
        writing_ = true;
        Lowest().expires_after(impl_.options.write_timeout);
        asio::async_write(stream_, http::make_chunk_last(), [self = Self()](error_code, size_t) {
          self->writing_ = false;
          self->Close();
        });
        return;
    }
  }

 private:
  std::shared_ptr<StreamConnection> Self() {
    return std::static_pointer_cast<StreamConnection>(shared_from_this());
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void WriteHead() {
    // A stream that starts while the server stops still ends cleanly (head, what is queued, the
    // last chunk): Stop() may have looked at the live connections before this one registered.
    if (impl_.stopping) st_->Close(/*finish=*/true);
    head_ = std::make_unique<http::response<http::empty_body>>();
    head_->version(version_);
    head_->result(static_cast<unsigned>(head_src_.status));
    if (!head_src_.content_type.empty()) head_->set(http::field::content_type, head_src_.content_type);
    for (const auto& [k, v] : head_src_.headers) head_->insert(k, v);
    head_->keep_alive(false);  // the connection closes when the stream ends
    head_->chunked(true);
    serializer_ = std::make_unique<http::response_serializer<http::empty_body>>(*head_);
    Lowest().expires_after(impl_.options.write_timeout);
    http::async_write_header(stream_, *serializer_, [self = Self()](error_code ec, size_t) {
      self->serializer_.reset();
      self->head_.reset();
      if (ec) return self->Close();
      self->head_sent_ = true;
      self->Lowest().expires_never();
      self->WatchForClientGone();
      self->Pump();
    });
  }

  // A read stays pending while streaming: it completes when the client closes or resets.
  void WatchForClientGone() {
    stream_.async_read_some(asio::buffer(discard_), [self = Self()](error_code ec, size_t) {
      if (ec) return self->Close();
      self->WatchForClientGone();  // a streaming client has nothing to say: discard
    });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    st_->Close(/*finish=*/false);
    Lowest().close();
  }

  HttpServer::Impl& impl_;
  S stream_;
  const std::shared_ptr<StreamState> st_;
  Response head_src_;
  const unsigned version_;
  // Strand only.
  std::unique_ptr<http::response<http::empty_body>> head_;
  std::unique_ptr<http::response_serializer<http::empty_body>> serializer_;
  bool head_sent_ = false;
  bool writing_ = false;
  bool closed_ = false;
  std::string chunk_;
  std::array<char, 256> discard_;
};

template <class S>
void Start(HttpServer::Impl& impl, S stream, std::shared_ptr<StreamState> st, Response head, unsigned version) {
  auto c = std::make_shared<StreamConnection<S>>(impl, std::move(stream), std::move(st), std::move(head), version);
  impl.Register(c);
  c->Run();
}

}  // namespace

void StartPlainStream(HttpServer::Impl& impl, tcp::socket socket, std::shared_ptr<StreamState> st, Response head,
                      unsigned version) {
  Start(impl, beast::tcp_stream(std::move(socket)), std::move(st), std::move(head), version);
}

void StartTlsStream(HttpServer::Impl& impl, tcp::socket socket, SSL* ssl, std::shared_ptr<StreamState> st,
                    Response head, unsigned version) {
  using TlsStream = beast::flat_stream<asio::ssl::stream<beast::tcp_stream>>;
  Start(impl, TlsStream(beast::tcp_stream(std::move(socket)), ssl), std::move(st), std::move(head), version);
}

}  // namespace romana::http_server
