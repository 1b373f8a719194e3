// fake_client.h: an in-memory http::Client for unit tests. Answers come from a queue of
// scripted responses (or a handler); every request is recorded. Thread-safe.
#ifndef ROMANA_HTTP_TESTING_FAKE_CLIENT_H_
#define ROMANA_HTTP_TESTING_FAKE_CLIENT_H_

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "http/client.h"

namespace romana::http::testing {

class FakeClient final : public Client {
 public:
  using Handler = std::function<absl::StatusOr<Response>(const Request&)>;

  // Queues one answer. When the queue is empty the handler (if any) answers, else 599.
  void Push(absl::StatusOr<Response> r) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(r));
  }
  void Push(int status, std::string body) { Push(Response{status, {}, std::move(body)}); }
  void SetHandler(Handler h) {
    std::lock_guard lock(mu_);
    handler_ = std::move(h);
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

  absl::StatusOr<Response> Send(const Request& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    requests_.back().on_data = nullptr;
    requests_.back().on_line = nullptr;
    requests_.back().on_headers = nullptr;
    if (!queue_.empty()) {
      absl::StatusOr<Response> r = std::move(queue_.front());
      queue_.pop_front();
      return r;
    }
    if (handler_) return handler_(request);
    return Response{599, {}, "FakeClient: no scripted answer"};
  }

 private:
  mutable std::mutex mu_;
  std::deque<absl::StatusOr<Response>> queue_;
  Handler handler_;
  std::vector<Request> requests_;
};

}  // namespace romana::http::testing

#endif  // ROMANA_HTTP_TESTING_FAKE_CLIENT_H_
