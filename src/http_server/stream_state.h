// stream_state.h: the bounded chunk queue behind a Stream (responder.h), between the producer
// (any thread) and the connection that writes the chunks (stream_connection.cc). Private to
// this library.
//
// A Write queues its chunk (or, past the byte limit, aborts the stream) and kicks the writer:
// on the writer's strand (a producer that runs there, like the watch stream) the writer looks
// at the queue at once; from another thread a kick is posted, at most one in flight, so a
// producer writing many small chunks costs the writer's strand one turn, not one per chunk.
// Kicks before the writer is attached are dropped; the writer looks at the queue once it has
// sent the response head.
//
// Thread-safety: every method may be called from any thread; Take/Written/Attach come from the
// writer's strand.
#ifndef ROMANA_HTTP_SERVER_STREAM_STATE_H_
#define ROMANA_HTTP_SERVER_STREAM_STATE_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "http_server/responder.h"

namespace romana::http_server {

// The connection that writes a stream: Pump() looks at the queue (on the connection's strand).
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual void Pump() = 0;
};

// The strand a stream's connection runs on.
using StreamStrand = boost::asio::strand<boost::asio::io_context::executor_type>;

// Always made with std::make_shared (kicks hold weak pointers to it).
class StreamState final : public Stream, public std::enable_shared_from_this<StreamState> {
 public:
  // `exec`: the strand of the connection that will write the stream (Post/PostAfter run there).
  StreamState(size_t limit, StreamStrand exec) : limit_(limit), exec_(std::move(exec)) {}

  bool Write(std::string chunk) override;
  void Finish() override { Close(/*finish=*/true); }
  bool open() const override;
  size_t buffered_bytes() const override;
  void WhenDrained(std::function<void()> fn) override;
  void OnClose(std::function<void()> fn) override;
  void Post(std::function<void()> fn) override;
  void PostAfter(std::chrono::milliseconds delay, std::function<void()> fn) override;

  const StreamStrand& executor() const { return exec_; }
  // The writer from now on (called on its strand, before it sends the response head).
  void Attach(std::weak_ptr<StreamWriter> writer);

  // Ends the producer's side. `finish`: what is queued is still sent, then the last chunk;
  // else everything queued is dropped and the connection aborted. Idempotent.
  void Close(bool finish);

  enum class Next { kNothing, kChunk, kLast, kAbort };
  // What the writer does next; for kChunk, `out` gets everything queued as one chunk.
  Next Take(std::string& out);
  // `n` bytes of a taken chunk reached the socket.
  void Written(size_t n);

 private:
  void Kick();  // makes the writer look at the queue (now on its strand, else posted; one pending)

  const size_t limit_;
  const StreamStrand exec_;
  mutable std::mutex mu_;
  std::weak_ptr<StreamWriter> writer_;  // guarded by mu_
  bool kicked_ = false;                 // a kick is posted and has not run; guarded by mu_
  std::deque<std::string> queue_;       // guarded by mu_
  size_t bytes_ = 0;                    // queued or being written; guarded by mu_
  bool open_ = true;                    // guarded by mu_
  bool finishing_ = false;              // guarded by mu_
  bool aborted_ = false;                // guarded by mu_
  std::function<void()> drained_;       // guarded by mu_
  std::function<void()> closed_;        // guarded by mu_
};

}  // namespace romana::http_server

#endif  // ROMANA_HTTP_SERVER_STREAM_STATE_H_
