#include "pod_churn.h"

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lab/exec.h"
#include "lab/plan.h"
#include "nlohmann/json.hpp"

namespace romana::chaos {
namespace {

// The CNI error code in a Lab::RunCni failure ("..., CNI error 11): ..."); 0 when there is none.
int CniCode(const absl::Status& s) {
  if (absl::IsUnavailable(s)) return 11;
  const absl::string_view m = s.message();
  const size_t at = m.find("CNI error ");
  if (at == absl::string_view::npos) return 0;
  absl::string_view digits = m.substr(at + 10);
  digits = digits.substr(0, digits.find_first_not_of("0123456789"));
  int code = 0;
  return absl::SimpleAtoi(digits, &code) ? code : 0;
}

std::string IpOf(const std::string& result_json) {
  nlohmann::json r = nlohmann::json::parse(result_json, nullptr, false);
  if (!r.is_object() || !r.contains("ips") || !r["ips"].is_array() || r["ips"].empty()) return "";
  const std::string address = r["ips"][0].value("address", "");
  return address.substr(0, address.find('/'));
}

}  // namespace

void PodChurn::Note(const absl::Status& s, OpRecord& rec) {
  ++rec.cni_errors[CniCode(s)];
  rec.last_error = std::string(s.message());
}

void PodChurn::Backoff(int attempt) const {
  // A runtime's retry backoff (kubelet's sandbox retries, shortened for a test).
  const auto delay = std::chrono::milliseconds(100) * (1 << std::min(attempt, 4));
  std::this_thread::sleep_for(std::min(std::chrono::duration_cast<std::chrono::milliseconds>(delay), options_.max_backoff));
}

void PodChurn::Record(OpRecord rec) {
  std::lock_guard lock(mu_);
  records_.push_back(std::move(rec));
}

bool PodChurn::DelUntilDone(const lab::PodInfo& pod, const std::string& prev_result,
                            std::chrono::steady_clock::time_point deadline, OpRecord& rec) {
  for (int attempt = 0;; ++attempt) {
    std::string result = prev_result;
    absl::Status s = lab_.RunCni("DEL", pod, &result);
    if (s.ok()) return true;
    Note(s, rec);
    if (std::chrono::steady_clock::now() > deadline) return false;
    Backoff(attempt);
  }
}

OpRecord PodChurn::Add(int node, const std::string& k8s_namespace) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + options_.op_deadline;
  int k;
  {
    std::lock_guard lock(mu_);
    k = ++next_pod_;
  }
  lab::PodInfo pod;
  pod.name = absl::StrCat("chaos-", k);
  pod.node = node;
  pod.k8s_namespace = k8s_namespace;
  pod.netns = absl::StrCat(lab::Prefix(lab_.id()), "c", k);  // under the lab's prefix: its Down() removes it
  OpRecord rec{.kind = OpRecord::kAdd, .pod = pod.name, .node = node};
  if (absl::StatusOr<std::string> made = lab::Run({"ip", "netns", "add", pod.netns}); !made.ok()) {
    rec.last_error = std::string(made.status().message());
    Record(rec);
    return rec;
  }
  std::string result;
  for (int attempt = 0;; ++attempt) {
    pod.container_id = absl::StrCat("chaos-", lab_.id(), "-", k, "-", attempt);  // a new sandbox each time
    ++rec.attempts;
    result.clear();
    absl::Status s = lab_.RunCni("ADD", pod, &result);
    if (s.ok()) {
      rec.ok = true;
      break;
    }
    Note(s, rec);
    // Tear the failed sandbox's network down before trying again, as the runtime does.
    const bool torn_down = DelUntilDone(pod, "", deadline, rec);
    if (!torn_down || std::chrono::steady_clock::now() > deadline) break;
    Backoff(attempt);
  }
  rec.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (!rec.ok) {
    Record(rec);
    return rec;
  }
  pod.ip = IpOf(result);
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, other] : live_) {
      if (other.ip == pod.ip) {
        duplicates_.push_back(absl::StrCat(pod.name, " (", pod.container_id, ") got ", pod.ip, ", which live pod ",
                                           name, " (", other.container_id, ") holds"));
      }
    }
    live_[pod.name] = pod;
    results_[pod.name] = result;
    records_.push_back(rec);
  }
  return rec;
}

bool PodChurn::DeleteOne(std::mt19937& rng) {
  lab::PodInfo pod;
  std::string result;
  {
    std::lock_guard lock(mu_);
    if (live_.empty()) return false;
    auto it = std::next(live_.begin(), std::uniform_int_distribution<size_t>(0, live_.size() - 1)(rng));
    pod = it->second;
    result = results_[pod.name];
    // Not live from now on: its address may be released (and handed out again) at any moment.
    live_.erase(it);
    results_.erase(pod.name);
  }
  const auto start = std::chrono::steady_clock::now();
  OpRecord rec{.kind = OpRecord::kDel, .pod = pod.name, .node = pod.node};
  rec.ok = DelUntilDone(pod, result, start + options_.op_deadline, rec);
  rec.attempts = 1;
  for (const auto& [code, n] : rec.cni_errors) rec.attempts += n;
  if (rec.ok) (void)lab::Run({"ip", "netns", "delete", pod.netns});
  rec.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  Record(rec);
  return true;
}

int PodChurn::live_count() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(live_.size());
}

std::vector<lab::PodInfo> PodChurn::LivePods() const {
  std::lock_guard lock(mu_);
  std::vector<lab::PodInfo> out;
  for (const auto& [name, pod] : live_) out.push_back(pod);
  return out;
}

std::vector<LivePod> PodChurn::LiveForCheck() const {
  std::vector<LivePod> out;
  for (const lab::PodInfo& p : LivePods()) out.push_back({p.container_id + ":eth0", p.ip, lab::NodeName(p.node)});
  return out;
}

std::vector<OpRecord> PodChurn::records() const {
  std::lock_guard lock(mu_);
  return records_;
}

std::vector<std::string> PodChurn::duplicates() const {
  std::lock_guard lock(mu_);
  return duplicates_;
}

}  // namespace romana::chaos
