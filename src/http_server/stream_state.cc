#include "http_server/stream_state.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace romana::http_server {

namespace asio = boost::asio;

bool StreamState::Write(std::string chunk) {
  bool overflow = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_) return false;
    if (chunk.empty()) return true;
    if (bytes_ + chunk.size() > limit_) {
      overflow = true;
    } else {
      bytes_ += chunk.size();
      queue_.push_back(std::move(chunk));
    }
  }
  if (overflow) {
    Close(/*finish=*/false);
    return false;
  }
  Kick();
  return true;
}

bool StreamState::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

size_t StreamState::buffered_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

void StreamState::WhenDrained(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_ && bytes_ > 0) {
      drained_ = std::move(fn);
      return;
    }
  }
  fn();
}

void StreamState::OnClose(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_) {
      closed_ = std::move(fn);
      return;
    }
  }
  fn();
}

void StreamState::Post(std::function<void()> fn) { asio::post(exec_, std::move(fn)); }

void StreamState::PostAfter(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(exec_, delay);
  timer->async_wait([timer, fn = std::move(fn)](boost::system::error_code ec) {
    if (!ec) fn();
  });
}

void StreamState::Attach(std::weak_ptr<StreamWriter> writer) {
  std::lock_guard<std::mutex> lock(mu_);
  writer_ = std::move(writer);
}

void StreamState::Kick() {
  if (exec_.running_in_this_thread()) {  // the producer is on the writer's strand: no post
    std::shared_ptr<StreamWriter> w;
    {
      std::lock_guard<std::mutex> lock(mu_);
      w = writer_.lock();
    }
    if (w) w->Pump();  // not attached yet: the writer pumps after the head
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (kicked_ || writer_.expired()) return;  // not attached yet: the writer pumps after the head
    kicked_ = true;
  }
  asio::post(exec_, [weak = weak_from_this()] {
    std::shared_ptr<StreamState> self = weak.lock();
    if (!self) return;
    std::shared_ptr<StreamWriter> w;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->kicked_ = false;
      w = self->writer_.lock();
    }
    if (w) w->Pump();
  });
}

void StreamState::Close(bool finish) {
  std::function<void()> closed, drained;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_) {
      if (finish || aborted_) return;
      // Aborting after Finish: the client is gone, drop the rest.
    }
    open_ = false;
    if (finish) {
      finishing_ = true;
    } else {
      aborted_ = true;
      queue_.clear();
      bytes_ = 0;
    }
    closed.swap(closed_);
    drained.swap(drained_);
  }
  if (closed) closed();
  if (drained) drained();
  Kick();
}

StreamState::Next StreamState::Take(std::string& out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (aborted_) return Next::kAbort;
  if (!queue_.empty()) {
    if (queue_.size() == 1) {
      out = std::move(queue_.front());  // the usual case: no copy
    } else {
      out.clear();
      size_t n = 0;
      for (const std::string& s : queue_) n += s.size();
      out.reserve(n);
      for (const std::string& s : queue_) out += s;
    }
    queue_.clear();
    return Next::kChunk;
  }
  return finishing_ ? Next::kLast : Next::kNothing;
}

void StreamState::Written(size_t n) {
  std::function<void()> drained;
  {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_ -= std::min(bytes_, n);
    if (bytes_ == 0) drained.swap(drained_);
  }
  if (drained) drained();
}

}  // namespace romana::http_server
