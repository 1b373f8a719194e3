// responder.h: how a handler answers (http_server.h). A Responder is the one-shot answer to
// one request: Send() a whole response, or StartStream() a chunked one and push chunks
// through the returned Stream as they come, from any thread, without holding a thread.
#ifndef ROMANA_HTTP_SERVER_RESPONDER_H_
#define ROMANA_HTTP_SERVER_RESPONDER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "http_server/request.h"

namespace romana::http_server {

// A chunked response being sent. Thread-safe: any thread may Write/Finish. Callbacks run on
// the thread that closes or drains the stream (an io thread; the producer's own thread for
// Finish or an overflowing Write; the registering thread when the condition already holds),
// without locks held, and must not block.
//
// Buffering is bounded: chunks queue in memory until the client has taken them; a Write that
// would queue more than the server's max_stream_buffer_bytes aborts the stream (the client is
// too slow; it reconnects and resumes), as does a client that takes nothing for the server's
// write_timeout. A producer that paces itself checks buffered_bytes() and asks WhenDrained().
// REQUIRES: every Stream (and Responder) is dropped before its HttpServer is destroyed.
class Stream {
 public:
  virtual ~Stream() = default;
  // Queues `chunk` (empty chunks are ignored). Returns false, queuing nothing, once the stream
  // is no longer open (client gone, aborted, finished, server stopping).
  virtual bool Write(std::string chunk) = 0;
  // Ends the response (terminating chunk) after the queued chunks; the connection then closes.
  // Idempotent.
  virtual void Finish() = 0;
  // False once the client went away, the stream was aborted or finished, or the server stops.
  virtual bool open() const = 0;
  // Bytes queued and not yet written to the socket.
  virtual size_t buffered_bytes() const = 0;
  // `fn` runs once when nothing is queued any more (at once if nothing is queued now), or when
  // the stream closes. Replaces an earlier callback not yet run.
  virtual void WhenDrained(std::function<void()> fn) = 0;
  // `fn` runs once when the stream closes for any reason (at once if already closed).
  virtual void OnClose(std::function<void()> fn) = 0;
  // Runs `fn` on an io thread, serialized with the stream's connection (never two at once for
  // one stream): soon (Post), or after `delay` (PostAfter). It runs even when the stream closed
  // meanwhile (`fn` checks open()), and not at all once the server stopped; it must not block.
  // For producers that are told "more is ready" on a thread that must not do the work.
  virtual void Post(std::function<void()> fn) = 0;
  virtual void PostAfter(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
};

namespace internal {
// The connection side of one request (implemented in connection.cc).
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void Send(Response response) = 0;
  virtual std::shared_ptr<Stream> StartStream(Response head) = 0;
};
}  // namespace internal

// Move-only; exactly one of Send/StartStream may be called. A Responder destroyed without an
// answer sends 500 (a handler bug must not leave the client hanging).
class Responder {
 public:
  explicit Responder(std::shared_ptr<internal::Exchange> exchange) : exchange_(std::move(exchange)) {}
  Responder(Responder&&) = default;
  Responder& operator=(Responder&&) = default;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  // Sends `response`; later calls are ignored.
  void Send(Response response);
  // Sends the head of a chunked response (status, content type and headers of `head`; its body
  // is ignored) and returns the stream to write the body to. The connection closes after the
  // stream ends. Returns nullptr after an earlier answer.
  std::shared_ptr<Stream> StartStream(Response head);

 private:
  std::shared_ptr<internal::Exchange> exchange_;
};

}  // namespace romana::http_server

#endif  // ROMANA_HTTP_SERVER_RESPONDER_H_
