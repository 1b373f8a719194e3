#include "k8s/reflector.h"

#include <random>

#include "spdlog/spdlog.h"

namespace romana::k8s {

void Reflector::Stop() {
  stop_ = true;
  cv_.notify_all();
}

std::string Reflector::last_error() const {
  std::lock_guard lock(err_mu_);
  return last_error_;
}

bool Reflector::SleepUnlessStopped(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_.load(); });
}

void Reflector::Run() {
  std::mt19937 rng(std::random_device{}());
  std::chrono::milliseconds backoff = options_.min_backoff;
  auto fail = [&](const absl::Status& s) {
    spdlog::warn("{}: {} (retrying in about {} ms)", options_.path, s.ToString(), backoff.count());
    {
      std::lock_guard lock(err_mu_);
      last_error_ = s.ToString();
    }
    const auto jittered = std::chrono::milliseconds(
        std::uniform_int_distribution<long long>(backoff.count() / 2, backoff.count())(rng));
    SleepUnlessStopped(jittered);
    backoff = std::min(backoff * 2, options_.max_backoff);
  };
  std::string rv;
  while (!stop_) {
    if (rv.empty()) {
      absl::StatusOr<ListResult> list = client_.List(options_.path, options_.selectors, options_.transform,
                                                              options_.on_list_page);
      if (!list.ok()) {
        fail(list.status());
        continue;
      }
      ++lists_;
      rv = list->resource_version;
      handler_.OnSync(std::move(list->items));
      if (rv.empty()) rv = "0";
    }
    ++watches_;
    absl::Status s = client_.Watch(
        options_.path, rv, options_.watch_timeout_seconds,
        [&](const WatchEvent& ev) {
          const std::string v = ev.object.value("metadata", nlohmann::json::object()).value("resourceVersion", "");
          if (!v.empty()) rv = v;
          if (ev.type == "BOOKMARK") return;
          handler_.OnEvent(ev.type, options_.transform ? options_.transform(ev.object) : ev.object);
          backoff = options_.min_backoff;  // the stream works
        },
        &stop_, options_.selectors);
    if (stop_) break;
    if (s.ok()) continue;  // the server ended the watch: resume from rv
    if (absl::IsFailedPrecondition(s)) {
      spdlog::info("{}: {}; re-listing", options_.path, std::string(s.message()));
      rv.clear();
      continue;
    }
    fail(s);
  }
}

}  // namespace romana::k8s
