// fake_http_client.h: an in-memory HttpClient for unit tests. Answers come from a queue of
// scripted responses (or a handler); every request is recorded. Thread-safe.
#ifndef ROMANA_AWS_TESTING_FAKE_HTTP_CLIENT_H_
#define ROMANA_AWS_TESTING_FAKE_HTTP_CLIENT_H_

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "aws/http_client.h"

namespace romana::aws::testing {

class FakeHttpClient final : public HttpClient {
 public:
  using Handler = std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;

  // Queues one answer. When the queue is empty the handler (if any) answers, else 599.
  void Push(absl::StatusOr<HttpResponse> r) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(r));
  }
  void Push(int status, std::string body) { Push(HttpResponse{status, {}, std::move(body)}); }
  void SetHandler(Handler h) {
    std::lock_guard lock(mu_);
    handler_ = std::move(h);
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    requests_.back().on_body_data = nullptr;
    if (!queue_.empty()) {
      absl::StatusOr<HttpResponse> r = std::move(queue_.front());
      queue_.pop_front();
      return r;
    }
    if (handler_) return handler_(request);
    return HttpResponse{599, {}, "FakeHttpClient: no scripted answer"};
  }

 private:
  mutable std::mutex mu_;
  std::deque<absl::StatusOr<HttpResponse>> queue_;
  Handler handler_;
  std::vector<HttpRequest> requests_;
};

}  // namespace romana::aws::testing

#endif  // ROMANA_AWS_TESTING_FAKE_HTTP_CLIENT_H_
