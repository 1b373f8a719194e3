// stream_connection.cc: a connection after its request was answered with a chunked stream
// (Responder::StartStream). It runs on the server's stream io threads, apart from the threads
// that read requests and write whole answers, so a fan-out to thousands of streams never
// queues in front of an API request (docs/romanad.md, "Server").
//
//   head (status line + headers) -> chunks as the producer queues them, one socket write at a
//   time; a pending read notices the client leaving -> last chunk (Finish) or abort -> closed.
//
// Plain TCP writes a chunk on the strand right away with a non-blocking send, as far as the
// socket takes it: no asio write operation, completion handler or write timer per chunk (with
// thousands of streams those were most of the fan-out's CPU: docs/romanad.md, benchmark). A
// socket that is full (a client not reading) is left alone until the kernel says it is
// writable again, with one timer for the stall (write_timeout). TLS writes through asio's
// asynchronous write (a TLS record cannot be half-sent by a non-blocking call).
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <type_traits>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/flat_stream.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"
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
      : impl_(impl),
        stream_(std::move(stream)),
        st_(std::move(st)),
        head_src_(std::move(head)),
        version_(version),
        stall_timer_(st_->executor()) {}
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
    if constexpr (kPlain) {
      PumpPlain();
    } else {
      PumpAsync();
    }
  }

 private:
  static constexpr bool kPlain = std::is_same_v<S, beast::tcp_stream>;

  // Plain TCP: frame and send what is queued until nothing is, or the socket is full.
  void PumpPlain() {
    while (!closed_ && head_sent_ && !writing_) {
      if (sent_ == frame_size_) {  // the last frame is out: take the next
        if (last_sent_) return Close();
        switch (st_->Take(chunk_)) {
          case StreamState::Next::kNothing:
            return;
          case StreamState::Next::kAbort:
            return Close();
          case StreamState::Next::kChunk:
            frame_head_ = absl::StrCat(absl::Hex(chunk_.size()), "\r\n");
            frame_tail_ = "\r\n";
            break;
          case StreamState::Next::kLast:
            chunk_.clear();
            frame_head_ = "0\r\n\r\n";
            frame_tail_ = "";
            last_sent_ = true;
            break;
        }
        sent_ = 0;
        frame_size_ = frame_head_.size() + chunk_.size() + frame_tail_.size();
      }
      const std::array<asio::const_buffer, 3> frame = {asio::buffer(frame_head_), asio::buffer(chunk_),
                                                       asio::buffer(frame_tail_)};
      beast::buffers_suffix<std::array<asio::const_buffer, 3>> rest(frame);
      rest.consume(sent_);
      error_code ec;
      const size_t n = Lowest().socket().write_some(rest, ec);
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return Close();
      sent_ += n;
      if (sent_ == frame_size_ && !last_sent_) {
        st_->Written(chunk_.size());
        chunk_ = std::string();  // its memory goes back now, not when the stream ends
      }
      if (sent_ < frame_size_) return WaitWritable();
    }
  }

  // The socket is full: nothing more is tried until it is writable (or write_timeout passes).
  void WaitWritable() {
    writing_ = true;
    stall_timer_.expires_after(impl_.options.write_timeout);
    stall_timer_.async_wait([self = Self()](error_code ec) {
      // Not a stale expiry of an earlier stall: the client took nothing for write_timeout.
      if (!ec && self->writing_ && self->stall_timer_.expiry() <= asio::steady_timer::clock_type::now()) self->Close();
    });
    Lowest().socket().async_wait(tcp::socket::wait_write, [self = Self()](error_code ec) {
      self->writing_ = false;
      self->stall_timer_.cancel();
      if (ec) return self->Close();
      self->PumpPlain();
    });
  }

  // TLS: one asynchronous write at a time.
  void PumpAsync() {
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
      if constexpr (kPlain) {
        self->Lowest().socket().non_blocking(true, ec);  // PumpPlain's sends return instead of waiting
        if (ec) return self->Close();
      }
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
    stall_timer_.cancel();
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
  // Plain TCP: the frame being sent (frame_head_ + chunk_ + frame_tail_) and how much of it is
  // out; the timer of a stall on a full socket; the last chunk is (being) sent.
  std::string frame_head_;
  std::string frame_tail_;
  size_t frame_size_ = 0;
  size_t sent_ = 0;
  bool last_sent_ = false;
  asio::steady_timer stall_timer_;
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
