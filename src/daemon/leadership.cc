#include "daemon/leadership.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace romana::daemon {

std::unique_ptr<LeaseElection> LeaseElection::Start(LeaseElectionOptions options, store::Store& store,
                                                    const base::Clock& clock) {
  std::unique_ptr<LeaseElection> e(new LeaseElection(std::move(options), store, clock));
  e->thread_ = std::thread([p = e.get()] { p->Run(); });
  return e;
}

LeaseElection::~LeaseElection() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Resign();
}

bool LeaseElection::IsLeader() const {
  std::lock_guard lock(mu_);
  return leader_;
}
std::string LeaseElection::LeaderUrl() const {
  std::lock_guard lock(mu_);
  return leader_url_;
}
std::optional<store::Compare> LeaseElection::Fence() const {
  std::lock_guard lock(mu_);
  // A follower's fence can never hold: the leader key never has an empty value.
  return store::Compare::ValueEquals(options_.key, leader_ ? value_ : std::string());
}
uint64_t LeaseElection::Term() const {
  std::lock_guard lock(mu_);
  return term_;
}
bool LeaseElection::Settled() const {
  std::lock_guard lock(mu_);
  return settled_;
}

bool LeaseElection::WaitFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stop_; });
  return !stop_;
}

void LeaseElection::SetLeader(bool leader, const std::string& value, store::LeaseId lease) {
  bool changed;
  {
    std::lock_guard lock(mu_);
    changed = leader_ != leader;
    leader_ = leader;
    value_ = leader ? value : "";
    lease_ = leader ? lease : 0;
    if (leader) {
      ++term_;
      leader_url_ = options_.advertise_url;
    }
    settled_ = true;
  }
  if (changed) {
    spdlog::info("election: this replica {} the leader ({})", leader ? "is now" : "is no longer", options_.key);
    if (options_.on_change) options_.on_change(leader);
  }
}

void LeaseElection::Resign() {
  store::LeaseId lease;
  {
    std::lock_guard lock(mu_);
    lease = lease_;
  }
  if (lease == 0) return;
  SetLeader(false, "", 0);
  if (absl::Status s = store_.RevokeLease(lease); !s.ok()) {
    spdlog::warn("election: revoking the lease failed: {}", s.ToString());
  }
}

void LeaseElection::Run() {
  while (WaitFor(std::chrono::milliseconds(0))) {
    if (IsLeader()) {
      KeepLeading();
    } else {
      Campaign();
      if (!IsLeader() && !WaitFor(options_.poll)) return;
    }
  }
}

void LeaseElection::Campaign() {
  absl::StatusOr<std::optional<store::KeyValue>> current = store_.Get(options_.key);
  if (!current.ok()) {
    spdlog::debug("election: reading {} failed: {}", options_.key, current.status().ToString());
    return;
  }
  if (current->has_value()) {
    nlohmann::json v = nlohmann::json::parse((*current)->value, nullptr, false);
    std::lock_guard lock(mu_);
    leader_url_ = v.is_object() && v.contains("url") && v["url"].is_string() ? v["url"].get<std::string>() : "";
    settled_ = true;
    return;
  }
  absl::StatusOr<store::LeaseId> lease = store_.GrantLease(options_.ttl);
  if (!lease.ok()) return;
  std::random_device rd;
  const std::string value = nlohmann::json{{"url", options_.advertise_url},
                                           {"term", absl::StrCat(rd(), "-", rd(), "-", *lease)}}.dump();
  store::Txn txn;
  txn.compares.push_back(store::Compare::Absent(options_.key));
  txn.success.push_back(store::Op::Put(options_.key, value, *lease));
  const auto start = clock_.Now();
  absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
  if (r.ok() && r->succeeded) {
    last_renewed_ = start;
    SetLeader(true, value, *lease);
    return;
  }
  (void)store_.RevokeLease(*lease);
}

void LeaseElection::KeepLeading() {
  const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(options_.ttl) / 3;
  if (!WaitFor(interval)) return;
  store::LeaseId lease;
  std::string value;
  {
    std::lock_guard lock(mu_);
    lease = lease_;
    value = value_;
  }
  if (lease == 0) return;  // resigned meanwhile
  const auto start = clock_.Now();
  absl::Status s = store_.KeepAlive(lease);
  if (s.ok()) {
    absl::StatusOr<std::optional<store::KeyValue>> kv = store_.Get(options_.key);
    if (kv.ok() && (!kv->has_value() || (*kv)->value != value)) {
      spdlog::warn("election: the leader key changed under us; stepping down");
      SetLeader(false, "", 0);
      return;
    }
    last_renewed_ = start;
    return;
  }
  if (s.code() == absl::StatusCode::kNotFound) {
    spdlog::warn("election: our lease expired; stepping down");
    SetLeader(false, "", 0);
    return;
  }
  // Cannot reach the store: step down before the lease can have expired on the server side.
  if (clock_.Now() - last_renewed_ > options_.ttl - interval) {
    spdlog::warn("election: cannot renew the lease ({}); stepping down", s.ToString());
    SetLeader(false, "", 0);
  }
}

}  // namespace romana::daemon
